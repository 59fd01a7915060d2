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
    # Received 1 February 2027; paused 10 -> 20 February (10 days): receipt counts as 11 Feb,
    # due 11 March 2027 (Thursday) in Ireland.
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
    # 5 days so far: receipt counts as 6 February -> 6 March 2027 is a Saturday -> Monday 8 March.
    assert clocks["response"].due_on == date(2027, 3, 8)


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


def test_a_reported_misdirected_export_starts_a_72_hour_clock():
    facts = [Fact("misdirected_export_reported", date(2027, 3, 1), 4)]
    clocks = clocks_by_key(CaseFacts(date(2027, 1, 4), LU, facts))
    assert clocks["breach_notification:4"].due_on == date(2027, 3, 4)
    facts = [
        Fact(
            "misdirected_export_reported",
            date(2027, 3, 1),
            4,
            {"authority_notified_on": date(2027, 3, 2)},
        )
    ]
    clocks = clocks_by_key(CaseFacts(date(2027, 1, 4), LU, facts))
    assert clocks["breach_notification:4"].state == "met"


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


def test_the_same_facts_always_give_the_same_clocks():
    facts = [
        Fact("identity_requested", date(2027, 2, 10), 1),
        Fact("identity_provided", date(2027, 2, 20), 2),
        Fact("extension_notified", date(2027, 3, 1), 3, {"reason": "x"}),
    ]
    first = case_clocks(CaseFacts(date(2027, 2, 1), IE, facts))
    second = case_clocks(CaseFacts(date(2027, 2, 1), IE, list(reversed(facts))))
    assert first == second
