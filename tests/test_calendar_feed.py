"""The private calendar feed: open deadlines as iCalendar, behind a secret, revocable URL."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.calendar import deadlines_ics
from cases.models import Deadline, Status
from tests.factories import CaseFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def owner_with_case():
    owner = UserFactory()
    case = CaseFactory(
        requester=owner, vendor=VendorFactory(name="Amazon", country="LU"), status=Status.DRAFT
    )
    with time_machine.travel(datetime(2027, 8, 31, 12, tzinfo=BRUSSELS), tick=False):
        services.case_mark_sent(case=case, actor=owner, sent_on=date(2027, 8, 31), channel="email")
    return owner, case


def test_the_feed_lists_each_open_deadline_as_an_all_day_event(client, owner_with_case):
    owner, case = owner_with_case
    response = client.get(reverse("cases:calendar_feed", args=[owner.calendar_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20270930\r\n" in body
    assert "DTEND;VALUE=DATE:20271001\r\n" in body
    assert "SUMMARY:Amazon: response due (Art. 12(3))" in body
    response_deadline = Deadline.objects.get(case=case, key="response")
    assert f"UID:deadline-{response_deadline.pk}@" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_a_met_deadline_leaves_the_feed(client, owner_with_case):
    owner, case = owner_with_case
    with time_machine.travel(datetime(2027, 9, 10, 12, tzinfo=BRUSSELS), tick=False):
        services.case_record_response(case=case, actor=owner, received_on=date(2027, 9, 10))
    body = client.get(reverse("cases:calendar_feed", args=[owner.calendar_token])).content
    assert b"BEGIN:VEVENT" not in body


def test_a_wrong_or_revoked_token_answers_404(client, owner_with_case):
    owner, _ = owner_with_case
    old = owner.calendar_token
    assert client.get(reverse("cases:calendar_feed", args=["not-a-token"])).status_code == 404

    client.force_login(owner)
    response = client.post(reverse("cases:calendar_reset"))
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.calendar_token != old
    assert client.get(reverse("cases:calendar_feed", args=[old])).status_code == 404
    assert (
        client.get(reverse("cases:calendar_feed", args=[owner.calendar_token])).status_code == 200
    )


def test_the_feed_shows_only_the_owners_deadlines(client, owner_with_case):
    owner, _ = owner_with_case
    stranger = UserFactory()
    body = client.get(reverse("cases:calendar_feed", args=[stranger.calendar_token])).content
    assert b"BEGIN:VEVENT" not in body
    assert (
        b"BEGIN:VEVENT"
        in client.get(reverse("cases:calendar_feed", args=[owner.calendar_token])).content
    )


def test_text_is_escaped_and_long_lines_are_folded(owner_with_case):
    _, case = owner_with_case
    case.vendor.name = "Semi;colon, Comma\\Back"
    case.vendor.save()
    body = deadlines_ics(
        Deadline.objects.filter(case=case).select_related("case__vendor"), host="h"
    )
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:Semi\\;colon\\, Comma\\\\Back: response due" in unfolded
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
