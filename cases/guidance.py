"""Plain-language "what to do next" for a clock, shared by the case page and reminder e-mails."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import facts
from cases.models import Case, Deadline, DeadlineKind, Status


def next_step(
    deadline: Deadline, *, today: date | None = None, state: facts.ClockState | None = None
) -> str:
    """One or two sentences a person who never heard of Article 15 can act on. Whether the
    clock's time is over is `facts.clock_state` as of `today` (or the `state` given)."""
    if state is None:
        if today is None:
            raise TypeError("next_step needs `today` or the clock's `state`")
        state = facts.clock_state(deadline, events=(), today=today)
    if state == facts.ClockState.MET:
        # Said, not left blank: the case page's phone layout labels the cell "What it means".
        return _("Met in time: nothing more to do about this deadline.")
    passed = state == facts.ClockState.MISSED
    kind = deadline.kind
    if kind in (DeadlineKind.RESPONSE, DeadlineKind.EXTENDED_RESPONSE):
        if passed:
            return _(
                "The company's time to answer has run out. If nothing has arrived, send it a "
                "reminder: the tracker writes the letter for you. If an answer came, record it."
            )
        return _(
            "Nothing to do yet. When the company answers, record the answer and tick what it "
            "contains, so that anything missing can be asked for."
        )
    if kind == DeadlineKind.EXTENSION_NOTICE:
        return _(
            "If the company needs more time it must say so, with reasons, by this day. "
            "An extension announced later is itself a breach."
        )
    if kind == DeadlineKind.ADMONITION:
        if passed:
            return _(
                "The 14 days you gave the company are over. If it still has not answered in "
                "full, file a complaint with a data-protection authority."
            )
        return _("The company has until this day to reply to your reminder.")
    if kind == DeadlineKind.AUTHORITY_PROGRESS:
        if passed:
            return _(
                "The authority has not told you of any progress within three months. You may now "
                "take it to court (Art. 78(2) GDPR); ask the authority for news first."
            )
        return _("The authority should tell you how your complaint is going by this day.")
    return ""


def case_next_step(
    case: Case,
    *,
    open_due: date | None = None,
    identity_open: bool = False,
    late: bool = False,
) -> str:
    """Where the case stands, in plain words, and what the person can do now. `open_due` is the
    last day of the vendor's answer clock (Art. 12(3)), if one is still running; `late` whether
    that clock is missed (`facts.clock_state`)."""
    vendor = case.vendor.name
    due = date_format(open_due, "DATE_FORMAT") if open_due else ""
    status = case.status
    if late and status in (Status.AWAITING_RESPONSE, Status.EXTENDED) and not identity_open:
        return _(
            "%(vendor)s had until %(due)s to answer and has not. Send it a reminder (the "
            "letters below are written for you) and give it 14 days; if it still does not "
            "answer in full, complain to a data-protection authority. If an answer did come, "
            "record it."
        ) % {"vendor": vendor, "due": due}
    if status == Status.DRAFT:
        return _(
            "Send your request to %(vendor)s: take the letter below and send it by e-mail, "
            "through the company's web form or by post. Then record the day you sent it: the "
            "company has one month from the day it receives the request."
        ) % {"vendor": vendor}
    if status == Status.SENT:
        return _(
            "Your letter is on its way. When it arrives (see the tracking), record the day: "
            "the one-month clock starts then."
        )
    if status == Status.PAUSED_FOR_IDENTITY or identity_open:
        return _(
            "%(vendor)s asked you to prove who you are or to clarify the request, and the clock "
            "stands still until it has your answer. Answer, then record the day your answer "
            "reached it. It may ask for more only if it has reasonable doubts about who you "
            "are (Art. 12(6) GDPR); a copy of your ID card is rarely needed."
        ) % {"vendor": vendor}
    if status == Status.AWAITING_RESPONSE:
        if due:
            return _(
                "Wait for the answer: %(vendor)s must answer by %(due)s. If it asks who you are, "
                "says it needs more time, or answers, record it here."
            ) % {"vendor": vendor, "due": due}
        return _("Wait for the answer, and record here whatever %(vendor)s sends you.") % {
            "vendor": vendor
        }
    if status == Status.EXTENDED:
        return _(
            "%(vendor)s said it needs more time. It must now answer by %(due)s. Record the "
            "answer when it comes."
        ) % {"vendor": vendor, "due": due or "—"}
    if status == Status.ANSWERED:
        if case.missing_items:
            return _(
                "The answer lacks %(count)s of the things you asked for. Send %(vendor)s a "
                "reminder asking for them; if it still does not deliver, complain to a "
                "data-protection authority."
            ) % {"count": len(case.missing_items), "vendor": vendor}
        return _(
            "Check what you received. If it is complete, close the case. If something is wrong, "
            "for example somebody else's recordings, record an incident."
        )
    if status == Status.ESCALATED:
        return _(
            "You reminded %(vendor)s. If it does not answer in full within the time you gave "
            "it (usually 14 days), file a complaint with a data-protection authority."
        ) % {"vendor": vendor}
    if status == Status.COMPLAINT_FILED:
        return _(
            "Your complaint is with the authority. It should tell you how it is going within "
            "three months; if it does not, you may go to court (Art. 78(2) GDPR)."
        )
    return _("This case is closed. You can still download its letters and evidence.")


def reminder_offset_label(days: int) -> str:
    """A reminder's day in words: "7 days before", "on the day", "1 day after"."""
    if days == 0:
        return _("on the day")
    if days < 0:
        return ngettext("%(days)s day before", "%(days)s days before", -days) % {"days": -days}
    return ngettext("%(days)s day after", "%(days)s days after", days) % {"days": days}
