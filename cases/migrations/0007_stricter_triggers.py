"""Two triggers made stricter.

- The audit trail (PostgreSQL): Django's one allowed change, setting `actor_id` to NULL when a
  user is deleted, now has to leave every other column as it was. Migration 0002 compared only
  some of them, so an entry without an actor could have had its text rewritten.
- The case's page version (SQLite): a save from an out-of-date copy of a case wrote back a
  lower version, which the trigger let stand; now any update that does not raise the version
  raises it, as the PostgreSQL trigger does. (Migration 0005.)
"""

from django.db import migrations

AUDIT_FUNCTION = """
CREATE OR REPLACE FUNCTION dsar_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

AUDIT_FUNCTION_0002 = """
CREATE OR REPLACE FUNCTION dsar_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND ROW(NEW.id, NEW.content_type_id, NEW.object_pk, NEW.action, NEW.changes,
               NEW.timestamp, NEW.additional_data)
           IS NOT DISTINCT FROM
           ROW(OLD.id, OLD.content_type_id, OLD.object_pk, OLD.action, OLD.changes,
               OLD.timestamp, OLD.additional_data) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def sqlite_case_trigger(condition: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS dsar_case_version",
        f"""
        CREATE TRIGGER dsar_case_version AFTER UPDATE ON cases_case
            FOR EACH ROW WHEN NEW.page_version {condition} OLD.page_version
            BEGIN UPDATE cases_case SET page_version = OLD.page_version + 1 WHERE id = NEW.id; END
        """,
    ]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_FUNCTION, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_case_trigger("<="):
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_FUNCTION_0002, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_case_trigger("="):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_case_drop_duplicate_fk_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
