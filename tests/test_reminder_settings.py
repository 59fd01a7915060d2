"""Reminders on the case page: what is scheduled and what was sent, and a person's choice of days
or none. The page and the dispatch scan read the same rows, written from one rule
(`facts.reminder_schedule`)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from cases import selectors, services
from cases.exceptions import CaseError, NotPermitted
from cases.models import Membership, Reminder, Status
from tests.factories import (
    CaseFactory,
    MandateFactory,
    MembershipFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
AUGUST_31 = datetime(2027, 8, 31, 12, tzinfo=BRUSSELS)


@pytest.fixture
def sent_case(db):
    """A request to Amazon e-mailed on 31 August 2027: its answer is due Thursday 30 September."""
    requester = UserFactory(email="ada@example.org", full_name="Ada Lovelace", language="en")
    case = CaseFactory(
        requester=requester,
        vendor=VendorFactory(name="Amazon", country="LU"),
        status=Status.DRAFT,
        sent_on=None,
        received_on=None,
    )
    with time_machine.travel(AUGUST_31, tick=False):
        services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    return case


def pending(case) -> list[tuple[int, datetime]]:
    return [
        (r.offset_days, r.send_at)
        for r in selectors.reminders_due(now=datetime(2100, 1, 1, tzinfo=BRUSSELS)).filter(
            deadline__case=case
        )
    ]


# --- The service -----------------------------------------------------------------------------


def test_by_default_a_week_before_the_day_and_the_day_after_are_scheduled(sent_case):
    scheduled = selectors.case_reminders(sent_case)
    assert scheduled["enabled"] is True
    assert [r.offset_days for r in scheduled["scheduled"]] == [-7, 0, 1]
    assert scheduled["next"].send_at == datetime(2027, 9, 23, 9, tzinfo=BRUSSELS)
    assert scheduled["sent"] == []


def test_changed_days_change_the_next_reminder_and_what_the_scan_would_send(sent_case):
    with time_machine.travel(AUGUST_31, tick=False):
        services.case_set_reminders(
            case=sent_case, actor=sent_case.requester, enabled=True, offsets=[-14, -3]
        )
    scheduled = selectors.case_reminders(sent_case)
    assert [r.offset_days for r in scheduled["scheduled"]] == [-14, -3]
    assert scheduled["next"].send_at == datetime(2027, 9, 16, 9, tzinfo=BRUSSELS)
    # The dispatch scan reads the same rows: the old days are gone, the new ones are there.
    assert pending(sent_case) == [
        (-14, datetime(2027, 9, 16, 9, tzinfo=BRUSSELS)),
        (-3, datetime(2027, 9, 27, 9, tzinfo=BRUSSELS)),
    ]


def test_turning_reminders_off_stops_the_dispatch(sent_case):
    with time_machine.travel(AUGUST_31, tick=False):
        services.case_set_reminders(
            case=sent_case, actor=sent_case.requester, enabled=False, offsets=None
        )
    assert selectors.case_reminders(sent_case)["scheduled"] == []
    assert pending(sent_case) == []
    with time_machine.travel(datetime(2027, 10, 2, 10, tzinfo=BRUSSELS), tick=False):
        assert services.reminders_enqueue_due() == 0
        for reminder in Reminder.objects.filter(deadline__case=sent_case):
            assert services.reminder_deliver(reminder_id=reminder.pk) is False
    assert mail.outbox == []


def test_turning_them_on_again_brings_back_the_days_still_ahead(sent_case):
    with time_machine.travel(AUGUST_31, tick=False):
        services.case_set_reminders(
            case=sent_case, actor=sent_case.requester, enabled=False, offsets=None
        )
    with time_machine.travel(datetime(2027, 9, 25, 12, tzinfo=BRUSSELS), tick=False):
        services.case_set_reminders(
            case=sent_case, actor=sent_case.requester, enabled=True, offsets=None
        )
    # A week before (23 September) is past and overtaken by nothing yet due: it goes at once.
    assert [o for o, _at in pending(sent_case)] == [-7, 0, 1]


def test_a_sent_reminder_is_listed_with_its_date_and_stays_when_the_days_change(sent_case):
    week_before = Reminder.objects.get(deadline__case=sent_case, offset_days=-7)
    with time_machine.travel(datetime(2027, 9, 23, 9, 5, tzinfo=BRUSSELS), tick=False):
        assert services.reminder_deliver(reminder_id=week_before.pk) is True
        services.case_set_reminders(
            case=sent_case, actor=sent_case.requester, enabled=True, offsets=[0]
        )
    reminders = selectors.case_reminders(sent_case)
    assert [(r.offset_days, r.sent_at) for r in reminders["sent"]] == [
        (-7, datetime(2027, 9, 23, 9, 5, tzinfo=BRUSSELS))
    ]
    assert [r.offset_days for r in reminders["scheduled"]] == [0]


def test_days_too_far_from_a_deadline_or_none_at_all_are_refused(sent_case):
    with pytest.raises(CaseError):
        services.case_set_reminders(
            case=sent_case, actor=sent_case.requester, enabled=True, offsets=[-90]
        )
    with pytest.raises(CaseError):
        services.case_set_reminders(
            case=sent_case, actor=sent_case.requester, enabled=True, offsets=[]
        )
    sent_case.refresh_from_db()
    assert sent_case.reminders_enabled and sent_case.reminder_offsets is None


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Membership.Role.VIEWER, False),
        (Membership.Role.CASEWORKER, True),
        (Membership.Role.ADMIN, True),
    ],
)
def test_of_an_organisation_only_caseworkers_and_admins_may_change_them(sent_case, role, allowed):
    organisation = MandateFactory(case=sent_case).organisation
    member = MembershipFactory(organisation=organisation, role=role, user=UserFactory()).user
    if allowed:
        services.case_set_reminders(case=sent_case, actor=member, enabled=False, offsets=None)
        sent_case.refresh_from_db()
        assert sent_case.reminders_enabled is False
    else:
        with pytest.raises(NotPermitted):
            services.case_set_reminders(case=sent_case, actor=member, enabled=False, offsets=None)


def test_a_stranger_may_not_change_them(sent_case):
    with pytest.raises(NotPermitted):
        services.case_set_reminders(
            case=sent_case, actor=UserFactory(), enabled=False, offsets=None
        )
    sent_case.refresh_from_db()
    assert sent_case.reminders_enabled is True


# --- The page --------------------------------------------------------------------------------


def test_the_case_page_shows_the_next_reminder_and_those_sent(client, sent_case):
    week_before = Reminder.objects.get(deadline__case=sent_case, offset_days=-7)
    with time_machine.travel(datetime(2027, 9, 23, 9, 5, tzinfo=BRUSSELS), tick=False):
        services.reminder_deliver(reminder_id=week_before.pk)
    with time_machine.travel(datetime(2027, 9, 24, 12, tzinfo=BRUSSELS), tick=False):
        client.force_login(sent_case.requester)  # inside: a session from today ends before 2027
        page = client.get(reverse("cases:case_detail", args=[sent_case.pk])).content.decode()
    next_line = page.split('id="next-reminder"')[1].split("</p>")[0]
    assert "30 September 2027" in next_line and "on the day" in next_line
    sent = page.split('id="reminders-sent"')[1].split("</ul>")[0]
    assert "23 September 2027" in sent and "7 days before" in sent
    assert 'action="{}"'.format(reverse("cases:case_reminders", args=[sent_case.pk])) in page


def test_the_form_changes_the_days_and_the_page_shows_the_new_next_reminder(client, sent_case):
    url = reverse("cases:case_reminders", args=[sent_case.pk])
    with time_machine.travel(AUGUST_31, tick=False):
        client.force_login(sent_case.requester)
        response = client.post(url, {"enabled": "on", "offsets": ["-3"]})
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
    assert "27 September 2027" in page.split('id="next-reminder"')[1].split("</p>")[0]
    assert "3 days before" in page


def test_the_form_turns_reminders_off(client, sent_case):
    url = reverse("cases:case_reminders", args=[sent_case.pk])
    with time_machine.travel(AUGUST_31, tick=False):
        client.force_login(sent_case.requester)
        response = client.post(url, {"offsets": ["-7", "0"]})
        assert response.status_code == 302
        page = client.get(reverse("cases:case_detail", args=[sent_case.pk])).content.decode()
    sent_case.refresh_from_db()
    assert sent_case.reminders_enabled is False
    assert pending(sent_case) == []
    assert "Reminders are off for this case" in page


def test_the_form_refuses_reminders_on_without_a_day_or_an_unknown_day(client, sent_case):
    client.force_login(sent_case.requester)
    url = reverse("cases:case_reminders", args=[sent_case.pk])
    empty = client.post(url, {"enabled": "on"})
    assert empty.status_code == 400
    assert "Choose at least one day, or turn reminders off." in empty.content.decode()
    odd = client.post(url, {"enabled": "on", "offsets": ["-45"]})
    assert odd.status_code == 400
    sent_case.refresh_from_db()
    assert sent_case.reminder_offsets is None and sent_case.reminders_enabled


def test_a_viewer_sees_the_reminders_but_no_form_and_may_not_post(client, sent_case):
    organisation = MandateFactory(case=sent_case).organisation
    viewer = MembershipFactory(
        organisation=organisation, role=Membership.Role.VIEWER, user=UserFactory()
    ).user
    client.force_login(viewer)
    page = client.get(reverse("cases:case_detail", args=[sent_case.pk])).content.decode()
    assert 'id="next-reminder"' in page and 'id="reminder-settings"' not in page
    url = reverse("cases:case_reminders", args=[sent_case.pk])
    assert client.post(url, {"offsets": ["0"]}).status_code == 403
    sent_case.refresh_from_db()
    assert sent_case.reminders_enabled is True


def test_another_persons_case_answers_404(client, sent_case):
    client.force_login(UserFactory())
    url = reverse("cases:case_reminders", args=[sent_case.pk])
    assert client.post(url, {"offsets": ["0"]}).status_code == 404


@pytest.mark.parametrize(
    ("language", "heading", "when"),
    [("fr", "Rappels", "7 jours avant"), ("de", "Erinnerungen", "7 Tage vorher")],
)
def test_the_reminders_read_in_french_and_german(client, sent_case, language, heading, when):
    client.force_login(sent_case.requester)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the browser's choice wins
    with translation.override(language):
        page = client.get(
            reverse("cases:case_detail", args=[sent_case.pk]), HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
    section = page.split('id="reminders"')[1]
    assert heading in section
    assert when in section


def test_the_api_shows_the_reminders_read_only(client, sent_case):
    client.force_login(sent_case.requester)
    body = client.get(f"/api/v1/cases/{sent_case.pk}/").json()
    reminders = body["reminders"]
    assert reminders["enabled"] is True and reminders["days"] == [-7, 0, 1]
    assert reminders["next_at"].startswith("2027-09-23T09:00")
    assert [r["offset_days"] for r in reminders["scheduled"]] == [-7, 0, 1]
    assert reminders["scheduled"][0]["deadline_kind"] == "response"
    assert reminders["sent"] == []


# --- The rule itself -------------------------------------------------------------------------


class _Case:
    def __init__(self, *, status="awaiting_response", enabled=True, offsets=None) -> None:
        self.status, self.reminders_enabled, self.reminder_offsets = status, enabled, offsets


class _Clock:
    def __init__(self, pk=1, kind="response", state="open", paused_since=None) -> None:
        self.pk, self.kind, self.state, self.paused_since = pk, kind, state, paused_since
        self.due_on = date(2027, 9, 30)


def test_the_rule_reminds_of_running_clocks_only_at_the_chosen_days():
    from cases.facts import reminder_schedule

    now = datetime(2027, 9, 1, tzinfo=BRUSSELS)
    assert sorted(reminder_schedule(_Case(offsets=[-3, 0]), [_Clock()], now=now)) == [
        (1, -3),
        (1, 0),
    ]
    # Off, closed, met, paused for identity, or a kind nobody is reminded of: nothing.
    assert reminder_schedule(_Case(enabled=False), [_Clock()], now=now) == {}
    assert reminder_schedule(_Case(status="closed"), [_Clock()], now=now) == {}
    assert reminder_schedule(_Case(), [_Clock(state="met")], now=now) == {}
    assert reminder_schedule(_Case(), [_Clock(paused_since=date(2027, 9, 1))], now=now) == {}
    assert reminder_schedule(_Case(), [_Clock(kind="extension_notice")], now=now) == {}


def test_a_reminder_overtaken_by_a_later_one_already_due_is_left_out():
    from cases.facts import reminder_schedule

    # On 1 October at noon the day-after reminder (9:00) is due: "7 days before" is pointless.
    now = datetime(2027, 10, 1, 12, tzinfo=BRUSSELS)
    assert sorted(reminder_schedule(_Case(), [_Clock()], now=now)) == [(1, 1)]
