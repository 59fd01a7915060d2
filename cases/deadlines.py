"""The deadline engine: pure functions of dates, no ORM, no clock.

Periods are counted the EU way, by Regulation (EEC, Euratom) No 1182/71 ("the Regulation"), as the
EDPB guidelines 01/2022 on the right of access do for GDPR Art. 12(3):

- the day of the event (receipt, sending, filing) is not counted (Art. 3(1));
- a period in months ends on the day with the same number in the last month, or on that month's
  last day if it has none (Art. 3(2)(c)); a period in days ends at the end of its last day
  (Art. 3(2)(b));
- weekends and public holidays inside the period count (Art. 3(3)), but a period that would end on a
  Saturday, Sunday or public holiday ends on the next working day instead (Art. 3(4)); this does
  not apply to periods in hours.

Public holidays are those of the state where the act is to be done (Art. 2(1)); callers pass the
relevant ISO 3166-1 alpha-2 country and, optionally, an ISO 3166-2 subdivision, and the calendar
comes from the `holidays` package. For "GB" without a subdivision the package only lists the
holidays shared by the whole United Kingdom (for instance no Easter Monday, which Scotland lacks);
pass "ENG", "WLS", "SCT" or "NIR" for the full bank-holiday list of one nation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "Pause",
    "accepted_pauses",
    "add_months",
    "admonition_due",
    "authority_progress_due",
    "breach_notification_due",
    "extended_due",
    "extension_notice_due",
    "is_working_day",
    "next_working_day",
    "paused_days",
    "paused_period_end",
    "period_end",
    "response_due",
]

# (asked_on, answered_on): the vendor's request for identity/clarification and the day the answer
# reached it. `paused_days` also accepts answered_on=None for a pause still running.
Pause = tuple[date, date]

BREACH_NOTIFICATION_HOURS = 72
ADMONITION_DAYS = 14

# Holiday objects fill in years lazily on membership tests, i.e. they mutate while being read;
# the cached ones are shared between threads, so reads are serialised.
_calendar_lock = threading.Lock()


def _normalise_place(country: str, subdivision: str | None) -> tuple[str, str | None]:
    """Upper-case the country, drop an empty subdivision or its "CC-" prefix, check both exist."""
    if not isinstance(country, str) or len(country.strip()) != 2 or not country.strip().isalpha():
        raise ValueError(f"Country must be an ISO 3166-1 alpha-2 code, got {country!r}")
    code = country.strip().upper()
    supported = holidays.list_supported_countries()
    if code not in supported:
        raise ValueError(f"Unknown country code {code!r}: no public-holiday calendar for it")
    if subdivision is None or not subdivision.strip():
        return code, None
    sub = subdivision.strip()
    if sub.upper().startswith(f"{code}-"):
        sub = sub[len(code) + 1 :]
    # Most subdivision codes are upper case, a few (e.g. DE "Augsburg") are not: keep a given
    # spelling that the package knows, otherwise try the upper-case one.
    if sub not in supported[code] and sub.upper() in supported[code]:
        sub = sub.upper()
    return code, sub


@lru_cache(maxsize=128)
def _calendar(country: str, subdivision: str | None) -> holidays.HolidayBase:
    # No `years`: the object adds each year the first time a date in it is looked up.
    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as exc:
        raise ValueError(
            f"Unknown subdivision {subdivision!r} of country {country!r}: {exc}"
        ) from None


def _holiday_test(country: str, subdivision: str | None) -> Callable[[date], bool]:
    code, sub = _normalise_place(country, subdivision)
    calendar = _calendar(code, sub)

    def is_working(day: date) -> bool:
        if day.weekday() >= 5:
            return False
        with _calendar_lock:
            return day not in calendar

    return is_working


def _roll_forward(day: date, is_working: Callable[[date], bool]) -> date:
    while not is_working(day):
        day += timedelta(days=1)
    return day


def add_months(start: date, months: int) -> date:
    """Reg. 1182/71 Art. 3(2)(c): the day with the same number `months` months later, or the last
    day of that month when it has no such day. Raw date, not moved off weekends or holidays."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last_day = (following - timedelta(days=1)).day
    return date(year, month, min(start.day, last_day))


