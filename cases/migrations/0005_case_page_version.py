"""Case.page_version, kept by triggers: any write to a case or to a row of its page moves it.

Triggers rather than model code because rows change in many ways (services, bulk updates, the
admin, COPY in seed_bench) and a page served from the cache must never miss one of them.
"""

from django.db import migrations, models

# Tables whose rows the case page shows, each with a case_id column.
CASE_CHILD_TABLES = (
    "cases_caseevent",
    "cases_deadline",
    "cases_evidence",
    "cases_incident",
    "cases_letter",
    "cases_mandate",
    "cases_casenote",
)

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION dsar_case_row_version() RETURNS trigger AS $$
    BEGIN
        NEW.page_version := OLD.page_version + 1;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION dsar_case_child_version() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            UPDATE cases_case SET page_version = page_version + 1 WHERE id = OLD.case_id;
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.case_id IS DISTINCT FROM OLD.case_id)
        THEN
            UPDATE cases_case SET page_version = page_version + 1 WHERE id = NEW.case_id;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS dsar_case_version ON cases_case",
    """
    CREATE TRIGGER dsar_case_version BEFORE UPDATE ON cases_case
        FOR EACH ROW EXECUTE FUNCTION dsar_case_row_version()
    """,
] + [
    sql
    for table in CASE_CHILD_TABLES
    for sql in (
        f"DROP TRIGGER IF EXISTS dsar_case_version ON {table}",
        f"""
        CREATE TRIGGER dsar_case_version AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION dsar_case_child_version()
        """,
    )
]

# SQLite (local runs) has no trigger functions: one trigger per table and event. Recursive
# triggers are off, and the WHEN clause keeps the case's trigger from answering its own update.
SQLITE = [
    "DROP TRIGGER IF EXISTS dsar_case_version",
    """
    CREATE TRIGGER dsar_case_version AFTER UPDATE ON cases_case
        FOR EACH ROW WHEN NEW.page_version = OLD.page_version
        BEGIN UPDATE cases_case SET page_version = OLD.page_version + 1 WHERE id = NEW.id; END
    """,
] + [
    sql
    for table in CASE_CHILD_TABLES
    # A row never moves to another case, so an update moves its (old) case only.
    for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
    for sql in (
        f"DROP TRIGGER IF EXISTS dsar_case_version_{event.lower()}_{table}",
        f"""
        CREATE TRIGGER dsar_case_version_{event.lower()}_{table} AFTER {event} ON {table}
            FOR EACH ROW
            BEGIN UPDATE cases_case SET page_version = page_version + 1 WHERE id = {row}.case_id;
            END
        """,
    )
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"no page-version triggers for {vendor}")
    for statement in POSTGRES if vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in ("cases_case", *CASE_CHILD_TABLES):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS dsar_case_version ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS dsar_case_child_version()")
        schema_editor.execute("DROP FUNCTION IF EXISTS dsar_case_row_version()")
    else:
        for statement in SQLITE:
            if statement.startswith("DROP"):
                schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_indexes_and_email_case"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="page_version",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
