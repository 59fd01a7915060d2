"""Plain-language "what to do next" for a clock, shared by the case page and reminder e-mails."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from cases.models import Deadline, DeadlineKind


def next_step(deadline: Deadline, *, today: date) -> str:
    """One or two sentences a person who never heard of Article 15 can act on."""
    passed = deadline.due_on < today
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
    if kind == DeadlineKind.BREACH_NOTIFICATION:
        return _(
            "A company that sent your data to the wrong person must normally report it to its "
            "authority within 72 hours. Ask it whether it did, and whether the copies were erased."
        )
    if kind == DeadlineKind.AUTHORITY_PROGRESS:
        if passed:
            return _(
                "The authority has not told you of any progress within three months. You may now "
                "take it to court (Art. 78(2) GDPR); ask the authority for news first."
            )
        return _("The authority should tell you how your complaint is going by this day.")
    return ""