def is_working_day(day: date, *, country: str, subdivision: str | None = None) -> bool:
    """Reg. 1182/71 Art. 2(1) and 3(4): a working day is neither a Saturday, a Sunday nor a public
    holiday of the given country (and subdivision), per the `holidays` package.

    Raises ValueError for a country or subdivision code the package does not know.
    """
    return _holiday_test(country, subdivision)(day)


def next_working_day(day: date, *, country: str, subdivision: str | None = None) -> date:
    """Reg. 1182/71 Art. 3(4): `day` itself if it is a working day, otherwise the first working
    day after it."""
    return _roll_forward(day, _holiday_test(country, subdivision))


def period_end(start: date, *, months: int, country: str, subdivision: str | None = None) -> date:
    """Reg. 1182/71 Art. 3(1), 3(2)(c) and 3(4): the last day of a period of `months` months that
    runs from the event on `start`, moved on to the next working day if it is not one."""
    return next_working_day(add_months(start, months), country=country, subdivision=subdivision)


def response_due(received: date, *, country: str, subdivision: str | None = None) -> date:
    """GDPR Art. 12(3): the answer is due within one month of receipt, counted by Reg. 1182/71
    (the receipt day not counted, same date next month or its last day, then the next working day
    of the controller's country)."""
    return period_end(received, months=1, country=country, subdivision=subdivision)


def extended_due(received: date, *, country: str, subdivision: str | None = None) -> date:
    """GDPR Art. 12(3): with the extension by two further months, the answer is due three months
    after receipt (counted from receipt, not from the first due date), by Reg. 1182/71."""
    return period_end(received, months=3, country=country, subdivision=subdivision)


def extension_notice_due(received: date, *, country: str, subdivision: str | None = None) -> date:
    """GDPR Art. 12(3): the data subject must be told of an extension and its reasons within one
    month of receipt, so the notice has the same deadline as the answer itself."""
    return response_due(received, country=country, subdivision=subdivision)


def paused_days(
    received: date,
    pauses: Iterable[tuple[date, date | None]],
    *,
    today: date | None = None,
) -> int:
    """How many days identity/clarification pauses stopped the clock (EDPB Guidelines 01/2022 on
    the right of access, reading of GDPR Art. 12(3) and 12(6)).

    Each pause is (asked_on, answered_on). It stops the clock for `answered_on - asked_on` days:
    the day of the vendor's question still counts, the clock runs again from the day after the
    answer reached the vendor (as with the receipt day itself, Reg. 1182/71 Art. 3(1)).

    - Overlapping or touching pauses are merged, so no day is counted twice.
    - A pause that starts before `received` counts only from `received`.
    - An open pause (answered_on None) means the clock is still stopped: it counts up to `today`,
      and without `today` a ValueError is raised, since the result would depend on the clock.
    - answered_on before asked_on (or an open pause asked after `today`) raises ValueError.

    Whether a pause was justified, or asked in time, is not judged here (`accepted_pauses`).
    """
    spans: list[tuple[date, date]] = []
    for asked_on, answered_on in pauses:
        if answered_on is None:
            if today is None:
                raise ValueError(
                    f"The pause asked on {asked_on.isoformat()} is still open; pass `today` to "
                    "count it up to that day"
                )
            if today < asked_on:
                raise ValueError(
                    f"The open pause asked on {asked_on.isoformat()} starts after today "
                    f"({today.isoformat()})"
                )
            answered_on = today
        if answered_on < asked_on:
            raise ValueError(
                f"A pause cannot end before it starts: answered on {answered_on.isoformat()}, "
                f"asked on {asked_on.isoformat()}"
            )
        start = max(asked_on, received)
        if answered_on > start:
            spans.append((start, answered_on))

    # Half-open spans [start, end): merging those that overlap or touch counts each day once.
    total = 0
    current: tuple[date, date] | None = None
    for start, end in sorted(spans):
        if current is not None and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            total += (current[1] - current[0]).days
        current = (start, end)
    if current is not None:
        total += (current[1] - current[0]).days
    return total


def _paused_end(
    received: date,
    months: int,
    pauses: list[tuple[date, date | None]],
    is_working: Callable[[date], bool],
    today: date | None,
) -> date:
    raw = add_months(received, months) + timedelta(days=paused_days(received, pauses, today=today))
    return _roll_forward(raw, is_working)


