"""Case events are append-only in the database, not only through the model (issue 15.2).

CaseEvent.save() and .delete() refuse to change a row, but queryset update(), bulk_update(),
queryset delete() and raw SQL went through. Triggers now refuse UPDATE and DELETE on
cases_caseevent, on PostgreSQL and on SQLite, with two exceptions:

- the change Django makes when a user is deleted: `actor_id` set to NULL, every other column as
  it was (as the audit trail allows, migration 0007);
- erasure (GDPR Art. 17), the one controlled path: `cases.db.erasure_allowed()` opens it for the
  rest of one transaction. On PostgreSQL it sets the transaction-local `dsar.erasure` to 'on'
  (SET LOCAL, gone at commit or rollback); SQLite has no session settings, so it sets the one
  row of `dsar_erasure` to 1 and back to 0 before the transaction ends. SQLite lets one writer
  at a time hold the database, so no other connection ever sees the 1.

The audit trail's trigger (PostgreSQL, migrations 0002 and 0007) honours the same path, so that
erasure can pseudonymise its entries.

TRUNCATE fires no row trigger; Django's test runner empties PostgreSQL tables with it.
"""

from django.db import migrations

PG_SQL = """
CREATE OR REPLACE FUNCTION dsar_erasure_allowed() RETURNS boolean AS $$
    SELECT coalesce(current_setting('dsar.erasure', true), '') = 'on';
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION dsar_event_append_only() RETURNS trigger AS $$
BEGIN
    IF dsar_erasure_allowed() THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'case events are append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS dsar_event_append_only ON cases_caseevent;
CREATE TRIGGER dsar_event_append_only BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION dsar_event_append_only();

CREATE OR REPLACE FUNCTION dsar_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF dsar_erasure_allowed() THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

# Migration 0007's audit function, restored when going back.
PG_SQL_REVERSE = """
DROP TRIGGER IF EXISTS dsar_event_append_only ON cases_caseevent;
DROP FUNCTION IF EXISTS dsar_event_append_only();
CREATE OR REPLACE FUNCTION dsar_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION IF EXISTS dsar_erasure_allowed();
"""

# SQLite: no trigger functions and no session settings; one trigger per event, and a one-row
# table that erasure sets inside its transaction. The columns are those of cases_caseevent.
SQLITE_ERASURE_OFF = "(SELECT active FROM dsar_erasure WHERE id = 1) IS NOT 1"
SQLITE_SQL = [
    "CREATE TABLE IF NOT EXISTS dsar_erasure ("
    " id INTEGER PRIMARY KEY CHECK (id = 1), active INTEGER NOT NULL DEFAULT 0)",
    "INSERT OR IGNORE INTO dsar_erasure (id, active) VALUES (1, 0)",
    "DROP TRIGGER IF EXISTS dsar_event_no_update",
    f"""
    CREATE TRIGGER dsar_event_no_update BEFORE UPDATE ON cases_caseevent
    WHEN {SQLITE_ERASURE_OFF}
     AND NOT (NEW.actor_id IS NULL
              AND NEW.id IS OLD.id AND NEW.case_id IS OLD.case_id AND NEW.kind IS OLD.kind
              AND NEW.occurred_on IS OLD.occurred_on AND NEW.recorded_at IS OLD.recorded_at
              AND NEW.data IS OLD.data AND NEW.note IS OLD.note)
    BEGIN
        SELECT RAISE(ABORT, 'case events are append-only (UPDATE refused)');
    END
    """,
    "DROP TRIGGER IF EXISTS dsar_event_no_delete",
    f"""
    CREATE TRIGGER dsar_event_no_delete BEFORE DELETE ON cases_caseevent
    WHEN {SQLITE_ERASURE_OFF}
    BEGIN
        SELECT RAISE(ABORT, 'case events are append-only (DELETE refused)');
    END
    """,
]
SQLITE_SQL_REVERSE = [
    "DROP TRIGGER IF EXISTS dsar_event_no_update",
    "DROP TRIGGER IF EXISTS dsar_event_no_delete",
    "DROP TABLE IF EXISTS dsar_erasure",
]


def create_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_SQL, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_SQL:
            schema_editor.execute(statement, params=None)
    else:
        raise NotImplementedError(f"no append-only triggers for {vendor}")


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_SQL_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_SQL_REVERSE:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_case_next_due_stored")]

    operations = [migrations.RunPython(create_guards, drop_guards)]
