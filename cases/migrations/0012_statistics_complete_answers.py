"""Statistics that do not mislead: a confirmation of receipt, an answer and a complete answer
are counted apart, and the share answered in time is taken over the requests whose answer was
owed by now ("no data" while none was).

Recreates both materialized views of 0011 (their columns change): `cases_statistics` gains
`acknowledged`, `complete`, `complete_on_time`, `due` and the medians to a confirmation of
receipt and to a complete answer, by the rules of `facts.complete_answer_on` and
`selectors.statistics._figures`, over access requests only (Art. 15: what the figures describe);
tests/test_statistics_stored.py checks they agree. WITH NO DATA
again: the next `statistics_refresh` fills them (pages say "being prepared" until then).
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
        answers.acknowledged_on,
        answers.answered_on,
        -- facts.complete_answer_on: nothing left out, and the person's own data
        CASE WHEN someone_elses.case_id IS NULL THEN answers.complete_on END AS complete_on,
        answer_clocks.last_due_on,
        coalesce(answers.extended, false) AS extended,
        late.case_id IS NOT NULL AS late
    FROM cases_case c
    LEFT JOIN (
        SELECT
            case_id,
            min(occurred_on) FILTER (WHERE kind = 'acknowledged') AS acknowledged_on,
            min(occurred_on) FILTER (WHERE kind = 'response_received') AS answered_on,
            min(occurred_on) FILTER (
                WHERE kind = 'response_received' AND data -> 'missing_items' = '[]'::jsonb
            ) AS complete_on,
            bool_or(kind = 'extension_notified') AS extended
        FROM cases_caseevent
        WHERE kind IN ('acknowledged', 'response_received', 'extension_notified')
        GROUP BY case_id
    ) answers ON answers.case_id = c.id
    -- facts.answer_was_someone_elses: a misdirected export not recorded as the person's own
    LEFT JOIN (
        SELECT DISTINCT case_id
        FROM cases_incident
        WHERE kind = 'misdirected_export' AND side <> 'own_data'
    ) someone_elses ON someone_elses.case_id = c.id
    LEFT JOIN (
        SELECT case_id, max(due_on) AS last_due_on
        FROM cases_deadline
        WHERE kind IN ('response', 'extended_response')
        GROUP BY case_id
    ) answer_clocks ON answer_clocks.case_id = c.id
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
    -- access requests (Art. 15) only: what the figures describe
    WHERE c.kind = 'access'
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
        count(*) FILTER (WHERE acknowledged_on IS NOT NULL)::integer AS acknowledged,
        count(*) FILTER (WHERE answered_on IS NOT NULL AND NOT late)::integer AS on_time,
        count(*) FILTER (WHERE complete_on IS NOT NULL)::integer AS complete,
        count(*) FILTER (WHERE complete_on <= last_due_on)::integer AS complete_on_time,
        count(*) FILTER (WHERE answered_on IS NOT NULL OR late)::integer AS due,
        count(*) FILTER (WHERE extended)::integer AS extended,
        {MISSING},
        percentile_cont(0.5) WITHIN GROUP (ORDER BY answered_on - received_on)
            FILTER (WHERE answered_on IS NOT NULL) AS median_days,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY acknowledged_on - received_on)
            FILTER (WHERE acknowledged_on IS NOT NULL) AS median_days_to_acknowledgement,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY complete_on - received_on)
            FILTER (WHERE complete_on IS NOT NULL) AS median_days_to_complete
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
        ("cases", "0011_statistics_aggregates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "case created"),
                    ("sent", "request sent"),
                    ("delivered", "request delivered"),
                    ("identity_requested", "vendor asked for identity or clarification"),
                    ("identity_provided", "identity or clarification provided"),
                    ("acknowledged", "vendor acknowledged receipt"),
                    ("extension_notified", "vendor notified an extension"),
                    ("response_received", "response received"),
                    ("reminder_sent", "reminder sent to the vendor"),
                    ("incident_recorded", "incident recorded"),
                    ("evidence_added", "evidence added"),
                    ("letter_generated", "letter generated"),
                    ("complaint_filed", "complaint filed"),
                    ("authority_acknowledged", "authority acknowledged receipt"),
                    ("authority_replied", "authority reported progress or an outcome"),
                    ("deadline_missed", "deadline missed"),
                    ("status_changed", "status changed"),
                    ("closed", "case closed"),
                    ("note", "note"),
                ],
                max_length=24,
                verbose_name="what happened",
            ),
        ),
        # Old views out, new ones in; backwards the other way round (0011's views come back
        # empty until the next refresh).
        PostgresOnly(DROP, migrations.RunSQL.noop),
        PostgresOnly(FIGURES, DROP),
    ]
