"""The clocks a case has, derived from its facts (cases/clocks.py). Pure: no database."""

from __future__ import annotations

from datetime import date

from cases.clocks import Calendar, CaseFacts, Fact, case_clocks, identity_pauses

LU = Calendar("LU")
IE = Calendar("IE")


def clocks_by_key(facts: CaseFacts) -> dict[str, object]:
    return {c.key: c for c in case_clocks(facts)}


def test_a_case_the_vendor_has_not_received_has_no_clocks():
    assert case_clocks(CaseFacts(received_on=None, vendor_calendar=LU)) == []


def test_a_received_request_gets_a_response_clock_and_an_extension_notice_clock_on_the_same_day():
    # EDPB example: 5 March -> 5 April; in 2027 that is a Monday and no holiday in Luxembourg.
    clocks = clocks_by_key(CaseFacts(received_on=date(2027, 3, 5), vendor_calendar=LU))
    assert clocks["response"].due_on == date(2027, 4, 5)
    assert clocks["extension_notice"].due_on == date(2027, 4, 5)
    assert clocks["response"].state == "open"
    assert "extended_response" not in clocks


def test_an_answer_in_time_meets_the_response_clock():
    facts = [Fact("response_received", date(2027, 3, 20), 1)]
    clocks = clocks_by_key(CaseFacts(date(2027, 3, 5), LU, facts))
    assert clocks["response"].state == "met"
    assert clocks["response"].met_on == date(2027, 3, 20)
    assert clocks["extension_notice"].state == "met"


def test_a_late_answer_leaves_the_response_clock_missed():
    facts = [Fact("response_received", date(2027, 5, 2), 1)]
    clocks = clocks_by_key(CaseFacts(date(2027, 3, 5), LU, facts))
    assert clocks["response"].state == "missed"
    # Nor was an extension notified in the first month: that clock is closed, not left open.
    assert clocks["extension_notice"].state == "missed"


def test_an_extension_notified_in_time_moves_the_answer_to_three_months_after_receipt():
    # Received 31 August 2027 in Ireland; 30 November 2027 is a Tuesday.
    facts = [Fact("extension_notified", date(2027, 9, 20), 1, {"reason": "complexity"})]
    clocks = clocks_by_key(CaseFacts(date(2027, 8, 31), IE, facts))
    assert clocks["response"].state == "met"
    assert clocks["extension_notice"].state == "met"
    assert clocks["extended_response"].due_on == date(2027, 11, 30)
    assert clocks["extended_response"].state == "open"


def test_an_extension_notified_after_the_first_month_misses_the_notice_clock():
    # 31 August 2027 -> 30 September 2027 (Thursday). Notified on 4 October.
    facts = [Fact("extension_notified", date(2027, 10, 4), 1, {"reason": "volume"})]
    clocks = clocks_by_key(CaseFacts(date(2027, 8, 31), IE, facts))
    assert clocks["extension_notice"].state == "missed"
    assert clocks["response"].state == "open"  # the late notice did not lawfully extend
    assert clocks["extended_response"].due_on == date(2027, 11, 30)


def test_an_answered_identity_request_pushes_the_due_date_by_the_days_waited():
    # Received 1 February 2027; paused 10 -> 20 February (10 days): raw end 1 March + 10 =
    # 11 March 2027 (Thursday) in Ireland.
    facts = [
        Fact("identity_requested", date(2027, 2, 10), 1),
        Fact("identity_provided", date(2027, 2, 20), 2),
    ]
    clocks = clocks_by_key(CaseFacts(date(2027, 2, 1), IE, facts))
    assert clocks["response"].due_on == date(2027, 3, 11)
    assert clocks["response"].paused_since is None


def test_an_unanswered_identity_request_pauses_the_clock_and_counts_up_to_today():
    facts = [Fact("identity_requested", date(2027, 2, 10), 1)]
    clocks = clocks_by_key(CaseFacts(date(2027, 2, 1), IE, facts, today=date(2027, 2, 15)))
    assert clocks["response"].paused_since == date(2027, 2, 10)
    # 5 days so far: 1 March + 5 = 6 March 2027, a Saturday -> Monday 8 March.
    assert clocks["response"].due_on == date(2027, 3, 8)


