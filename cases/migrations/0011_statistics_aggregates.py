"""Stored statistics: the figures of `vendor_statistics` as two materialized views.

`cases_statistics` holds, per grouping set, what `selectors.statistics._figures` computes: per
vendor and per vendor's month over every case (`organisation_id` 0), and the same over each
organisation's cases (`access.organisation_cases`: the case is the organisation's and it holds an
active mandate for it), plus one `all` row whatever the data, so that a refreshed view always says
when it was computed. `cases_statistics_incidents` counts incidents by kind per vendor, over every
case and over each organisation's. Key columns are never NULL (0 for no organisation or vendor,
0001-01-01 for no month) so that a plain UNIQUE index covers every row, which
`REFRESH MATERIALIZED VIEW CONCURRENTLY` needs.

Created WITH NO DATA: the first `statistics_refresh` (Celery beat) fills them, so that this
migration takes no time however many cases there are. A later migration that alters a column read
here (cases_case, cases_caseevent, cases_deadline, cases_mandate, cases_incident) must drop the
views first and create them again. On SQLite (`make run` without DATABASE_URL) nothing is created:
the pages compute the figures from scratch there.
"""

from django.db import migrations, models

# Article 15 items as of this migration; a new item needs a new migration (and model field).
ITEMS = (
    "purposes",
    "categories",
    "recipients",
    "retention",
    "rights",
    "source",
    "automated_decisions",
    "safeguards",
    "audio",
    "transcripts",
    "annotations",
)
MISSING = ",\n        ".join(
    f"count(*) FILTER (WHERE missing_items @> '[\"{item}\"]'::jsonb) AS missing_{item}"
    for item in ITEMS
)

# Each case with the facts the statistics need (selectors.statistics._stats_base). The session's
# time zone is settings.TIME_ZONE while statistics_refresh runs, so that CURRENT_DATE is
# timezone.localdate() and the month is Django's TruncMonth("created_at").
PER_CASE = """
    SELECT
        c.id,
        c.vendor_id,
        c.received_on,
        c.missing_items,
        date_trunc('month', c.created_at)::date AS month,
        CASE WHEN EXISTS (
            SELECT 1 FROM cases_mandate m
            WHERE m.case_id = c.id
              AND m.organisation_id = c.organisation_id
              AND m.revoked_at IS NULL
        ) THEN c.organisation_id END AS organisation_id,
        answers.answered_on,
        coalesce(answers.extended, false) AS extended,
        late.case_id IS NOT NULL AS late
    FROM cases_case c
    LEFT JOIN (
        SELECT
            case_id,
            min(occurred_on) FILTER (WHERE kind = 'response_received') AS answered_on,
            bool_or(kind = 'extension_notified') AS extended
        FROM cases_caseevent
        WHERE kind IN ('response_received', 'extension_notified')
        GROUP BY case_id
    ) answers ON answers.case_id = c.id
    -- An answer clock (Art. 12(3)) missed as of the refresh day: the same rule as
    -- facts.clock_missed_q(CURRENT_DATE); tests/test_statistics_stored.py checks they agree.
    LEFT JOIN (
        SELECT DISTINCT case_id
        FROM cases_deadline
        WHERE kind IN ('response', 'extended_response')
          AND NOT (state = 'met' AND met_on IS NOT NULL AND met_on <= CURRENT_DATE)
          AND paused_since IS NULL
          AND due_on < CURRENT_DATE
    ) late ON late.case_id = c.id
"""

# Each case's vendor and the organisation that holds it (access.organisation_cases), if any.
CASE_ORGANISATION = """
    SELECT
        c.id,
        c.vendor_id,
        CASE WHEN EXISTS (
            SELECT 1 FROM cases_mandate m
            WHERE m.case_id = c.id
              AND m.organisation_id = c.organisation_id
              AND m.revoked_at IS NULL
        ) THEN c.organisation_id END AS organisation_id
    FROM cases_case c
"""

