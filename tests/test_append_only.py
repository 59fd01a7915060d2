"""Case events are append-only in the database, whatever writes to it: queryset update(),
bulk_update(), queryset delete() and raw SQL are refused by a trigger (PostgreSQL and SQLite);
erasure (Art. 17) is the one controlled path through, and case and account deletion use it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SqliteWrapper
from django.urls import reverse

from cases import services
from cases.db import erasure_allowed
from cases.models import Case, CaseEvent, EventKind
from tests.factories import CaseFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def event() -> CaseEvent:
    case = CaseFactory(sent=True)
    return CaseEvent.record(case, case.requester, EventKind.NOTE, on=date(2027, 5, 3), note="said")


def refused(write) -> None:
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        write()


def test_a_queryset_update_is_refused(event):
    refused(lambda: CaseEvent.objects.filter(pk=event.pk).update(note="rewritten"))
    event.refresh_from_db()
    assert event.note == "said"


def test_bulk_update_is_refused(event):
    event.note = "rewritten"
    refused(lambda: CaseEvent.objects.bulk_update([event], ["note"]))
    assert CaseEvent.objects.get(pk=event.pk).note == "said"


def test_a_queryset_delete_is_refused(event):
    refused(lambda: CaseEvent.objects.filter(pk=event.pk).delete())
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_and_delete_are_refused(event):
    def raw(sql: str):
        with connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])

    refused(lambda: raw("UPDATE cases_caseevent SET note = 'rewritten' WHERE id = %s"))
    refused(lambda: raw("UPDATE cases_caseevent SET occurred_on = '2020-01-01' WHERE id = %s"))
    refused(lambda: raw("DELETE FROM cases_caseevent WHERE id = %s"))
    assert CaseEvent.objects.get(pk=event.pk).note == "said"


def test_clearing_the_actor_alone_is_allowed_and_nothing_else_with_it(event):
    # What Django's SET_NULL does when the person who acted is deleted.
    refused(lambda: CaseEvent.objects.filter(pk=event.pk).update(actor=None, note="x"))
    CaseEvent.objects.filter(pk=event.pk).update(actor=None)
    assert CaseEvent.objects.get(pk=event.pk).actor is None


def test_a_caseworker_whose_account_goes_leaves_the_events_they_wrote(event):
    worker = UserFactory()
    written = CaseEvent.record(event.case, worker, EventKind.NOTE, on=date(2027, 5, 4))
    services.user_delete(user=worker)
    written.refresh_from_db()
    assert written.actor is None and written.kind == EventKind.NOTE


def test_erasure_is_the_one_way_through_and_closes_behind_itself(event):
    other = CaseEvent.record(event.case, None, EventKind.NOTE, on=date(2027, 5, 4))
    with transaction.atomic():
        with erasure_allowed():
            CaseEvent.objects.filter(pk=event.pk).update(note="")
            CaseEvent.objects.filter(pk=event.pk).delete()
        # Closed again in the same transaction, once the block is over.
        refused(lambda: CaseEvent.objects.filter(pk=other.pk).delete())
    assert not CaseEvent.objects.filter(pk=event.pk).exists()
    assert CaseEvent.objects.filter(pk=other.pk).exists()


def test_a_failed_erasure_takes_its_permission_with_it(event):
    with transaction.atomic():
        with pytest.raises(ZeroDivisionError), erasure_allowed():
            1 / 0  # noqa: B018
        refused(lambda: CaseEvent.objects.filter(pk=event.pk).delete())


def test_deleting_an_account_deletes_its_cases_and_their_events(client, event):
    user = event.case.requester
    user.set_password("correct horse battery")
    user.save()
    client.force_login(user)
    response = client.post(reverse("cases:account_delete"), {"confirm": "correct horse battery"})
    assert response.status_code == 302
    assert not Case.objects.filter(pk=event.case_id).exists()
    assert not CaseEvent.objects.filter(case_id=event.case_id).exists()


# --- SQLite: the same migration, the same erasure path, on a real Django SQLite connection ----


@pytest.fixture
def sqlite_events():
    """A Django SQLite connection (in memory) with cases_caseevent and migration 0014's triggers,
    registered under its own alias for the test."""
    from importlib import import_module

    migration = import_module("cases.migrations.0014_case_events_append_only")
    alias = "append_only_sqlite"
    wrapper = SqliteWrapper({**connections["default"].settings_dict, "NAME": ":memory:"}, alias)
    wrapper.settings_dict.update(ENGINE="django.db.backends.sqlite3", OPTIONS={}, TEST={})
    connections[alias] = wrapper
    try:
        with wrapper.schema_editor() as editor:
            editor.create_model(CaseEvent)
            # and the tables that point at events, which a queryset delete() looks through
            for relation in CaseEvent._meta.get_fields(include_hidden=True):
                if relation.auto_created and not relation.concrete:
                    editor.create_model(relation.related_model)
            migration.create_guards(None, editor)
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")  # no cases or users in this database
        yield alias
    finally:
        wrapper.close()
        del connections[alias]


def test_the_sqlite_triggers_refuse_what_postgresql_refuses_and_let_erasure_through(
    sqlite_events,
):
    alias = sqlite_events
    events = CaseEvent.objects.using(alias)
    event = CaseEvent(case_id=1, actor_id=7, kind=EventKind.NOTE, occurred_on=date(2027, 5, 3))
    event.save(using=alias)
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        assert [row[0] for row in cursor.fetchall()] == [
            "dsar_event_no_delete",
            "dsar_event_no_update",
        ]

    def refused_here(write) -> None:
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(using=alias):
            write()

    refused_here(lambda: events.filter(pk=event.pk).update(note="rewritten"))
    event.note = "rewritten"
    refused_here(lambda: events.bulk_update([event], ["note"]))
    refused_here(lambda: events.filter(pk=event.pk).delete())

    def raw(sql: str):
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [event.pk])

    refused_here(lambda: raw("UPDATE cases_caseevent SET note = 'x' WHERE id = %s"))
    refused_here(lambda: raw("DELETE FROM cases_caseevent WHERE id = %s"))
    refused_here(lambda: events.filter(pk=event.pk).update(actor_id=None, note="x"))
    with pytest.raises(RuntimeError, match="transaction"), erasure_allowed(using=alias):
        pass  # outside a transaction the permission would outlive the erasure
    events.filter(pk=event.pk).update(actor_id=None)  # SET_NULL when the actor goes

    with transaction.atomic(using=alias):
        with erasure_allowed(using=alias):
            events.filter(pk=event.pk).update(note="")
        refused_here(lambda: events.filter(pk=event.pk).delete())
        with erasure_allowed(using=alias):
            events.filter(pk=event.pk).delete()
    assert not events.exists()
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT active FROM dsar_erasure")
        assert cursor.fetchall() == [(0,)]  # never committed open