def accepted_pauses(
    received: date,
    *,
    months: int,
    pauses: Iterable[tuple[date, date | None]],
    country: str,
    subdivision: str | None = None,
    today: date | None = None,
) -> list[tuple[date, date | None]]:
    """The pauses that stop a period of `months` months from `received` (EDPB Guidelines
    01/2022; GDPR Art. 12(3)): only a question asked on or before the last day of the period in
    force when it was asked, that is counting the earlier accepted pauses and Reg. 1182/71
    Art. 3(4). A question asked after the period expired does not revive it."""
    is_working = _holiday_test(country, subdivision)
    accepted: list[tuple[date, date | None]] = []
    for pause in sorted(pauses, key=lambda p: (p[0], p[1] is None, p[1] or p[0])):
        if pause[0] <= _paused_end(received, months, accepted, is_working, today):
            accepted.append(pause)
    return accepted


def paused_period_end(
    received: date,
    *,
    months: int,
    pauses: Iterable[tuple[date, date | None]],
    country: str,
    subdivision: str | None = None,
    today: date | None = None,
) -> date:
    """The last day of a period of `months` months from `received` that identity/clarification
    pauses stopped (GDPR Art. 12(3), 12(6); EDPB Guidelines 01/2022; Reg. 1182/71): the raw end
    counted from the real receipt (Art. 3(1), 3(2)(c)), plus the paused days (`paused_days`) of
    the pauses asked while the period ran (`accepted_pauses`), then moved on to the next working
    day of `country` (Art. 3(4)). Received Sunday 28 Feb 2027 in LU, 3 days paused:
    28 March + 3 = Wednesday 31 March 2027. The one place this rule lives."""
    kept = accepted_pauses(
        received,
        months=months,
        pauses=pauses,
        country=country,
        subdivision=subdivision,
        today=today,
    )
    return _paused_end(received, months, kept, _holiday_test(country, subdivision), today)


def admonition_due(
    sent_on: date,
    *,
    country: str,
    subdivision: str | None = None,
    days: int = ADMONITION_DAYS,
) -> date:
    """The customary 14 days a reminder (admonition) gives a late controller, a period in days
    under Reg. 1182/71: starts the day after sending (Art. 3(1)), ends with its last day
    (Art. 3(2)(b)), counts weekends and holidays (Art. 3(3)), but ends on a working day of the
    vendor's country (Art. 3(4)) and contains at least two working days (Art. 3(5))."""
    if days < 1:
        raise ValueError(f"An admonition period must be at least one day, got {days}")
    is_working = _holiday_test(country, subdivision)
    end = _roll_forward(sent_on + timedelta(days=days), is_working)
    if days >= 2:
        # Art. 3(5): only bites for short periods falling on long holiday chains.
        def working_days_in_period() -> int:
            span = (end - sent_on).days
            return sum(is_working(sent_on + timedelta(days=i)) for i in range(1, span + 1))

        while working_days_in_period() < 2:
            end = _roll_forward(end + timedelta(days=1), is_working)
    return end


def breach_notification_due(aware_at: datetime) -> datetime:
    """GDPR Art. 33(1): the controller notifies the supervisory authority within 72 hours of
    becoming aware of a personal data breach. A period in hours is not moved off weekends or
    holidays (Reg. 1182/71 Art. 3(4) excludes hours). Counted in real elapsed time (through UTC,
    so a daylight-saving change is not miscounted) and returned in `aware_at`'s time zone.

    Raises ValueError for a naive datetime, which has no fixed moment in time.
    """
    if not isinstance(aware_at, datetime):
        raise TypeError(f"aware_at must be a datetime, got {type(aware_at).__name__}")
    if aware_at.tzinfo is None or aware_at.utcoffset() is None:
        raise ValueError("aware_at must be a timezone-aware datetime, got a naive one")
    elapsed = timedelta(hours=BREACH_NOTIFICATION_HOURS)
    return (aware_at.astimezone(UTC) + elapsed).astimezone(aware_at.tzinfo)


def authority_progress_due(filed_on: date, *, country: str, subdivision: str | None = None) -> date:
    """GDPR Art. 78(2): a supervisory authority that has not told the complainant of progress or
    outcome within three months of the complaint may be taken to court. Three months by
    Reg. 1182/71, ending on a working day of the authority's country."""
    return period_end(filed_on, months=3, country=country, subdivision=subdivision)