FIGURES = f"""
CREATE MATERIALIZED VIEW cases_statistics AS
WITH per_case AS ({PER_CASE}),
grouped AS (
    SELECT
        CASE GROUPING(organisation_id, vendor_id, month)
            WHEN 7 THEN 'all'
            WHEN 5 THEN 'vendor'
            WHEN 4 THEN 'vendor_month'
            WHEN 1 THEN 'organisation'
            ELSE 'organisation_month'
        END AS level,
        coalesce(organisation_id, 0) AS organisation_id,
        coalesce(vendor_id, 0) AS vendor_id,
        coalesce(month, DATE '0001-01-01') AS month,
        count(*)::integer AS cases,
        count(*) FILTER (WHERE received_on IS NOT NULL)::integer AS sent,
        count(*) FILTER (WHERE answered_on IS NOT NULL)::integer AS answered,
        count(*) FILTER (WHERE answered_on IS NOT NULL AND NOT late)::integer AS on_time,
        count(*) FILTER (WHERE extended)::integer AS extended,
        {MISSING},
        percentile_cont(0.5) WITHIN GROUP (ORDER BY answered_on - received_on)
            FILTER (WHERE answered_on IS NOT NULL) AS median_days
    FROM per_case
    GROUP BY GROUPING SETS (
        (), (vendor_id), (vendor_id, month),
        (organisation_id, vendor_id), (organisation_id, vendor_id, month)
    )
    -- the organisation's grouping sets only for cases an organisation holds
    HAVING GROUPING(organisation_id) = 1 OR organisation_id IS NOT NULL
)
SELECT
    concat_ws(':', level, organisation_id, vendor_id, month) AS id,
    grouped.*,
    now() AS computed_at
FROM grouped
WITH NO DATA;

CREATE UNIQUE INDEX cases_statistics_key
    ON cases_statistics (level, organisation_id, vendor_id, month);

CREATE MATERIALIZED VIEW cases_statistics_incidents AS
WITH per_case AS ({CASE_ORGANISATION}),
grouped AS (
    SELECT
        coalesce(per_case.organisation_id, 0) AS organisation_id,
        per_case.vendor_id,
        i.kind,
        count(*)::integer AS count
    FROM cases_incident i
    JOIN per_case ON per_case.id = i.case_id
    GROUP BY GROUPING SETS ((per_case.vendor_id, i.kind),
                            (per_case.organisation_id, per_case.vendor_id, i.kind))
    HAVING GROUPING(per_case.organisation_id) = 1 OR per_case.organisation_id IS NOT NULL
)
SELECT
    concat_ws(':', organisation_id, vendor_id, kind) AS id,
    grouped.*,
    now() AS computed_at
FROM grouped
WITH NO DATA;

CREATE UNIQUE INDEX cases_statistics_incidents_key
    ON cases_statistics_incidents (organisation_id, vendor_id, kind);
"""

DROP = """
DROP MATERIALIZED VIEW IF EXISTS cases_statistics_incidents;
DROP MATERIALIZED VIEW IF EXISTS cases_statistics;
"""


class PostgresOnly(migrations.RunSQL):
    """RunSQL on PostgreSQL; nothing elsewhere (SQLite has no materialized views)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_breach_notification_is_not_a_clock"),
    ]

    operations = [
        PostgresOnly(FIGURES, DROP),
        migrations.CreateModel(
            name="IncidentFigures",
            fields=[
                ("id", models.TextField(primary_key=True, serialize=False)),
                ("organisation_id", models.IntegerField()),
                ("kind", models.TextField()),
                ("count", models.IntegerField()),
                ("computed_at", models.DateTimeField()),
            ],
            options={
                "db_table": "cases_statistics_incidents",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="VendorFigures",
            fields=[
                ("id", models.TextField(primary_key=True, serialize=False)),
                (
                    "level",
                    models.TextField(
                        choices=[
                            ("all", "All"),
                            ("vendor", "Vendor"),
                            ("vendor_month", "Vendor Month"),
                            ("organisation", "Organisation"),
                            ("organisation_month", "Organisation Month"),
                        ]
                    ),
                ),
                ("organisation_id", models.IntegerField()),
                ("month", models.DateField()),
                ("cases", models.IntegerField()),
                ("sent", models.IntegerField()),
                ("answered", models.IntegerField()),
                ("on_time", models.IntegerField()),
                ("extended", models.IntegerField()),
                ("missing_purposes", models.IntegerField()),
                ("missing_categories", models.IntegerField()),
                ("missing_recipients", models.IntegerField()),
                ("missing_retention", models.IntegerField()),
                ("missing_rights", models.IntegerField()),
                ("missing_source", models.IntegerField()),
                ("missing_automated_decisions", models.IntegerField()),
                ("missing_safeguards", models.IntegerField()),
                ("missing_audio", models.IntegerField()),
                ("missing_transcripts", models.IntegerField()),
                ("missing_annotations", models.IntegerField()),
                ("median_days", models.FloatField(null=True)),
                ("computed_at", models.DateTimeField()),
            ],
            options={
                "db_table": "cases_statistics",
                "managed": False,
            },
        ),
    ]
