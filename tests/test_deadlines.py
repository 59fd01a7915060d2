"""The deadline engine, checked against dates worked out by hand from a printed calendar.

Every expected date below was computed by hand (weekday from `calendar.month`, holidays from the
law of the country), never by calling the code under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.deadlines import (
    accepted_pauses,
    add_months,
    admonition_due,
    authority_progress_due,
    breach_notification_due,
    extended_due,
    extension_notice_due,
    is_working_day,
    next_working_day,
    paused_days,
    paused_period_end,
    period_end,
    response_due,
)

D = date


# --- Raw month arithmetic (Reg. 1182/71 Art. 3(2)(c)) -------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2027, 1, 30), 1, D(2027, 2, 28)),
        (D(2027, 1, 29), 1, D(2027, 2, 28)),
        (D(2027, 1, 28), 1, D(2027, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2028, 1, 30), 1, D(2028, 2, 29)),
        (D(2027, 3, 31), 1, D(2027, 4, 30)),
        (D(2027, 3, 30), 1, D(2027, 4, 30)),
        (D(2027, 4, 30), 1, D(2027, 5, 30)),
        (D(2027, 5, 31), 1, D(2027, 6, 30)),
        (D(2027, 8, 31), 1, D(2027, 9, 30)),
        (D(2027, 10, 31), 1, D(2027, 11, 30)),
        (D(2027, 12, 31), 1, D(2028, 1, 31)),
        (D(2027, 12, 15), 3, D(2028, 3, 15)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2027, 11, 30), 3, D(2028, 2, 29)),
        (D(2028, 2, 29), 1, D(2028, 3, 29)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2028, 2, 29), 48, D(2032, 2, 29)),
        (D(2027, 3, 5), 0, D(2027, 3, 5)),
    ],
)
def test_adding_months_keeps_the_day_number_or_falls_back_to_the_last_day_of_the_month(
    start, months, expected
):
    assert add_months(start, months) == expected


def test_adding_months_does_not_roll_off_a_weekend():
    # 28 February 2027 is a Sunday; the raw date stays on it.
    assert add_months(D(2027, 1, 31), 1) == D(2027, 2, 28)


# --- Month ends, leap years, weekends ----------------------------------------------------------


def test_a_request_received_on_the_31st_is_due_on_the_last_day_of_a_shorter_month():
    # 31 Aug 2027 -> 30 Sep 2027, a Thursday.
    assert response_due(D(2027, 8, 31), country="LU") == D(2027, 9, 30)


def test_a_request_received_on_31_january_in_a_common_year_rolls_from_sunday_28_february():
    # 28 Feb 2027 is a Sunday, Monday 1 March is a working day in Luxembourg.
    assert response_due(D(2027, 1, 31), country="LU") == D(2027, 3, 1)


def test_a_request_received_on_31_january_of_a_leap_year_is_due_on_29_february():
    # 29 Feb 2028 is a Tuesday.
    assert response_due(D(2028, 1, 31), country="LU") == D(2028, 2, 29)


def test_a_request_received_on_29_february_is_due_on_29_march():
    # 29 Mar 2028 is a Wednesday.
    assert response_due(D(2028, 2, 29), country="IE") == D(2028, 3, 29)


def test_a_request_received_on_30_april_is_due_on_30_may_not_the_31st():
    # 30 May 2026 is a Saturday -> Monday 1 June 2026 (no holiday in France that day).
    assert response_due(D(2026, 4, 30), country="FR") == D(2026, 6, 1)


def test_a_due_date_on_a_saturday_rolls_to_the_monday():
    # 12 Jun 2027 is a Saturday; Monday 14 June is ordinary in France.
    assert response_due(D(2027, 5, 12), country="FR") == D(2027, 6, 14)


def test_a_due_date_on_a_sunday_rolls_to_the_monday():
    # 13 Jun 2027 is a Sunday.
    assert response_due(D(2027, 5, 13), country="FR") == D(2027, 6, 14)


def test_period_end_counts_months_then_rolls_to_a_working_day():
    # 31 Jul 2027 + 2 months = 30 Sep 2027 (Thursday): no roll. + 1 month = 31 Aug (Tuesday).
    assert period_end(D(2027, 7, 31), months=2, country="LU") == D(2027, 9, 30)
    # 27 Feb 2027 + 1 month = Sat 27 Mar 2027 -> Mon 29 Mar is Easter Monday in LU -> Tue 30.
    assert period_end(D(2027, 2, 27), months=1, country="LU") == D(2027, 3, 30)


# --- Worked examples from the EDPB and the ICO ------------------------------------------------


def test_edpb_example_5_march_is_due_5_april_on_an_ordinary_monday():
    # 5 Apr 2027 is a Monday; Easter Monday 2027 was 29 March.
    assert response_due(D(2027, 3, 5), country="LU") == D(2027, 4, 5)


def test_edpb_example_5_march_rolls_past_easter_sunday_and_monday_in_2026():
    # Easter 2026 is Sunday 5 April; Monday 6 April is Easter Monday -> Tuesday 7 April.
    assert response_due(D(2026, 3, 5), country="LU") == D(2026, 4, 7)
    assert response_due(D(2026, 3, 5), country="IE") == D(2026, 4, 7)


def test_edpb_example_31_august_is_due_30_september():
    # 30 Sep 2026 is a Wednesday, 30 Sep 2027 a Thursday: both working days.
    assert response_due(D(2026, 8, 31), country="LU") == D(2026, 9, 30)
    assert response_due(D(2027, 8, 31), country="IE") == D(2027, 9, 30)


def test_ico_example_3_september_is_due_3_october():
    # 3 Oct 2025 is a Friday.
    assert response_due(D(2025, 9, 3), country="GB", subdivision="ENG") == D(2025, 10, 3)


def test_ico_example_3_september_rolls_off_sunday_3_october_2027():
    # 3 Oct 2027 is a Sunday -> Monday 4 October.
    assert response_due(D(2027, 9, 3), country="GB", subdivision="ENG") == D(2027, 10, 4)


def test_ico_example_31_may_is_due_30_june():
    # 30 Jun 2027 is a Wednesday.
    assert response_due(D(2027, 5, 31), country="GB", subdivision="ENG") == D(2027, 6, 30)


# --- National holidays ------------------------------------------------------------------------


def test_luxembourg_national_day_23_june_moves_the_deadline_to_the_next_day():
    # 23 Jun 2027 is a Wednesday: a holiday in Luxembourg, not in Ireland.
    assert response_due(D(2027, 5, 23), country="LU") == D(2027, 6, 24)
    assert response_due(D(2027, 5, 23), country="IE") == D(2027, 6, 23)


def test_europe_day_is_a_luxembourg_holiday_only_since_2019():
    assert is_working_day(D(2018, 5, 9), country="LU")  # a Wednesday
    assert not is_working_day(D(2019, 5, 9), country="LU")  # a Thursday


def test_europe_day_on_a_friday_rolls_the_deadline_over_the_weekend():
    # 9 May 2025 is a Friday -> Monday 12 May.
    assert response_due(D(2025, 4, 9), country="LU") == D(2025, 5, 12)


def test_saint_patricks_day_is_an_irish_holiday_only():
    # 17 Mar 2027 is a Wednesday.
    assert response_due(D(2027, 2, 17), country="IE") == D(2027, 3, 18)
    assert response_due(D(2027, 2, 17), country="LU") == D(2027, 3, 17)


def test_saint_brigids_day_is_the_first_monday_of_february_from_2023():
    assert not is_working_day(D(2024, 2, 5), country="IE")  # first Monday of Feb 2024
    assert not is_working_day(D(2027, 2, 1), country="IE")  # 1 Feb 2027 is that Monday
    assert is_working_day(D(2022, 2, 7), country="IE")  # first Monday of Feb 2022: not yet


def test_saint_brigids_day_falls_on_1_february_when_that_is_a_friday():
    # 1 Feb 2030 is a Friday: the holiday is that day, not Monday 4 February.
    assert not is_working_day(D(2030, 2, 1), country="IE")
    assert is_working_day(D(2030, 2, 4), country="IE")


def test_saint_brigids_day_moves_an_irish_deadline_by_a_day():
    # 1 Feb 2027 (Monday) is the holiday -> Tuesday 2 February.
    assert response_due(D(2027, 1, 1), country="IE") == D(2027, 2, 2)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # 14 Jul 2027 is a Wednesday -> Thursday 15 July.
        (D(2027, 6, 14), D(2027, 7, 15)),
        # 1 May 2026 is a Friday -> Monday 4 May.
        (D(2026, 4, 1), D(2026, 5, 4)),
        # 8 May 2026 is a Friday -> Monday 11 May.
        (D(2026, 4, 8), D(2026, 5, 11)),
        # 11 Nov 2027 is a Thursday -> Friday 12 November.
        (D(2027, 10, 11), D(2027, 11, 12)),
        # 15 Aug 2025 is a Friday -> Monday 18 August.
        (D(2025, 7, 15), D(2025, 8, 18)),
    ],
)
def test_french_public_holidays_move_the_deadline(received, expected):
    assert response_due(received, country="FR") == expected


def test_reformation_day_is_a_hamburg_holiday_since_2018_but_not_a_bavarian_one():
    assert is_working_day(D(2016, 10, 31), country="DE", subdivision="HH")  # a Monday
    assert not is_working_day(D(2018, 10, 31), country="DE", subdivision="HH")  # a Wednesday
    assert is_working_day(D(2018, 10, 31), country="DE", subdivision="BY")


def test_reformation_day_moves_a_hamburg_deadline_but_not_a_bavarian_one():
    # 31 Jul 2028 + 3 months = Tuesday 31 Oct 2028; 1 Nov is not a Hamburg holiday.
    assert extended_due(D(2028, 7, 31), country="DE", subdivision="HH") == D(2028, 11, 1)
    assert extended_due(D(2028, 7, 31), country="DE", subdivision="BY") == D(2028, 10, 31)


def test_corpus_christi_is_a_bavarian_holiday_but_not_a_hamburg_one():
    # Easter 2027 is 28 March, Corpus Christi 60 days later: Thursday 27 May.
    assert response_due(D(2027, 4, 27), country="DE", subdivision="BY") == D(2027, 5, 28)
    assert response_due(D(2027, 4, 27), country="DE", subdivision="HH") == D(2027, 5, 27)


def test_german_unity_day_is_a_national_holiday():
    # 3 Oct 2028 is a Tuesday.
    assert response_due(D(2028, 9, 3), country="DE") == D(2028, 10, 4)
    assert response_due(D(2028, 9, 3), country="DE", subdivision="HH") == D(2028, 10, 4)


def test_the_english_spring_bank_holiday_extends_a_weekend_due_date_to_tuesday():
    # 30 May 2027 is a Sunday, Monday 31 May the Spring bank holiday -> Tuesday 1 June.
    assert response_due(D(2027, 4, 30), country="GB", subdivision="ENG") == D(2027, 6, 1)
    assert response_due(D(2027, 4, 30), country="GB") == D(2027, 6, 1)


def test_boxing_day_and_substitute_bank_holidays_chain_in_the_united_kingdom():
    # 25 Dec 2027 Saturday, 26 Sunday; substitute bank holidays Mon 27 and Tue 28 -> Wed 29.
    assert response_due(D(2027, 11, 25), country="GB") == D(2027, 12, 29)
    # Luxembourg has no substitute days: Monday 27 December is a working day.
    assert response_due(D(2027, 11, 25), country="LU") == D(2027, 12, 27)


def test_the_second_of_january_is_a_bank_holiday_in_scotland_only():
    # 2 Jan 2026 is a Friday: Scotland rolls to Monday 5 January, England does not roll.
    assert response_due(D(2025, 12, 2), country="GB", subdivision="SCT") == D(2026, 1, 5)
    assert response_due(D(2025, 12, 2), country="GB", subdivision="ENG") == D(2026, 1, 2)


def test_the_late_summer_bank_holiday_differs_between_england_and_scotland():
    # Last Monday of August 2027 is the 30th (England); Scotland's was Monday 2 August.
    assert response_due(D(2027, 7, 30), country="GB", subdivision="ENG") == D(2027, 8, 31)
    assert response_due(D(2027, 7, 30), country="GB", subdivision="SCT") == D(2027, 8, 30)


def test_gb_without_a_subdivision_only_knows_the_holidays_of_the_whole_kingdom():
    # Easter Monday (29 Mar 2027) is an English bank holiday but not a Scottish one.
    assert not is_working_day(D(2027, 3, 29), country="GB", subdivision="ENG")
    assert is_working_day(D(2027, 3, 29), country="GB")


# --- Chains of non-working days ---------------------------------------------------------------


def test_good_friday_the_weekend_and_easter_monday_chain_to_tuesday():
    # 26 Mar 2027 is Good Friday in Germany -> Sat, Sun, Easter Monday 29 -> Tuesday 30 March.
    assert response_due(D(2027, 2, 26), country="DE") == D(2027, 3, 30)


def test_christmas_and_saint_stephens_day_followed_by_a_weekend_chain_to_monday():
    # 25 Dec 2025 Thursday, 26 Friday, then the weekend -> Monday 29 December.
    assert response_due(D(2025, 11, 25), country="LU") == D(2025, 12, 29)
    assert response_due(D(2025, 11, 25), country="DE") == D(2025, 12, 29)


def test_easter_monday_then_kings_day_make_a_dutch_weekend_last_until_wednesday():
    # 24 Apr 2038 Saturday, 25 Easter Sunday, 26 Easter Monday, 27 King's Day -> Wed 28 April.
    assert response_due(D(2038, 3, 24), country="NL") == D(2038, 4, 28)


def test_next_working_day_returns_the_day_itself_when_it_is_a_working_day():
    assert next_working_day(D(2027, 6, 16), country="FR") == D(2027, 6, 16)  # a Wednesday
    assert next_working_day(D(2027, 6, 19), country="FR") == D(2027, 6, 21)  # Sat -> Mon


# --- Extension (Art. 12(3)) -------------------------------------------------------------------


def test_the_extended_deadline_is_three_months_from_receipt_ending_in_february():
    # 28 Feb 2027 is a Sunday -> Monday 1 March; 29 Feb 2028 is a Tuesday.
    assert extended_due(D(2026, 11, 30), country="LU") == D(2027, 3, 1)
    assert extended_due(D(2027, 11, 30), country="LU") == D(2028, 2, 29)


def test_the_extended_deadline_counts_from_receipt_not_from_the_first_deadline():
    # From 31 Jan 2027: 30 April (Friday), not 28 April (first deadline + 2 months).
    assert extended_due(D(2027, 1, 31), country="IE") == D(2027, 4, 30)


def test_the_extension_must_be_notified_by_the_first_deadline():
    assert extension_notice_due(D(2027, 1, 31), country="LU") == D(2027, 3, 1)
    assert extension_notice_due(D(2027, 8, 31), country="LU") == D(2027, 9, 30)


# --- Identity and clarification pauses (EDPB 01/2022) -----------------------------------------


def shifted(received, pauses, **kwargs):
    """`received` plus the paused days: how the counting of days reads in the tests below."""
    return received + timedelta(days=paused_days(received, pauses, **kwargs))


def test_a_request_without_pauses_keeps_its_receipt_date():
    assert shifted(D(2027, 3, 1), []) == D(2027, 3, 1)


def test_a_single_pause_adds_the_days_from_question_to_answer():
    # Asked 10 March, answered 15 March: 5 days; 1 April + 5 = 6 April 2027 (Tuesday).
    assert shifted(D(2027, 3, 1), [(D(2027, 3, 10), D(2027, 3, 15))]) == D(2027, 3, 6)
    pauses = [(D(2027, 3, 10), D(2027, 3, 15))]
    assert paused_period_end(D(2027, 3, 1), months=1, pauses=pauses, country="LU") == D(2027, 4, 6)


def test_a_question_answered_the_same_day_adds_nothing():
    assert shifted(D(2027, 3, 1), [(D(2027, 3, 10), D(2027, 3, 10))]) == D(2027, 3, 1)


def test_separate_pauses_add_up():
    # 5 to 7 March (2 days) and 10 to 15 March (5 days).
    pauses = [(D(2027, 3, 10), D(2027, 3, 15)), (D(2027, 3, 5), D(2027, 3, 7))]
    assert shifted(D(2027, 3, 1), pauses) == D(2027, 3, 8)


def test_overlapping_pauses_count_each_day_once():
    # 10-15 and 12-20 March cover 10-20 March: 10 days.
    pauses = [(D(2027, 3, 10), D(2027, 3, 15)), (D(2027, 3, 12), D(2027, 3, 20))]
    assert shifted(D(2027, 3, 1), pauses) == D(2027, 3, 11)


def test_a_pause_inside_another_adds_nothing_more():
    pauses = [(D(2027, 3, 10), D(2027, 3, 20)), (D(2027, 3, 12), D(2027, 3, 14))]
    assert shifted(D(2027, 3, 1), pauses) == D(2027, 3, 11)


def test_touching_pauses_count_the_shared_day_once():
    # 10-15 and 15-18 March: 8 days in all.
    pauses = [(D(2027, 3, 10), D(2027, 3, 15)), (D(2027, 3, 15), D(2027, 3, 18))]
    assert shifted(D(2027, 3, 1), pauses) == D(2027, 3, 9)


def test_the_same_pause_recorded_twice_counts_once():
    pause = (D(2027, 3, 10), D(2027, 3, 15))
    assert shifted(D(2027, 3, 1), [pause, pause]) == D(2027, 3, 6)


def test_a_pause_starting_before_receipt_counts_only_from_receipt():
    # Received 10 March, pause 1-15 March: only 10-15 March counts, 5 days.
    assert shifted(D(2027, 3, 10), [(D(2027, 3, 1), D(2027, 3, 15))]) == D(2027, 3, 15)


def test_a_pause_entirely_before_receipt_counts_nothing():
    assert shifted(D(2027, 3, 10), [(D(2027, 3, 1), D(2027, 3, 5))]) == D(2027, 3, 10)


def test_a_pause_answered_before_it_was_asked_is_refused():
    with pytest.raises(ValueError, match="cannot end before it starts"):
        shifted(D(2027, 3, 1), [(D(2027, 3, 15), D(2027, 3, 10))])


def test_an_open_pause_counts_up_to_today():
    # Asked 10 March, still unanswered on 20 March: 10 days so far.
    receipt = shifted(D(2027, 3, 1), [(D(2027, 3, 10), None)], today=D(2027, 3, 20))
    assert receipt == D(2027, 3, 11)


def test_an_open_pause_without_today_is_refused():
    with pytest.raises(ValueError, match="still open"):
        shifted(D(2027, 3, 1), [(D(2027, 3, 10), None)])


def test_an_open_pause_asked_after_today_is_refused():
    with pytest.raises(ValueError, match="after today"):
        shifted(D(2027, 3, 1), [(D(2027, 3, 10), None)], today=D(2027, 3, 5))


def test_pauses_may_be_given_as_any_iterable():
    pauses = ((D(2027, 3, 10), D(2027, 3, 15)) for _ in range(2))
    assert shifted(D(2027, 3, 1), pauses) == D(2027, 3, 6)


# --- The paused days go at the end of the period, then Art. 3(4) (LEGAL.md 1) ----------------


def test_the_paused_days_are_added_to_the_raw_end_before_it_leaves_the_weekend():
    # Received Sunday 28 Feb 2027 in LU, 3 days paused: raw end Sunday 28 March + 3 = Wednesday
    # 31 March 2027 (not 3 March -> 3 April, a Saturday -> Monday 5 April).
    pauses = [(D(2027, 3, 10), D(2027, 3, 13))]
    due = paused_period_end(D(2027, 2, 28), months=1, pauses=pauses, country="LU")
    assert due == D(2027, 3, 31)


def test_a_pause_after_a_receipt_at_the_end_of_january_runs_past_the_end_of_february():
    # Received 29 Jan 2027, 2 days paused: raw end 28 Feb (Sunday) + 2 = Tuesday 2 March 2027
    # (not 31 January -> 28 February -> Monday 1 March).
    pauses = [(D(2027, 2, 1), D(2027, 2, 3))]
    due = paused_period_end(D(2027, 1, 29), months=1, pauses=pauses, country="LU")
    assert due == D(2027, 3, 2)


def test_a_pause_in_a_leap_year_counts_from_the_29th_of_february():
    # Received 30 Jan 2028, 1 day paused: raw end Tuesday 29 Feb 2028 + 1 = Wednesday 1 March
    # (not 31 January -> 29 February).
    pauses = [(D(2028, 2, 1), D(2028, 2, 2))]
    due = paused_period_end(D(2028, 1, 30), months=1, pauses=pauses, country="LU")
    assert due == D(2028, 3, 1)


def test_a_paused_end_on_a_national_holiday_of_the_vendor_moves_to_the_next_working_day():
    # Received 28 Jan 2027 in IE, 17 days paused: raw end 28 Feb + 17 = Wednesday 17 March,
    # St Patrick's Day -> Thursday 18 March (not 14 Feb -> Sunday 14 March -> 15 March).
    pauses = [(D(2027, 2, 1), D(2027, 2, 18))]
    due = paused_period_end(D(2027, 1, 28), months=1, pauses=pauses, country="IE")
    assert due == D(2027, 3, 18)


def test_a_three_month_period_adds_its_pauses_at_its_own_end():
    # Received 1 March 2027 in IE, a question asked 10 May (after the first month, inside the
    # three) and answered 15 May: raw end 1 June + 5 = Sunday 6 June; Monday 7 June is the June
    # bank holiday -> Tuesday 8 June.
    pauses = [(D(2027, 5, 10), D(2027, 5, 15))]
    assert paused_period_end(D(2027, 3, 1), months=3, pauses=pauses, country="IE") == D(2027, 6, 8)
    # The one-month period had ended on Thursday 1 April: that question paused nothing of it.
    assert paused_period_end(D(2027, 3, 1), months=1, pauses=pauses, country="IE") == D(2027, 4, 1)


def test_a_question_asked_after_the_period_expired_does_not_revive_it():
    # Received 1 March 2027 in LU, due Thursday 1 April; asked 5 April: nothing paused.
    pauses = [(D(2027, 4, 5), D(2027, 4, 10))]
    assert accepted_pauses(D(2027, 3, 1), months=1, pauses=pauses, country="LU") == []
    assert paused_period_end(D(2027, 3, 1), months=1, pauses=pauses, country="LU") == D(2027, 4, 1)


def test_an_open_question_asked_after_the_period_expired_pauses_nothing_either():
    pauses = [(D(2027, 4, 5), None)]
    due = paused_period_end(
        D(2027, 3, 1), months=1, pauses=pauses, country="LU", today=D(2027, 4, 20)
    )
    assert due == D(2027, 4, 1)


def test_a_question_asked_on_the_last_day_still_pauses():
    # Asked on Thursday 1 April itself, answered 6 April: 1 April + 5 = Tuesday 6 April.
    pauses = [(D(2027, 4, 1), D(2027, 4, 6))]
    assert paused_period_end(D(2027, 3, 1), months=1, pauses=pauses, country="LU") == D(2027, 4, 6)


def test_an_earlier_pause_and_the_weekend_decide_whether_a_later_question_came_in_time():
    # Received 1 March 2027 in LU. First pause 10-20 March (10 days): 1 April + 10 = Sunday
    # 11 April -> Monday 12 April, the last day in force. A question on 12 April pauses (+2:
    # 13 April, a Tuesday); one on 13 April comes after the period and pauses nothing.
    first = (D(2027, 3, 10), D(2027, 3, 20))
    in_time = [first, (D(2027, 4, 12), D(2027, 4, 14))]
    too_late = [first, (D(2027, 4, 13), D(2027, 4, 15))]
    assert paused_period_end(D(2027, 3, 1), months=1, pauses=in_time, country="LU") == D(
        2027, 4, 13
    )
    assert paused_period_end(D(2027, 3, 1), months=1, pauses=too_late, country="LU") == D(
        2027, 4, 12
    )


# --- Admonition (14 days, Reg. 1182/71 Art. 3(2)(b), 3(4), 3(5)) -----------------------------


def test_an_admonition_gives_fourteen_days_from_the_day_after_sending():
    # Sent Monday 7 June 2027 -> ends Monday 21 June.
    assert admonition_due(D(2027, 6, 7), country="IE") == D(2027, 6, 21)


def test_an_admonition_period_ending_on_a_saturday_rolls_to_monday():
    # Sent Saturday 5 June 2027 -> Saturday 19 June -> Monday 21 June.
    assert admonition_due(D(2027, 6, 5), country="IE") == D(2027, 6, 21)
    # Ten days from Wednesday 9 June 2027 -> Saturday 19 June -> Monday 21 June.
    assert admonition_due(D(2027, 6, 9), country="IE", days=10) == D(2027, 6, 21)


def test_an_admonition_period_ending_on_good_friday_rolls_past_easter_monday():
    # Sent Friday 12 March 2027 -> Good Friday 26 March -> Tuesday 30 March (Germany).
    assert admonition_due(D(2027, 3, 12), country="DE") == D(2027, 3, 30)


def test_a_two_day_period_over_easter_still_contains_two_working_days():
    # Sent Thursday 25 Mar 2027, two days end Saturday 27 -> rolled to Tuesday 30, the only
    # working day in the period; Art. 3(5) wants two, so Wednesday 31 March.
    assert admonition_due(D(2027, 3, 25), country="DE", days=2) == D(2027, 3, 31)


def test_an_admonition_needs_at_least_one_day():
    with pytest.raises(ValueError, match="at least one day"):
        admonition_due(D(2027, 3, 1), country="DE", days=0)


# --- Breach notification (Art. 33(1)) ---------------------------------------------------------


def test_a_breach_must_be_notified_exactly_72_hours_after_awareness():
    aware = datetime(2027, 3, 5, 14, 30, tzinfo=UTC)
    assert breach_notification_due(aware) == datetime(2027, 3, 8, 14, 30, tzinfo=UTC)


def test_the_breach_deadline_is_not_moved_off_a_saturday():
    # Aware Wednesday 3 March 2027 10:00 -> Saturday 6 March 10:00, left there.
    aware = datetime(2027, 3, 3, 10, 0, tzinfo=UTC)
    assert breach_notification_due(aware) == datetime(2027, 3, 6, 10, 0, tzinfo=UTC)


def test_the_breach_deadline_counts_real_hours_across_a_clock_change():
    # Irish clocks go back on Sunday 31 Oct 2027. 09:00 IST (08:00 UTC) on 30 October plus 72 h
    # is 08:00 UTC on 2 November, which is 08:00 GMT in Dublin.
    dublin = ZoneInfo("Europe/Dublin")
    due = breach_notification_due(datetime(2027, 10, 30, 9, 0, tzinfo=dublin))
    assert due == datetime(2027, 11, 2, 8, 0, tzinfo=UTC)
    assert due.tzinfo is dublin
    assert (due.hour, due.minute) == (8, 0)


def test_a_naive_awareness_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        breach_notification_due(datetime(2027, 3, 5, 14, 30))


def test_a_plain_date_is_refused_as_awareness_time():
    with pytest.raises(TypeError):
        breach_notification_due(D(2027, 3, 5))  # type: ignore[arg-type]


# --- Authority progress (Art. 78(2)) ----------------------------------------------------------


def test_an_authority_has_three_months_to_report_progress():
    # Filed 30 Nov 2027 -> Tuesday 29 Feb 2028.
    assert authority_progress_due(D(2027, 11, 30), country="LU") == D(2028, 2, 29)


def test_the_authority_deadline_rolls_by_the_authority_country_calendar():
    # Filed 9 Feb 2025 -> Friday 9 May 2025, Europe Day in Luxembourg -> Monday 12 May.
    assert authority_progress_due(D(2025, 2, 9), country="LU") == D(2025, 5, 12)
    assert authority_progress_due(D(2025, 2, 9), country="IE") == D(2025, 5, 9)


# --- Country codes and calendars --------------------------------------------------------------


def test_an_unknown_country_code_is_refused_by_name():
    with pytest.raises(ValueError, match="'XX'"):
        response_due(D(2027, 3, 5), country="XX")


def test_a_country_code_that_is_not_two_letters_is_refused():
    with pytest.raises(ValueError, match="alpha-2"):
        is_working_day(D(2027, 3, 5), country="DEU")


def test_an_unknown_subdivision_is_refused_by_name():
    with pytest.raises(ValueError, match="'ZZ'"):
        is_working_day(D(2027, 3, 5), country="DE", subdivision="ZZ")


def test_a_lower_case_country_code_is_accepted():
    # 23 Jun 2027 (Wednesday) is the Luxembourg national day.
    assert not is_working_day(D(2027, 6, 23), country="lu")
    assert response_due(D(2027, 5, 23), country="lu") == D(2027, 6, 24)


def test_subdivisions_may_be_lower_case_full_iso_codes_or_empty():
    reformation_day = D(2028, 10, 31)
    assert not is_working_day(reformation_day, country="de", subdivision="hh")
    assert not is_working_day(reformation_day, country="DE", subdivision="DE-HH")
    assert is_working_day(reformation_day, country="DE", subdivision="")


def test_holiday_calendars_cover_any_year_asked_for():
    # One cached calendar answers for years far apart: 25 Dec 2001 (Tue) and 2059 (Thu).
    assert not is_working_day(D(2059, 12, 25), country="LU")
    assert not is_working_day(D(2001, 12, 25), country="LU")
    assert is_working_day(D(2059, 12, 23), country="LU")  # a Tuesday


# --- Properties -------------------------------------------------------------------------------

PLACES = [
    ("LU", None),
    ("IE", None),
    ("FR", None),
    ("DE", None),
    ("DE", "HH"),
    ("DE", "BY"),
    ("GB", None),
    ("GB", "SCT"),
    ("NL", None),
    ("BE", None),
    ("ES", None),
    ("IT", None),
]
# The longest run of non-working days after a raw due date in these calendars, 2000-2060, is
# five: NL, Good Friday 23 Apr 2038, the weekend, Easter Monday, King's Day 27 Apr -> Wed 28.
MAX_ROLL_DAYS = 6

dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31))
places = st.sampled_from(PLACES)
fast = settings(max_examples=200, deadline=None)


def test_no_day_from_2000_to_2060_rolls_more_than_six_days_in_any_tracked_calendar():
    for country, subdivision in PLACES:
        day = D(2000, 1, 1)
        while day <= D(2060, 12, 31):
            rolled = next_working_day(day, country=country, subdivision=subdivision)
            assert 0 <= (rolled - day).days <= MAX_ROLL_DAYS, (country, subdivision, day)
            day += timedelta(days=1)


@fast
@given(received=dates, place=places)
def test_the_response_deadline_is_a_working_day_within_six_days_of_the_raw_date(received, place):
    country, subdivision = place
    due = response_due(received, country=country, subdivision=subdivision)
    raw = add_months(received, 1)
    assert is_working_day(due, country=country, subdivision=subdivision)
    assert raw <= due <= raw + timedelta(days=MAX_ROLL_DAYS)
    # Nothing between the raw date and the due date was a working day.
    for offset in range((due - raw).days):
        day = raw + timedelta(days=offset)
        assert not is_working_day(day, country=country, subdivision=subdivision)


@fast
@given(received=dates, place=places)
def test_the_extended_deadline_is_a_working_day_within_six_days_of_the_raw_date(received, place):
    country, subdivision = place
    due = extended_due(received, country=country, subdivision=subdivision)
    raw = add_months(received, 3)
    assert is_working_day(due, country=country, subdivision=subdivision)
    assert raw <= due <= raw + timedelta(days=MAX_ROLL_DAYS)
    assert due >= response_due(received, country=country, subdivision=subdivision)


@fast
@given(first=dates, second=dates, place=places)
def test_a_later_receipt_never_gives_an_earlier_deadline(first, second, place):
    country, subdivision = place
    early, late = sorted((first, second))
    for due in (response_due, extended_due):
        assert due(early, country=country, subdivision=subdivision) <= due(
            late, country=country, subdivision=subdivision
        )


@fast
@given(first=dates, days=st.integers(min_value=0, max_value=5), place=places)
def test_nearby_receipts_never_give_an_earlier_deadline(first, days, place):
    # Neighbouring dates exercise month ends, where the raw date stops moving.
    country, subdivision = place
    second = first + timedelta(days=days)
    assert response_due(first, country=country, subdivision=subdivision) <= response_due(
        second, country=country, subdivision=subdivision
    )


pause_lists = st.lists(
    st.tuples(dates, st.integers(min_value=0, max_value=120)).map(
        lambda pair: (pair[0], pair[0] + timedelta(days=pair[1]))
    ),
    max_size=5,
)


@fast
@given(received=dates, pauses=pause_lists, extra=pause_lists)
def test_pauses_never_move_receipt_backwards(received, pauses, extra):
    before = shifted(received, pauses)
    assert before >= received
    assert shifted(received, pauses + extra) >= before
    # Never more than the total length of the pauses.
    total = sum((end - start).days for start, end in pauses)
    assert (before - received).days <= total
