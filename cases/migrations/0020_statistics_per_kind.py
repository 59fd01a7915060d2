"""Statistics per kind of request and vendor (issue 17): erasure, objection, withdrawal,
restriction and portability are counted like access, each against its own checklist.

Recreates `cases_statistics` (0012) with a `kind` column in every group but the `all` row, and
the missing items of every kind's checklist as one JSON object (`missing`), instead of a column
per Article 15 item: by the rules of `selectors.statistics._figures`, which
tests/test_statistics_stored.py checks it against. `cases_statistics_incidents` is unchanged.
WITH NO DATA again: the next `statistics_refresh` fills it (pages say "being prepared" until
then). Backwards, 0012's view comes back, empty until the next refresh.
"""

import importlib

from django.db import migrations, models

before = importlib.import_module("cases.migrations.0012_statistics_complete_answers")

# The item codes of every kind's checklist as of this migration (models.case.ALL_ITEMS): 0012's
# Article 15 items, then those of the follow-up kinds. A new item needs a new migration.
ITEMS = (
    *before.ITEMS,
    # erasure, Art. 17 and 19
    "erase_audio",
    "erase_transcripts",
    "erase_annotations",
    "erase_processor_copies",
    "retained_explained",
    "recipients_told",
    # objection, Art. 21(1)
    "human_review_stopped",
    "training_stopped",
    # withdrawal of consent, Art. 7(3)
    "consent_processing_stopped",
    # restriction, Art. 18(1)(d)
    "processing_restricted",
    # portability, Art. 20(1)
    "portable_audio",
    "portable_transcripts",
)
MISSING = ",\n            ".join(
    f"'{item}', count(*) FILTER (WHERE missing_items @> '[\"{item}\"]'::jsonb)" for item in ITEMS
)

# 0012's per-case facts, for every kind of request rather than access only.
ACCESS_ONLY = (
    "    -- access requests (Art. 15) only: what the figures describe\n"
    "    WHERE c.kind = 'access'\n"
)
assert ACCESS_ONLY in before.PER_CASE
PER_CASE = before.PER_CASE.replace(ACCESS_ONLY, "").replace(
    "        c.missing_items,\n", "        c.missing_items,\n        c.kind,\n", 1
)

FIGURES = f"""
CREATE MATERIALIZED VIEW cases_statistics AS
WITH per_case AS ({PER_CASE}),
grouped AS (
    SELECT
        -- GROUPING's bits: organisation 8, kind 4, vendor 2, month 1 (set: not grouped by it)
        CASE GROUPING(organisation_id, kind, vendor_id, month)
            WHEN 15 THEN 'all'
            WHEN 9 THEN 'vendor'
            WHEN 8 THEN 'vendor_month'
            WHEN 1 THEN 'organisation'
            ELSE 'organisation_month'
        END AS level,
        coalesce(organisation_id, 0) AS organisation_id,
        coalesce(kind, '') AS kind,
        coalesce(vendor_id, 0) AS vendor_id,
        coalesce(month, DATE '0001-01-01') AS month,
        count(*)::integer AS cases,
        count(*) FILTER (WHERE received_on IS NOT NULL)::integer AS sent,
        count(*) FILTER (WHERE answered_on IS NOT NULL)::integer AS answered,
        count(*) FILTER (WHERE acknowledged_on IS NOT NULL)::integer AS acknowledged,
        count(*) FILTER (WHERE answered_on IS NOT NULL AND NOT late)::integer AS on_time,
        count(*) FILTER (WHERE complete_on IS NOT NULL)::integer AS complete,
        count(*) FILTER (WHERE complete_on <= last_due_on)::integer AS complete_on_time,
        count(*) FILTER (WHERE answered_on IS NOT NULL OR late)::integer AS due,
        count(*) FILTER (WHERE extended)::integer AS extended,
        jsonb_build_object(
            {MISSING}
        ) AS missing,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY answered_on - received_on)
            FILTER (WHERE answered_on IS NOT NULL) AS median_days,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY acknowledged_on - received_on)
            FILTER (WHERE acknowledged_on IS NOT NULL) AS median_days_to_acknowledgement,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY complete_on - received_on)
            FILTER (WHERE complete_on IS NOT NULL) AS median_days_to_complete
    FROM per_case
    GROUP BY GROUPING SETS (
        (), (kind, vendor_id), (kind, vendor_id, month),
        (organisation_id, kind, vendor_id), (organisation_id, kind, vendor_id, month)
    )
    -- the organisation's grouping sets only for cases an organisation holds
    HAVING GROUPING(organisation_id) = 1 OR organisation_id IS NOT NULL
)
SELECT
    concat_ws(':', level, organisation_id, kind, vendor_id, month) AS id,
    grouped.*,
    now() AS computed_at
FROM grouped
WITH NO DATA;

CREATE UNIQUE INDEX cases_statistics_key
    ON cases_statistics (level, organisation_id, kind, vendor_id, month);
"""

DROP = "DROP MATERIALIZED VIEW IF EXISTS cases_statistics;"
OLD_FIGURES = before.FIGURES.split("CREATE MATERIALIZED VIEW cases_statistics_incidents")[0]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_inbound_mail"),
    ]

    operations = [
        *(
            migrations.RemoveField(model_name="vendorfigures", name=f"missing_{item}")
            for item in before.ITEMS
        ),
        migrations.AddField(
            model_name="vendorfigures",
            name="kind",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="vendorfigures",
            name="missing",
            field=models.JSONField(default=dict),
            preserve_default=False,
        ),
        # The model is not managed: the operations above change only Django's state; the SQL
        # below changes the view (backwards: 0012's comes back).
        before.PostgresOnly(DROP, OLD_FIGURES),
        before.PostgresOnly(FIGURES, DROP),
    ]
