"""cases.facts: each rule on its own with real dates, and each rule against its SQL twin on cases
built through the services in every state (PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import clocks, deadlines, facts, services
from cases.models import Case, Deadline, DeadlineKind, DeadlineState, EventKind, Status
from tests.factories import AuthorityFactory, CaseFactory, VendorFactory

BRUSSELS = ZoneInfo("Europe/Brussels")
MET, PENDING, MISSED = facts.ClockState.MET, facts.ClockState.PENDING, facts.ClockState.MISSED


def response_clock(due_on: date, **kwargs) -> clocks.ClockSpec:
    return clocks.ClockSpec(DeadlineKind.RESPONSE, DeadlineKind.RESPONSE, due_on, **kwargs)


def fact(kind: str, on: date, ref: int = 0) -> clocks.Fact:
    return clocks.Fact(kind=kind, on=on, ref=ref)


# --- The rules alone -------------------------------------------------------------------------


def test_a_clock_due_at_a_month_end_on_a_weekend_is_pending_until_the_next_working_day():
    # 31 January + one month is 28 February 2027, a Sunday: the last day is Monday 1 March.
    due = deadlines.response_due(date(2027, 1, 31), country="LU")
    assert due == date(2027, 3, 1)
    clock = response_clock(due)
    assert facts.clock_state(clock, events=(), today=date(2027, 2, 28)) == PENDING
    assert facts.clock_state(clock, events=(), today=date(2027, 3, 1)) == PENDING
    assert facts.clock_state(clock, events=(), today=date(2027, 3, 2)) == MISSED
    assert facts.clock_overdue(
        clock, events=(), today=date(2027, 3, 2), case_status=Status.AWAITING_RESPONSE
    )
    assert not facts.clock_overdue(
        clock, events=(), today=date(2027, 3, 1), case_status=Status.AWAITING_RESPONSE
    )


def test_a_clock_due_on_a_public_holiday_runs_to_the_next_working_day():
    # 23 June is Luxembourg's National Day (a Wednesday in 2027).
    due = deadlines.response_due(date(2027, 5, 23), country="LU")
    assert due == date(2027, 6, 24)
    clock = response_clock(due)
    assert facts.clock_state(clock, events=(), today=date(2027, 6, 24)) == PENDING
    assert facts.clock_state(clock, events=(), today=date(2027, 6, 25)) == MISSED


def test_an_answer_on_the_last_day_meets_the_clock_and_a_late_one_does_not():
    due = date(2027, 9, 30)
    on_time = [fact(EventKind.RESPONSE_RECEIVED, due)]
    late = [fact(EventKind.RESPONSE_RECEIVED, due + timedelta(days=1))]
    assert facts.clock_state(response_clock(due), events=on_time, today=due) == MET
    # As of a day before the answer came, the clock was still pending.
    assert facts.clock_state(response_clock(due), events=on_time, today=due - timedelta(1)) == (
        PENDING
    )
    assert facts.clock_state(response_clock(due), events=late, today=date(2027, 10, 5)) == MISSED
    # Answered, even late: nobody has to chase it any more.
    assert not facts.clock_unmet(response_clock(due), events=late)
    assert facts.clock_unmet(response_clock(due), events=())


def test_a_late_recorded_timely_extension_leaves_no_stale_missed():
    due = date(2027, 9, 30)
    scanned = response_clock(due, state=DeadlineState.MISSED)  # the nightly scan's verdict
    extension = [fact(EventKind.EXTENSION_NOTIFIED, date(2027, 9, 29))]  # entered on 4 October
    today = date(2027, 10, 4)
    assert facts.clock_state(scanned, events=(), today=today) == MISSED
    assert facts.clock_state(scanned, events=extension, today=today) == MET
    assert not facts.clock_unmet(scanned, events=extension)
    assert not facts.clock_overdue(
        scanned, events=extension, today=today, case_status=Status.EXTENDED
    )
    # A notice after the first month does not meet it.
    late_notice = [fact(EventKind.EXTENSION_NOTIFIED, date(2027, 10, 1))]
    assert facts.clock_state(scanned, events=late_notice, today=today) == MISSED


def test_a_paused_clock_is_pending_and_not_overdue_past_its_day():
    clock = response_clock(date(2027, 9, 30), paused_since=date(2027, 9, 20))
    today = date(2027, 10, 10)
    assert facts.clock_state(clock, events=(), today=today) == PENDING
    assert not facts.clock_overdue(clock, events=(), today=today, case_status=Status.SENT)


def test_the_extension_notice_day_can_be_missed_but_is_never_overdue():
    clock = clocks.ClockSpec(
        DeadlineKind.EXTENSION_NOTICE, DeadlineKind.EXTENSION_NOTICE, date(2027, 9, 30)
    )
    today = date(2027, 10, 1)
    assert facts.clock_state(clock, events=(), today=today) == MISSED
    assert not facts.clock_unmet(clock, events=())
    assert not facts.case_overdue(Status.AWAITING_RESPONSE, [clock], events=(), today=today)


def test_an_admonition_is_met_only_by_an_answer_after_its_reminder():
    reminder = fact(EventKind.REMINDER_SENT, date(2027, 10, 1), ref=7)
    clock = clocks.ClockSpec(DeadlineKind.ADMONITION, "admonition:7", date(2027, 10, 15))
    before = fact(EventKind.RESPONSE_RECEIVED, date(2027, 9, 20))
    after = fact(EventKind.RESPONSE_RECEIVED, date(2027, 10, 14))
    today = date(2027, 10, 20)
    assert facts.clock_state(clock, events=[before, reminder], today=today) == MISSED
    assert facts.clock_state(clock, events=[before, reminder, after], today=today) == MET


def test_nothing_is_due_or_overdue_on_a_closed_case():
    clock = response_clock(date(2027, 9, 30))
    today = date(2027, 12, 1)
    assert facts.case_overdue(Status.AWAITING_RESPONSE, [clock], events=(), today=today)
    assert not facts.case_overdue(Status.CLOSED, [clock], events=(), today=today)
    assert facts.next_due(Status.AWAITING_RESPONSE, [clock], events=()) == date(2027, 9, 30)
    assert facts.next_due(Status.CLOSED, [clock], events=()) is None


def test_what_an_answer_lacks_is_what_was_asked_for_and_not_ticked():
    requested = ["personal_data", "purposes", "recipients", "audio"]
    assert facts.missing_items(requested, ["purposes", "audio", "retention"]) == [
        "personal_data",
        "recipients",
    ]
    assert facts.missing_items(requested, requested) == []
    assert facts.missing_items(requested, []) == requested


# --- Python rule and SQL twin agree on cases in every state ----------------------------------


NOW = datetime(2027, 12, 15, 12, tzinfo=BRUSSELS)


def _build_cases_in_every_state() -> list[Case]:
    vendor = VendorFactory(country="LU", subdivision="")
    authority = AuthorityFactory()
    made: list[Case] = []

    def new() -> Case:
        case = CaseFactory(vendor=vendor, status=Status.DRAFT, sent_on=None, received_on=None)
        made.append(case)
        return case

    new()  # a draft: no clocks
    posted = new()
    services.case_mark_sent(case=posted, actor=None, sent_on=date(2027, 11, 2), channel="post")

    def sent(on: date) -> Case:
        case = new()
        services.case_mark_sent(case=case, actor=None, sent_on=on, channel="email")
        return case

    sent(date(2027, 12, 1))  # running, in time
    sent(date(2027, 8, 31))  # long past due, missed by the scan
    paused = sent(date(2027, 9, 1))
    services.case_identity_requested(case=paused, actor=None, requested_on=date(2027, 9, 10))
    resumed = sent(date(2027, 9, 1))
    services.case_identity_requested(case=resumed, actor=None, requested_on=date(2027, 9, 10))
    services.case_identity_provided(case=resumed, actor=None, provided_on=date(2027, 9, 20))
    extended = sent(date(2027, 9, 1))
    services.case_extension_notified(
        case=extended, actor=None, notified_on=date(2027, 9, 20), reason="many files"
    )
    late_extension = sent(date(2027, 8, 2))
    services.case_extension_notified(
        case=late_extension, actor=None, notified_on=date(2027, 9, 20), reason="-"
    )
    answered = sent(date(2027, 9, 1))
    services.case_record_response(
        case=answered, actor=None, received_on=date(2027, 9, 15), contains=["personal_data"]
    )
    answered_late = sent(date(2027, 8, 2))
    services.case_record_response(case=answered_late, actor=None, received_on=date(2027, 10, 1))
    reminded = sent(date(2027, 8, 2))
    services.case_record_reminder_sent(case=reminded, actor=None, sent_on=date(2027, 12, 1))
    reminded_answered = sent(date(2027, 8, 2))
    services.case_record_reminder_sent(
        case=reminded_answered, actor=None, sent_on=date(2027, 10, 1)
    )
    services.case_record_response(
        case=reminded_answered, actor=None, received_on=date(2027, 10, 10)
    )
    complained = sent(date(2027, 6, 1))
    services.case_record_complaint_filed(
        case=complained, actor=None, filed_on=date(2027, 8, 1), authority=authority
    )
    replied = sent(date(2027, 6, 1))
    services.case_record_complaint_filed(
        case=replied, actor=None, filed_on=date(2027, 8, 1), authority=authority
    )
    services.case_record_authority_reply(case=replied, actor=None, replied_on=date(2027, 9, 1))
    breach = sent(date(2027, 12, 1))
    services.incident_record(
        case=breach,
        actor=None,
        kind="misdirected_export",
        discovered_on=date(2027, 12, 10),
        reported_to_vendor_on=date(2027, 12, 10),
    )
    notified = sent(date(2027, 12, 1))
    services.incident_record(
        case=notified,
        actor=None,
        kind="misdirected_export",
        discovered_on=date(2027, 12, 10),
        reported_to_vendor_on=date(2027, 12, 10),
        authority_notified_on=date(2027, 12, 11),
    )
    closed = sent(date(2027, 8, 2))
    services.case_close(case=closed, actor=None)
    # A timely extension entered only after the scan had marked the clock missed.
    entered_late = sent(date(2027, 9, 1))
    services.deadlines_mark_missed(today=date(2027, 12, 15))
    services.case_extension_notified(
        case=entered_late, actor=None, notified_on=date(2027, 9, 30), reason="recorded late"
    )
    services.deadlines_mark_missed(today=date(2027, 12, 15))
    return made


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_each_rule_and_its_sql_twin_agree_on_cases_in_every_state():
    cases = _build_cases_in_every_state()
    ids = [c.pk for c in cases]
    by_case = {
        c.pk: (c, list(Deadline.objects.filter(case=c)), facts.facts_of(c.events.all()))
        for c in Case.objects.filter(pk__in=ids)
    }
    kinds = {d.kind for _c, clocks_, _e in by_case.values() for d in clocks_}
    # Every kind of clock is in the sample; the 72 hours of Art. 33(1) are no clock any more.
    assert kinds == set(DeadlineKind.values) - {DeadlineKind.BREACH_NOTIFICATION}
    clocks_all = Deadline.objects.filter(case__in=ids)
    days = [date(2027, 9, 1), date(2027, 10, 1), date(2027, 10, 2), date(2027, 12, 15)]
    days += [date(2028, 6, 1)]
    for today in days:
        sql_state = dict(clocks_all.annotate(s=facts.clock_state_sql(today)).values_list("pk", "s"))
        sql_overdue = set(clocks_all.filter(facts.clock_overdue_q(today)).values_list("pk"))
        sql_unmet = set(clocks_all.filter(facts.UNMET).values_list("pk"))
        sql_case_overdue = set(
            Case.objects.filter(pk__in=ids).filter(facts.case_overdue_q(today)).values_list("pk")
        )
        sql_next_due = dict(
            Case.objects.filter(pk__in=ids).annotate(n=facts.next_due_sql()).values_list("pk", "n")
        )
        # what the services stored (deadlines_refresh) is what the rule says
        assert dict(Case.objects.filter(pk__in=ids).values_list("pk", "next_due_on")) == (
            sql_next_due
        )
        for pk, (case, case_clocks, events) in by_case.items():
            for d in case_clocks:
                where = (case.status, d.key, d.state, d.met_on, d.due_on, today)
                assert facts.clock_state(d, events=events, today=today) == sql_state[d.pk], where
                assert facts.clock_unmet(d, events=events) == ((d.pk,) in sql_unmet), where
                overdue = facts.clock_overdue(
                    d, events=events, today=today, case_status=case.status
                )
                assert overdue == ((d.pk,) in sql_overdue), where
            assert facts.case_overdue(case.status, case_clocks, events=events, today=today) == (
                (pk,) in sql_case_overdue
            ), (case.status, today)
            assert facts.next_due(case.status, case_clocks, events=events) == sql_next_due[pk]
            assert facts.case_overdue_by_next_due(case.status, sql_next_due[pk], today=today) == (
                (pk,) in sql_case_overdue
            )
    # The sample has every state of a clock, and overdue and calm cases, as of today.
    today_states = dict(
        clocks_all.annotate(s=facts.clock_state_sql(NOW.date())).values_list("pk", "s")
    )
    assert set(today_states.values()) == {MET, PENDING, MISSED}
    entered_late = cases[-1]
    response = Deadline.objects.get(case=entered_late, kind=DeadlineKind.RESPONSE)
    assert response.state == DeadlineState.MET
