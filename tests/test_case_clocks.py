"""Clocks stored on cases by the services: derived from events, idempotent, with their reminders."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import facts, selectors, services
from cases.exceptions import ActionNotAvailable, CaseError, InvalidDates
from cases.models import CaseEvent, Deadline, EventKind, Incident, Reminder, Status
from tests.factories import AuthorityFactory, CaseFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def amazon(db):
    return VendorFactory(name="Amazon", country="LU", subdivision="")


@pytest.fixture
def case(amazon):
    return CaseFactory(vendor=amazon, status=Status.DRAFT, sent_on=None, received_on=None)


def deadline(case, key="response") -> Deadline:
    return Deadline.objects.get(case=case, key=key)


def pending(case) -> list[tuple[str, int]]:
    return sorted(
        (r.deadline.key, r.offset_days)
        for r in Reminder.objects.filter(
            deadline__case=case, sent_at__isnull=True, cancelled_at__isnull=True
        )
    )


@time_machine.travel(datetime(2027, 8, 31, 12, tzinfo=BRUSSELS), tick=False)
def test_a_request_sent_by_email_starts_the_one_month_clock_with_three_reminders(case):
    services.case_mark_sent(
        case=case, actor=case.requester, sent_on=date(2027, 8, 31), channel="email"
    )

    case.refresh_from_db()
    assert case.status == Status.AWAITING_RESPONSE
    assert case.received_on == date(2027, 8, 31)
    assert deadline(case).due_on == date(2027, 9, 30)  # EDPB's own example; a Thursday
    reminders = Reminder.objects.filter(deadline__case=case, deadline__key="response")
    assert sorted((r.offset_days, r.send_at) for r in reminders) == [
        (-7, datetime(2027, 9, 23, 9, tzinfo=BRUSSELS)),
        (0, datetime(2027, 9, 30, 9, tzinfo=BRUSSELS)),
        (1, datetime(2027, 10, 1, 9, tzinfo=BRUSSELS)),
    ]
    assert pending(case) == [("response", -7), ("response", 0), ("response", 1)]


@time_machine.travel(datetime(2027, 8, 31, 12, tzinfo=BRUSSELS), tick=False)
def test_recomputing_a_case_twice_changes_nothing_and_duplicates_nothing(case):
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    before = list(Deadline.objects.filter(case=case).values_list("pk", "key", "due_on", "state"))
    reminders_before = list(
        Reminder.objects.filter(deadline__case=case).values_list("pk", "send_at")
    )

    services.deadlines_refresh(case=case)
    services.deadlines_refresh(case=case)

    assert (
        list(Deadline.objects.filter(case=case).values_list("pk", "key", "due_on", "state"))
        == before
    )
    assert list(Reminder.objects.filter(deadline__case=case).values_list("pk", "send_at")) == (
        reminders_before
    )


@time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=BRUSSELS), tick=False)
def test_a_posted_request_starts_its_clock_only_on_delivery(case):
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 2, 22), channel="post")
    case.refresh_from_db()
    assert case.status == Status.SENT
    assert not Deadline.objects.filter(case=case).exists()

    services.case_record_delivery(case=case, actor=None, delivered_on=date(2027, 2, 26))
    case.refresh_from_db()
    assert case.status == Status.AWAITING_RESPONSE
    # 26 February 2027 -> 26 March 2027, a Friday.
    assert deadline(case).due_on == date(2027, 3, 26)


@time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=BRUSSELS), tick=False)
def test_dates_that_cannot_be_are_refused_and_nothing_is_half_saved(case):
    with pytest.raises(InvalidDates) as error:
        services.case_mark_sent(
            case=case,
            actor=None,
            sent_on=date(2027, 2, 22),
            channel="post",
            delivered_on=date(2027, 2, 20),
        )
    assert error.value.field == "delivered_on"
    with pytest.raises(InvalidDates):
        services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 3, 2), channel="email")
    case.refresh_from_db()
    assert case.status == Status.DRAFT and case.sent_on is None
    assert not CaseEvent.objects.filter(case=case).exclude(kind=EventKind.CREATED).exists()

    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 2, 22), channel="email")
    with pytest.raises(InvalidDates):
        services.case_record_response(case=case, actor=None, received_on=date(2027, 2, 21))
    with pytest.raises(InvalidDates):
        services.case_identity_requested(case=case, actor=None, requested_on=date(2027, 2, 25))
        services.case_identity_provided(case=case, actor=None, provided_on=date(2027, 2, 24))
    case.refresh_from_db()
    assert case.status == Status.PAUSED_FOR_IDENTITY
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.IDENTITY_PROVIDED).exists()


@time_machine.travel(datetime(2027, 2, 15, 12, tzinfo=BRUSSELS), tick=False)
def test_an_identity_pause_stops_the_reminders_and_moves_the_date_when_it_ends(amazon):
    case = CaseFactory(vendor=VendorFactory(country="IE"), status=Status.DRAFT, sent_on=None)
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 2, 1), channel="email")
    assert deadline(case).due_on == date(2027, 3, 1)

    services.case_identity_requested(case=case, actor=None, requested_on=date(2027, 2, 10))
    assert deadline(case).paused_since == date(2027, 2, 10)
    assert pending(case) == []

    services.case_identity_provided(case=case, actor=None, provided_on=date(2027, 2, 15))
    case.refresh_from_db()
    assert case.status == Status.AWAITING_RESPONSE
    # Five days paused: counted from 6 February -> 6 March 2027 (Saturday) -> Monday 8 March.
    assert deadline(case).due_on == date(2027, 3, 8)
    assert deadline(case).paused_since is None
    assert pending(case) == [("response", -7), ("response", 0), ("response", 1)]
    assert Reminder.objects.get(deadline__case=case, offset_days=0).send_at == datetime(
        2027, 3, 8, 9, tzinfo=BRUSSELS
    )


@time_machine.travel(datetime(2027, 9, 20, 12, tzinfo=BRUSSELS), tick=False)
def test_an_extension_in_time_swaps_the_reminders_to_the_three_month_date(case):
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    services.case_extension_notified(
        case=case, actor=None, notified_on=date(2027, 9, 20), reason="Many recordings"
    )
    assert deadline(case).state == "met"
    assert deadline(case, "extended_response").due_on == date(2027, 11, 30)
    assert pending(case) == [
        ("extended_response", -7),
        ("extended_response", 0),
        ("extended_response", 1),
    ]
    event = CaseEvent.objects.get(case=case, kind=EventKind.EXTENSION_NOTIFIED)
    assert event.data["reason"] == "Many recordings"
    assert not Incident.objects.filter(case=case).exists()


@time_machine.travel(datetime(2027, 10, 4, 12, tzinfo=BRUSSELS), tick=False)
def test_an_extension_notified_too_late_records_an_incident_once(case):
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    services.case_extension_notified(
        case=case, actor=None, notified_on=date(2027, 10, 4), reason="-"
    )
    incident = Incident.objects.get(case=case)
    assert incident.kind == "late_extension_notice"
    assert "2027-09-30" in incident.description
    # A second notice on an extended case is not an action the table allows (the page never
    # offered it); the service itself now refuses it, and the incident stays single.
    with pytest.raises(ActionNotAvailable):
        services.case_extension_notified(
            case=case, actor=None, notified_on=date(2027, 10, 4), reason="-"
        )
    assert Incident.objects.filter(case=case).count() == 1


def test_an_extension_needs_a_reason(case):
    services.case_mark_sent(case=case, actor=None, sent_on=date(2025, 8, 31), channel="email")
    with pytest.raises(CaseError) as error:
        services.case_extension_notified(
            case=case, actor=None, notified_on=date(2025, 9, 2), reason=" "
        )
    assert error.value.field == "reason"


@time_machine.travel(datetime(2027, 9, 10, 12, tzinfo=BRUSSELS), tick=False)
def test_an_answer_meets_the_clock_and_cancels_its_pending_reminders(case):
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    services.case_record_response(
        case=case, actor=None, received_on=date(2027, 9, 10), missing_items=["annotations", "audio"]
    )
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert case.outcome == "partial"
    assert case.missing_items == ["audio", "annotations"]  # in the order of Article 15
    assert deadline(case).state == "met"
    assert pending(case) == []
    assert Reminder.objects.filter(deadline__case=case, cancelled_at__isnull=False).count() == 3


@time_machine.travel(datetime(2027, 9, 10, 12, tzinfo=BRUSSELS), tick=False)
def test_closing_a_case_cancels_every_pending_reminder(case):
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    services.case_close(case=case, actor=None, outcome="withdrawn")
    assert pending(case) == []
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_a_passed_deadline_is_marked_missed_once_with_one_event(case):
    with time_machine.travel(datetime(2027, 8, 31, 12, tzinfo=BRUSSELS), tick=False):
        services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    with time_machine.travel(datetime(2027, 10, 2, 12, tzinfo=BRUSSELS), tick=False):
        assert services.deadlines_mark_missed() >= 1
        assert services.deadlines_mark_missed() == 0
        services.deadlines_refresh(case=case)
    assert deadline(case).state == "missed"
    missed = CaseEvent.objects.filter(case=case, kind=EventKind.DEADLINE_MISSED)
    assert missed.count() == 2  # the response and the last day to notify an extension
    # The day-after reminder survives a missed deadline: it is the one that says "act now".
    assert ("response", 1) in pending(case)


@time_machine.travel(datetime(2027, 12, 3, 12, tzinfo=BRUSSELS), tick=False)
def test_a_reminder_letter_and_a_complaint_start_their_own_clocks(case):
    cnil = AuthorityFactory(short_name="CNIL", country="FR")
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    services.case_record_reminder_sent(case=case, actor=None, sent_on=date(2027, 12, 3))
    admonition = Deadline.objects.get(case=case, kind="admonition")
    assert admonition.due_on == date(2027, 12, 17)
    case.refresh_from_db()
    assert case.status == Status.ESCALATED

    with time_machine.travel(datetime(2028, 4, 14, 12, tzinfo=BRUSSELS), tick=False):
        services.case_record_complaint_filed(
            case=case, actor=None, filed_on=date(2028, 4, 14), authority=cnil
        )
    # 14 July 2028 is France's national day (a Friday) -> Monday 17 July 2028.
    assert Deadline.objects.get(case=case, kind="authority_progress").due_on == date(2028, 7, 17)


@time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=BRUSSELS), tick=False)
def test_reporting_a_misdirected_export_to_the_vendor_starts_no_clock_only_a_date_to_know(case):
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 1, 4), channel="email")
    services.incident_record(
        case=case,
        actor=None,
        kind="misdirected_export",
        discovered_on=date(2027, 2, 26),
        reported_to_vendor_on=date(2027, 3, 1),
        records_affected=1700,
        data_categories=["audio", "transcripts"],
    )
    # Art. 33(1), 33(4): owed to the authority, never "missed" towards the person.
    assert not Deadline.objects.filter(case=case, kind="breach_notification").exists()
    # Told on Monday 1 March 2027 (end of that day, UTC) + 72 hours: Thursday 4 March.
    assert facts.breach_notice_due(Incident.objects.get(case=case)) == date(2027, 3, 4)
    event = CaseEvent.objects.get(case=case, kind=EventKind.INCIDENT_RECORDED)
    assert event.data["records_affected"] == 1700


def test_an_incident_reported_before_it_was_discovered_is_refused(case):
    with pytest.raises(InvalidDates):
        services.incident_record(
            case=case,
            actor=None,
            kind="misdirected_export",
            discovered_on=date(2025, 2, 26),
            reported_to_vendor_on=date(2025, 2, 20),
        )
    assert not Incident.objects.exists()


@time_machine.travel(datetime(2027, 10, 20, 12, tzinfo=BRUSSELS), tick=False)
def test_a_request_recorded_late_gets_only_the_reminder_that_still_makes_sense(case):
    # Due 30 September; recorded on 20 October: the week-before and on-the-day reminders are moot.
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    assert pending(case) == [("response", 1)]


def test_creating_a_case_records_who_asked_what(amazon):
    user = UserFactory()
    case = services.case_create(
        requester=user,
        vendor=amazon,
        requester_name="Ada Lovelace",
        requester_email="ADA@example.org",
        requester_country="de",
        requested_items=["audio", "transcripts"],
    )
    assert case.requester_email == "ada@example.org"
    assert case.requester_country == "DE"
    assert case.status == Status.DRAFT
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CREATED).count() == 1
    with pytest.raises(CaseError):
        services.case_create(
            requester=user,
            vendor=amazon,
            requester_name="A",
            requester_email="a@example.org",
            requester_country="DE",
            requested_items=["nonsense"],
        )


def test_paused_clocks_move_on_each_day_the_vendor_waits():
    case = CaseFactory(vendor=VendorFactory(country="IE"), status=Status.DRAFT, sent_on=None)
    with time_machine.travel(datetime(2027, 2, 10, 12, tzinfo=BRUSSELS), tick=False):
        services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 2, 1), channel="email")
        services.case_identity_requested(case=case, actor=None, requested_on=date(2027, 2, 10))
    first = deadline(case).due_on
    with time_machine.travel(datetime(2027, 2, 20, 12, tzinfo=BRUSSELS), tick=False):
        services.deadlines_refresh_paused()
    assert deadline(case).due_on > first
    assert deadline(case).due_on - first >= timedelta(days=8)


def test_reminders_go_out_at_the_configured_hour(settings):
    settings.REMINDER_SEND_HOUR = 7
    assert services.reminder_send_at(date(2027, 3, 5), -7) == datetime.combine(
        date(2027, 2, 26), time(7), tzinfo=BRUSSELS
    )


def test_a_closed_case_has_nothing_left_to_miss(case):
    with time_machine.travel(datetime(2027, 8, 31, 12, tzinfo=BRUSSELS), tick=False):
        services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
        services.case_close(case=case, actor=None, outcome="withdrawn")
    with time_machine.travel(datetime(2027, 10, 5, 12, tzinfo=BRUSSELS), tick=False):
        assert services.deadlines_mark_missed() == 0
        assert not selectors.overdue_deadlines().filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.DEADLINE_MISSED).exists()


def test_overdue_is_a_query_on_deadlines(case):
    with time_machine.travel(datetime(2027, 8, 31, 12, tzinfo=BRUSSELS), tick=False):
        services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    assert not selectors.overdue_deadlines(today=date(2027, 9, 30)).filter(case=case).exists()
    overdue = selectors.overdue_deadlines(today=date(2027, 10, 1)).filter(case=case)
    assert {d.key for d in overdue} == {"response"}


@time_machine.travel(datetime(2027, 11, 5, 12, tzinfo=BRUSSELS), tick=False)
def test_history_entered_after_the_fact_tells_of_a_missed_deadline_once(case):
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    services.case_identity_requested(case=case, actor=None, requested_on=date(2027, 9, 2))
    services.case_identity_provided(case=case, actor=None, provided_on=date(2027, 9, 2))
    missed = CaseEvent.objects.filter(
        case=case, kind=EventKind.DEADLINE_MISSED, data__deadline_kind="response"
    )
    assert missed.count() == 1
    assert deadline(case).state == "missed"


# --- Disputed identity pauses (Art. 12(6)), stale "missed" entries, the authority's answer ---


@time_machine.travel(datetime(2027, 2, 10, 12, tzinfo=BRUSSELS), tick=False)
def test_recording_an_excessive_identity_demand_counts_the_clocks_without_the_pause(case):
    # Received Friday 29 Jan 2027 by Amazon (LU); asked for an ID card on 1 Feb, the copy
    # reached it on 3 Feb. Counting the pause: 28 Feb + 2 = Tuesday 2 March.
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 1, 29), channel="email")
    services.case_identity_requested(case=case, actor=None, requested_on=date(2027, 2, 1))
    services.case_identity_provided(case=case, actor=None, provided_on=date(2027, 2, 3))
    assert deadline(case).due_on == date(2027, 3, 2)
    assert deadline(case).due_on_with_disputed_pause is None

    services.incident_record(
        case=case, actor=None, kind="excessive_identity_demand", discovered_on=date(2027, 2, 4)
    )
    # Disputed: 28 Feb 2027 is a Sunday -> Monday 1 March; the vendor's date is kept apart.
    assert deadline(case).due_on == date(2027, 3, 1)
    assert deadline(case).due_on_with_disputed_pause == date(2027, 3, 2)
    assert deadline(case, "extension_notice").due_on_with_disputed_pause == date(2027, 3, 2)


@time_machine.travel(datetime(2027, 3, 20, 12, tzinfo=BRUSSELS), tick=False)
def test_a_disputed_open_identity_demand_does_not_pause_the_clock_or_its_reminders(case):
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 3, 1), channel="email")
    services.case_identity_requested(case=case, actor=None, requested_on=date(2027, 3, 10))
    assert deadline(case).paused_since == date(2027, 3, 10)
    assert pending(case) == []
    services.incident_record(
        case=case, actor=None, kind="excessive_identity_demand", discovered_on=date(2027, 3, 12)
    )
    clock = deadline(case)
    # Due Thursday 1 April 2027; counting the 10 days so far: Sunday 11 April -> Monday 12.
    assert (clock.due_on, clock.paused_since) == (date(2027, 4, 1), None)
    assert clock.due_on_with_disputed_pause == date(2027, 4, 12)
    assert ("response", -7) in pending(case)


@pytest.fixture
def microsoft(db):
    return VendorFactory(name="Microsoft", country="IE", subdivision="")


def test_an_extension_recorded_after_the_scan_marked_the_answer_missed_meets_it(microsoft):
    # Received Tuesday 31 August 2027 in Ireland: due Thursday 30 September. The scan of
    # 5 October marks it missed; then the person records the extension notified on 20 September.
    case = CaseFactory(vendor=microsoft, status=Status.DRAFT, sent_on=None, received_on=None)
    with time_machine.travel(datetime(2027, 8, 31, 12, tzinfo=BRUSSELS), tick=False):
        services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    with time_machine.travel(datetime(2027, 10, 5, 12, tzinfo=BRUSSELS), tick=False):
        services.deadlines_mark_missed()
        assert deadline(case).state == "missed"
        services.case_extension_notified(
            case=case, actor=None, notified_on=date(2027, 9, 20), reason="many recordings"
        )
        clock = deadline(case)
        assert (clock.state, clock.met_on, clock.missed_at) == ("met", date(2027, 9, 20), None)
        page = selectors.case_page(case)
        events = facts.facts_of(page["events"])
        clocks_ = [c["deadline"] for c in page["clocks"]]
        missed = [e for e in page["events"] if e.kind == EventKind.DEADLINE_MISSED]
        assert missed  # the timeline is append-only ...
        # ... but none of its "missed" entries is still true.
        today = date(2027, 10, 5)
        assert not [
            e for e in missed if facts.missed_event_stands(e, clocks_, events=events, today=today)
        ]


@time_machine.travel(datetime(2027, 11, 5, 12, tzinfo=BRUSSELS), tick=False)
def test_a_clock_missed_by_the_scan_and_re_dated_by_a_later_pause_is_missed_on_its_new_day(
    microsoft,
):
    # Due Thursday 30 September 2027 (IE); missed. Then a pause of 2 to 7 September is recorded
    # (5 days): 30 September + 5 = Tuesday 5 October, also past: missed again, for that day.
    case = CaseFactory(vendor=microsoft, status=Status.DRAFT, sent_on=None, received_on=None)
    services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    assert deadline(case).state == "missed"
    services.case_identity_requested(case=case, actor=None, requested_on=date(2027, 9, 2))
    services.case_identity_provided(case=case, actor=None, provided_on=date(2027, 9, 7))
    clock = deadline(case)
    assert (clock.due_on, clock.state) == (date(2027, 10, 5), "missed")
    told = CaseEvent.objects.filter(
        case=case, kind=EventKind.DEADLINE_MISSED, data__deadline_kind="response"
    )
    assert sorted(e.data["due_on"] for e in told) == ["2027-09-30", "2027-10-05"]
    events = facts.facts_of(case.events.all())
    standing = [
        e.data["due_on"]
        for e in told
        if facts.missed_event_stands(e, [clock], events=events, today=date(2027, 11, 5))
    ]
    assert standing == ["2027-10-05"]


def test_an_acknowledgement_from_the_authority_leaves_its_three_months_running(case):
    cnil = AuthorityFactory(short_name="CNIL", country="FR", subdivision="")
    with time_machine.travel(datetime(2028, 4, 20, 12, tzinfo=BRUSSELS), tick=False):
        services.case_mark_sent(case=case, actor=None, sent_on=date(2028, 1, 3), channel="email")
        services.case_record_complaint_filed(
            case=case, actor=None, filed_on=date(2028, 4, 14), authority=cnil
        )
        services.case_record_authority_acknowledgement(
            case=case, actor=None, acknowledged_on=date(2028, 4, 18), note="dossier n° 123"
        )
        assert CaseEvent.objects.filter(case=case, kind=EventKind.AUTHORITY_ACKNOWLEDGED).exists()
        clock = Deadline.objects.get(case=case, kind="authority_progress")
        # 14 July 2028 is France's national day (a Friday) -> Monday 17 July 2028.
        assert (clock.due_on, clock.state, clock.met_on) == (date(2028, 7, 17), "open", None)
    with time_machine.travel(datetime(2028, 7, 18, 12, tzinfo=BRUSSELS), tick=False):
        services.deadlines_mark_missed()
        clock.refresh_from_db()
        assert clock.state == "missed"
        events = facts.facts_of(case.events.all())
        assert facts.clock_state(clock, events=events, today=date(2028, 7, 18)) == "missed"
        # News of progress, even late, is recorded as such (and meets nothing in time).
        services.case_record_authority_answer(
            case=case, actor=None, kind="progress", replied_on=date(2028, 7, 18)
        )
        clock.refresh_from_db()
        assert (clock.state, clock.met_on) == ("missed", date(2028, 7, 18))


def test_the_authority_answer_needs_a_complaint_first(case):
    with time_machine.travel(datetime(2028, 4, 20, 12, tzinfo=BRUSSELS), tick=False):
        services.case_mark_sent(case=case, actor=None, sent_on=date(2028, 1, 3), channel="email")
        with pytest.raises(ActionNotAvailable):
            services.case_record_authority_acknowledgement(
                case=case, actor=None, acknowledged_on=date(2028, 4, 18)
            )


def test_a_missed_clock_that_a_dispute_moves_to_another_past_day_is_missed_again_on_that_day(case):
    # Received Friday 29 Jan 2027 (LU); paused 1 to 3 Feb: due Tuesday 2 March, missed by the
    # scan of 10 March. The person then records the demand as excessive: due Monday 1 March, and
    # the timeline says so (the entry for 2 March no longer stands).
    with time_machine.travel(datetime(2027, 2, 10, 12, tzinfo=BRUSSELS), tick=False):
        services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 1, 29), channel="email")
        services.case_identity_requested(case=case, actor=None, requested_on=date(2027, 2, 1))
        services.case_identity_provided(case=case, actor=None, provided_on=date(2027, 2, 3))
    with time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=BRUSSELS), tick=False):
        services.deadlines_mark_missed()
        services.incident_record(
            case=case, actor=None, kind="excessive_identity_demand", discovered_on=date(2027, 3, 9)
        )
    clock = deadline(case)
    assert (clock.due_on, clock.state) == (date(2027, 3, 1), "missed")
    told = CaseEvent.objects.filter(
        case=case, kind=EventKind.DEADLINE_MISSED, data__deadline_kind="response"
    )
    events = facts.facts_of(case.events.all())
    standing = [
        e.data["due_on"]
        for e in told
        if facts.missed_event_stands(e, [clock], events=events, today=date(2027, 3, 10))
    ]
    assert standing == ["2027-03-01"]
