"""Reminder e-mails: sent once each, in the person's language, however late the worker wakes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from cases import selectors, services
from cases.models import Reminder, Status
from tests.factories import CaseFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def sent_case(db):
    """A request to Amazon e-mailed on 31 August 2027: due Thursday 30 September."""
    requester = UserFactory(email="ada@example.org", full_name="Ada Lovelace", language="en")
    case = CaseFactory(
        requester=requester,
        vendor=VendorFactory(name="Amazon", country="LU"),
        status=Status.DRAFT,
        sent_on=None,
        received_on=None,
    )
    with time_machine.travel(datetime(2027, 8, 31, 12, tzinfo=BRUSSELS), tick=False):
        services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    return case


def reminder(case, offset: int) -> Reminder:
    return Reminder.objects.get(deadline__case=case, deadline__key="response", offset_days=offset)


def test_a_due_reminder_is_sent_once_however_often_it_is_delivered(sent_case):
    week_before = reminder(sent_case, -7)
    with time_machine.travel(datetime(2027, 9, 23, 9, 5, tzinfo=BRUSSELS), tick=False):
        assert services.reminder_deliver(reminder_id=week_before.pk) is True
        assert services.reminder_deliver(reminder_id=week_before.pk) is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert "Amazon" in message.subject and "7 days" in message.subject
    assert "30 September 2027" in message.body  # the date in the locale's format
    assert f"/cases/{sent_case.pk}/" in message.body
    assert "Nothing to do yet" in message.body
    week_before.refresh_from_db()
    assert week_before.sent_at is not None and week_before.attempts == 1


def test_a_reminder_is_not_sent_before_its_time(sent_case):
    with time_machine.travel(datetime(2027, 9, 20, tzinfo=BRUSSELS), tick=False):
        assert services.reminder_deliver(reminder_id=reminder(sent_case, -7).pk) is False
    assert mail.outbox == []


def test_a_cancelled_reminder_is_never_sent(sent_case):
    with time_machine.travel(datetime(2027, 9, 10, 12, tzinfo=BRUSSELS), tick=False):
        services.case_record_response(case=sent_case, actor=None, received_on=date(2027, 9, 10))
    with time_machine.travel(datetime(2027, 10, 5, tzinfo=BRUSSELS), tick=False):
        for offset in (-7, 0, 1):
            assert services.reminder_deliver(reminder_id=reminder(sent_case, offset).pk) is False
    assert mail.outbox == []


def test_a_reminder_goes_to_the_requester_and_the_assigned_caseworker_each_in_their_language(
    sent_case,
):
    sent_case.assignee = UserFactory(email="caseworker@example.org", language="fr")
    sent_case.save()
    with time_machine.travel(datetime(2027, 10, 1, 9, 30, tzinfo=BRUSSELS), tick=False):
        services.reminder_deliver(reminder_id=reminder(sent_case, 1).pk)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"ada@example.org", "caseworker@example.org"}
    assert "30 septembre 2027" in by_recipient["caseworker@example.org"].body
    assert "1 day ago" in by_recipient["ada@example.org"].body
    assert "time to answer has run out" in by_recipient["ada@example.org"].body


def test_a_failed_send_is_rolled_back_and_tried_again(sent_case, monkeypatch):
    from cases import notifications

    def smtp_down(**kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notifications, "reminder_email_send", smtp_down)
    target = reminder(sent_case, 0)
    with time_machine.travel(datetime(2027, 9, 30, 10, tzinfo=BRUSSELS), tick=False):
        with pytest.raises(ConnectionRefusedError):
            services.reminder_deliver(reminder_id=target.pk)
        target.refresh_from_db()
        assert target.sent_at is None
        assert target.attempts == 1 and "smtp down" in target.last_error
        monkeypatch.undo()
        assert services.reminder_deliver(reminder_id=target.pk) is True
    assert len(mail.outbox) == 1


def test_the_dispatcher_finds_a_reminder_that_fell_due_long_ago(sent_case):
    # No look-back window: ten days after the day-after reminder, it is still found.
    late = datetime(2027, 10, 11, 9, tzinfo=BRUSSELS)
    due = list(selectors.reminders_due(now=late))
    assert {r.offset_days for r in due} == {-7, 0, 1}
    with time_machine.travel(late, tick=False):
        for r in due:
            services.reminder_deliver(reminder_id=r.pk)
    assert len(mail.outbox) == 3
    assert list(selectors.reminders_due(now=late)) == []


def test_the_dispatcher_does_not_queue_the_same_reminder_again_at_once(sent_case):
    now = timezone.make_aware(datetime(2027, 9, 23, 10))
    Reminder.objects.filter(deadline__case=sent_case).update(queued_at=now - timedelta(minutes=1))
    assert list(selectors.reminders_due(now=now)) == []
    later = now + timedelta(minutes=20)
    assert [r.offset_days for r in selectors.reminders_due(now=later)] == [-7]


@pytest.mark.postgres
def test_the_due_reminders_query_uses_the_partial_index(sent_case):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = selectors.reminders_due(now=timezone.now()).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "reminder_pending_by_send_at" in plan
