"""What a person does with a vendor's message: confirm what it is (which records the event
through the case's own service, dated the day the vendor wrote), dismiss it, or file an unfiled
one on a case. The rules of each event (Art. 12(3) extension, identity pause, answer) stay in
cases.services; this module only chooses which one and with which date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services
from cases.exceptions import ActionNotAvailable, CaseError
from cases.mail.pipeline import message_date, message_file_on
from cases.models import (
    Case,
    CaseEvent,
    EventKind,
    InboundMessage,
    MessageState,
    Outcome,
    Status,
    Suggestion,
    User,
)
from cases.services.events import event_record

S = Suggestion
# What a confirmation can record; an automatic reply, a bounce or an unknown message records
# nothing (a bounce is flagged when it arrives).
CONFIRMABLE = (S.ACKNOWLEDGEMENT, S.IDENTITY, S.EXTENSION, S.REFUSAL, S.ANSWER)


def message_day(message: InboundMessage) -> date:
    """The day the vendor wrote, in the site's time zone; never later than today (a sender's
    clock may run fast, and no service takes a future date)."""
    return min(timezone.localtime(message_date(message)).date(), timezone.localdate())


def _locked(message: InboundMessage) -> InboundMessage:
    return (
        InboundMessage.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=message.pk)
    )


@transaction.atomic
def message_confirm(
    *,
    message: InboundMessage,
    actor: User | None,
    kind: str | None = None,
    contains: Iterable[str] | None = None,
    reason: str = "",
) -> InboundMessage:
    """Record what the message is (its suggestion, or the `kind` the person chose) as the
    case's event of that kind, on the day the vendor wrote: an acknowledgement (a confirmation of
    receipt, which moves no clock; for a posted request also its delivery), a request for
    identity or clarification (pauses the clock), an extension (Art. 12(3), with its `reason`),
    a refusal or an answer (with what it `contains`; the rest is missing, Art. 15)."""
    message = _locked(message)
    if message.case is None:
        raise CaseError(_("File the message on a case first."), field="case")
    if message.state != MessageState.SUGGESTED:
        raise CaseError(_("This message has already been dealt with."), field="kind")
    kind = kind or message.suggestion
    if kind not in CONFIRMABLE:
        raise CaseError(_("Choose what the message is."), field="kind")
    case: Case = message.case
    day = message_day(message)
    last_event = case.events.order_by("-pk").values_list("pk", flat=True).first() or 0
    if kind == S.ACKNOWLEDGEMENT:
        if case.status == Status.SENT:  # posted: it arrived by the day the vendor wrote
            services.case_record_delivery(case=case, actor=actor, delivered_on=day)
        try:
            services.case_record_acknowledgement(
                case=case, actor=actor, acknowledged_on=day, note=message.subject[:500]
            )
        except ActionNotAvailable:  # acknowledged or answered already: a note says it
            event_record(
                case,
                actor,
                EventKind.NOTE,
                on=day,
                note=_("The company acknowledged receipt of the request."),
                inbound_message_id=message.pk,
            )
    elif kind == S.IDENTITY:
        services.case_identity_requested(
            case=case, actor=actor, requested_on=day, note=message.subject[:500]
        )
    elif kind == S.EXTENSION:
        reason = reason.strip() or message.extension_reason or _("No reason given in the message.")
        services.case_extension_notified(case=case, actor=actor, notified_on=day, reason=reason)
    elif kind == S.REFUSAL:
        services.case_record_response(
            case=case,
            actor=actor,
            received_on=day,
            missing_items=case.requested_items,
            note=_("The company refused the request."),
        )
        case.refresh_from_db()
        case.outcome = Outcome.REFUSED
        case.save(update_fields=["outcome", "updated_at"])
    else:
        services.case_record_response(
            case=case,
            actor=actor,
            received_on=day,
            contains=list(contains) if contains is not None else list(case.requested_items),
            note=message.subject[:500],
        )
    message.event = (
        CaseEvent.objects.filter(case=case, pk__gt=last_event)
        .exclude(kind=EventKind.DEADLINE_MISSED)
        .order_by("pk")
        .first()
    )
    message.state = MessageState.CONFIRMED
    message.suggestion = kind
    message.decided_by = actor if getattr(actor, "pk", None) else None
    message.decided_at = timezone.now()
    message.save(update_fields=["event", "state", "suggestion", "decided_by", "decided_at"])
    return message


@transaction.atomic
def message_dismiss(*, message: InboundMessage, actor: User | None) -> InboundMessage:
    """Nothing to record (an automatic reply, a message that needs no event)."""
    message = _locked(message)
    if not message.waiting:
        raise CaseError(_("This message has already been dealt with."), field="kind")
    message.state = MessageState.DISMISSED
    message.decided_by = actor if getattr(actor, "pk", None) else None
    message.decided_at = timezone.now()
    message.save(update_fields=["state", "decided_by", "decided_at"])
    return message


@transaction.atomic
def message_file(*, message: InboundMessage, case: Case, actor: User | None) -> InboundMessage:
    """File an unfiled message on `case` (which the caller may act on, and which is open)."""
    message = _locked(message)
    if message.state != MessageState.UNFILED:
        raise CaseError(_("This message is already on a case."), field="case")
    if not case.is_open:
        raise CaseError(_("The case is closed."), field="case")
    message_file_on(message=message, case=case, actor=actor)
    message.refresh_from_db()
    return message


__all__ = ["CONFIRMABLE", "message_confirm", "message_day", "message_dismiss", "message_file"]
