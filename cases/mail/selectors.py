"""Reads of inbound mail, always scoped: a case's messages (the caller got the case through
`cases_visible_to`), an organisation's queue (unfiled messages attributed to it, and messages
on its cases that wait for a person)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cases.models import (
    Case,
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


def case_bounced(case: Case) -> bool:
    """Whether a letter sent by e-mail came back since the request was last sent: the page says
    at once that the request did not arrive."""
    last_sent = (
        case.events.filter(kind=EventKind.SENT)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )
    bounces = InboundMessage.objects.filter(case=case, suggestion=Suggestion.BOUNCE)
    if last_sent is not None:
        bounces = bounces.filter(received_at__date__gte=last_sent)
    return bounces.exists()


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


__all__ = ["case_bounced", "case_messages", "organisation_mail_queue"]