def test_the_paused_days_go_at_the_end_of_the_month_before_the_weekend_rule():
    # Received Sunday 28 Feb 2027 in LU, paused 3 days: 28 March + 3 = Wednesday 31 March 2027,
    # for the answer and for the notice of an extension.
    facts = [
        Fact("identity_requested", date(2027, 3, 1), 1),
        Fact("identity_provided", date(2027, 3, 4), 2),
    ]
    clocks = clocks_by_key(CaseFacts(date(2027, 2, 28), LU, facts))
    assert clocks["response"].due_on == date(2027, 3, 31)
    assert clocks["extension_notice"].due_on == date(2027, 3, 31)
    assert clocks["response"].due_on_with_disputed_pause is None


def test_a_question_asked_after_the_month_ran_out_neither_pauses_nor_moves_the_clock():
    # Received 29 Jan 2027 in LU: due Monday 1 March (28 Feb is a Sunday). The vendor asks who
    # the person is on 3 March and is still waiting on 10 March: the clock stays missed.
    facts = [Fact("identity_requested", date(2027, 3, 3), 1)]
    clocks = clocks_by_key(CaseFacts(date(2027, 1, 29), LU, facts, today=date(2027, 3, 10)))
    assert clocks["response"].due_on == date(2027, 3, 1)
    assert clocks["response"].paused_since is None


def test_the_extended_clock_counts_a_question_asked_within_its_own_three_months():
    # Received 1 March 2027 in IE, extension notified 20 March; a question on 10 May answered
    # 15 May: 1 June + 5 = Sunday 6 June, June bank holiday Monday 7 -> Tuesday 8 June 2027.
    facts = [
        Fact("extension_notified", date(2027, 3, 20), 1, {"reason": "volume"}),
        Fact("identity_requested", date(2027, 5, 10), 2),
        Fact("identity_provided", date(2027, 5, 15), 3),
    ]
    clocks = clocks_by_key(CaseFacts(date(2027, 3, 1), IE, facts))
    assert clocks["extended_response"].due_on == date(2027, 6, 8)
    assert clocks["response"].due_on == date(2027, 4, 1)


def test_a_disputed_pause_is_not_counted_and_its_date_is_kept_apart():
    # Received 29 Jan 2027 in LU; the vendor asked for an ID card on 1 Feb, the copy reached it on
    # 3 Feb, and the person recorded the demand as excessive (Art. 12(6)). Due without the
    # pause: Monday 1 March; counting it: 28 Feb + 2 = Tuesday 2 March 2027.
    facts = [
        Fact("identity_requested", date(2027, 2, 1), 1),
        Fact("identity_provided", date(2027, 2, 3), 2),
        Fact("identity_pause_disputed", date(2027, 2, 4), 7),
    ]
    clocks = clocks_by_key(CaseFacts(date(2027, 1, 29), LU, facts))
    assert clocks["response"].due_on == date(2027, 3, 1)
    assert clocks["response"].due_on_with_disputed_pause == date(2027, 3, 2)
    assert clocks["extension_notice"].due_on_with_disputed_pause == date(2027, 3, 2)


def test_a_disputed_open_pause_does_not_stop_the_clock():
    # Received 1 March 2027 in LU (due Thursday 1 April); asked 10 March, still unanswered on
    # 20 March, and disputed: not paused; counting the 10 days so far: Sunday 11 April -> 12.
    facts = [
        Fact("identity_requested", date(2027, 3, 10), 1),
        Fact("identity_pause_disputed", date(2027, 3, 12), 7),
    ]
    clocks = clocks_by_key(CaseFacts(date(2027, 3, 1), LU, facts, today=date(2027, 3, 20)))
    assert clocks["response"].paused_since is None
    assert clocks["response"].due_on == date(2027, 4, 1)
    assert clocks["response"].due_on_with_disputed_pause == date(2027, 4, 12)


def test_a_dispute_without_any_pause_stores_no_second_date():
    facts = [Fact("identity_pause_disputed", date(2027, 3, 12), 7)]
    clocks = clocks_by_key(CaseFacts(date(2027, 3, 1), LU, facts))
    assert clocks["response"].due_on_with_disputed_pause is None


