"""Each case's next due day (`facts.next_due`) stored on the case, so that the dashboard, My cases
and the API filter "overdue" and sort by due date on an index rather than a subquery per case.

From now on `services.deadlines_refresh` writes it; this migration fills it once for the cases
there are, by the same rule (`facts.next_due_sql`: the earliest last day of an unmet clock, none
on a closed case), in SQL that PostgreSQL and SQLite both run.
"""

from django.db import migrations, models

BACKFILL = """
UPDATE cases_case SET next_due_on = CASE WHEN status = 'closed' THEN NULL ELSE (
    SELECT min(d.due_on)
    FROM cases_deadline d
    WHERE d.case_id = cases_case.id
      AND d.state IN ('open', 'missed')
      AND d.met_on IS NULL
      AND d.paused_since IS NULL
      AND d.kind <> 'extension_notice'
) END
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_statistics_complete_answers"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="next_due_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="next due"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["organisation", "next_due_on"], name="case_org_next_due"),
        ),
    ]
