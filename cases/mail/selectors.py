"""Reads of inbound mail, always scoped: a case's messages (the caller got the case through
`cases_visible_to`), an organisation's queue (unfiled messages attributed to it, and messages
on its cases that wait for a person)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import (
    Case,
    CaseEvent,
    EventKind,
    InboundMessage,
    MessageState,
    Organisation,
    Suggestion,
)
from cases.selectors import organisation_cases

WAITING = (MessageState.UNFILED, MessageState.SUGGESTED)


def case_messages(case: Case) -> QuerySet[InboundMessage]:
    """Every message on `case`, newest first (the body is read only where shown)."""
    return InboundMessage.objects.filter(case=case).order_by("-received_at", "-pk")


def bounced_since_sent(messages: Iterable[InboundMessage], events: Iterable[CaseEvent]) -> bool:
    """Whether a letter sent by e-mail came back since the request was last sent: the page says
    at once that the request did not arrive (Art. 12(3) runs from receipt)."""
    sent = [e.occurred_on for e in events if e.kind == EventKind.SENT]
    last_sent = max(sent) if sent else None
    return any(
        m.suggestion == Suggestion.BOUNCE
        and (last_sent is None or timezone.localtime(m.received_at).date() >= last_sent)
        for m in messages
    )


def case_bounced(case: Case) -> bool:
    """`bounced_since_sent` for `case`, read from the database."""
    return bounced_since_sent(
        case_messages(case).filter(suggestion=Suggestion.BOUNCE),
        case.events.filter(kind=EventKind.SENT),
    )


def organisation_mail_queue(organisation: Organisation) -> QuerySet[InboundMessage]:
    """Unfiled and unconfirmed messages of `organisation`, oldest first: those on the cases it
    holds a mandate for, and unfiled ones attributed to it (a closed case of its named)."""
    held = organisation_cases(organisation).values("pk")  # an active mandate, nothing else
    return (
        InboundMessage.objects.filter(
            Q(organisation=organisation, case__isnull=True) | Q(case__in=held)
        )
        .filter(state__in=WAITING)
        .select_related("case__vendor", "case_hint")
        .defer("body_text")
        .order_by("received_at", "pk")
    )


__all__ = ["bounced_since_sent", "case_bounced", "case_messages", "organisation_mail_queue"]