def test_identity_pauses_pair_each_question_with_the_next_answer():
    facts = [
        Fact("identity_requested", date(2027, 1, 5), 1),
        Fact("identity_provided", date(2027, 1, 7), 2),
        Fact("identity_requested", date(2027, 1, 10), 3),
    ]
    assert identity_pauses(facts) == [
        (date(2027, 1, 5), date(2027, 1, 7)),
        (date(2027, 1, 10), None),
    ]


def test_each_reminder_letter_gives_the_vendor_fourteen_days():
    # Sent Friday 3 December 2027: 17 December is a Friday.
    facts = [Fact("reminder_sent", date(2027, 12, 3), 7)]
    clocks = clocks_by_key(CaseFacts(date(2027, 10, 1), LU, facts))
    assert clocks["admonition:7"].due_on == date(2027, 12, 17)
    # Sent 11 December 2027: 25 Dec (Saturday), 26 Dec (Sunday, and St Stephen's Day in LU),
    # Monday 27 December is a working day in Luxembourg.
    facts = [Fact("reminder_sent", date(2027, 12, 11), 8)]
    clocks = clocks_by_key(CaseFacts(date(2027, 10, 1), LU, facts))
    assert clocks["admonition:8"].due_on == date(2027, 12, 27)


def test_an_answer_after_a_reminder_meets_its_admonition_clock():
    facts = [
        Fact("reminder_sent", date(2027, 12, 3), 7),
        Fact("response_received", date(2027, 12, 10), 9),
    ]
    clocks = clocks_by_key(CaseFacts(date(2027, 10, 1), LU, facts))
    assert clocks["admonition:7"].state == "met"


def test_a_reported_misdirected_export_starts_no_clock():
    # Art. 33(1), 33(4): the vendor's duty to its authority is information, never "missed".
    facts = [Fact("misdirected_export_reported", date(2027, 3, 1), 4)]
    clocks = clocks_by_key(CaseFacts(date(2027, 1, 4), LU, facts))
    assert not [key for key in clocks if key.startswith("breach_notification")]
    facts = [
        Fact("incident_recorded", date(2027, 3, 1), 4, {"incident_kind": "misdirected_export"})
    ]
    assert not [
        c for c in case_clocks(CaseFacts(date(2027, 1, 4), LU, facts)) if "breach" in c.kind
    ]


def test_a_complaint_gives_the_authority_three_months_on_its_own_calendar():
    # Filed 14 April 2027 with the CNIL: 14 July is France's national day -> Thursday 15 July.
    facts = [Fact("complaint_filed", date(2027, 4, 14), 5, {"authority_id": 9})]
    clocks = clocks_by_key(
        CaseFacts(date(2027, 1, 4), LU, facts, authority_calendars={9: Calendar("FR")})
    )
    assert clocks["authority_progress:5"].due_on == date(2027, 7, 15)
    facts.append(Fact("authority_replied", date(2027, 6, 1), 6))
    clocks = clocks_by_key(
        CaseFacts(date(2027, 1, 4), LU, facts, authority_calendars={9: Calendar("FR")})
    )
    assert clocks["authority_progress:5"].state == "met"


def test_an_acknowledgement_of_receipt_leaves_the_authority_clock_running():
    # Art. 78(2): filed 14 April 2027 with the CNIL, due Thursday 15 July; a mere acknowledgement
    # on 20 April is not news of progress.
    facts = [
        Fact("complaint_filed", date(2027, 4, 14), 5, {"authority_id": 9}),
        Fact("authority_acknowledged", date(2027, 4, 20), 6),
    ]
    clocks = clocks_by_key(
        CaseFacts(date(2027, 1, 4), LU, facts, authority_calendars={9: Calendar("FR")})
    )
    assert clocks["authority_progress:5"].state == "open"
    assert clocks["authority_progress:5"].met_on is None


def test_the_same_facts_always_give_the_same_clocks():
    facts = [
        Fact("identity_requested", date(2027, 2, 10), 1),
        Fact("identity_provided", date(2027, 2, 20), 2),
        Fact("extension_notified", date(2027, 3, 1), 3, {"reason": "x"}),
    ]
    first = case_clocks(CaseFacts(date(2027, 2, 1), IE, facts))
    second = case_clocks(CaseFacts(date(2027, 2, 1), IE, list(reversed(facts))))
    assert first == second
