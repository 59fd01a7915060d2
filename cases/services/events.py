"""Recording what happened to a case: the one way a service writes a timeline event.

The event and the webhook it makes for the organisation that holds the case (a missed
deadline, a response, an incident: `webhooks.CASE_EVENT_TYPES`) are written in the service's
transaction, so that a webhook exists if and only if its cause was committed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cases.models import Case, CaseEvent
from cases.services.webhooks import webhooks_emit_for_case_event


def event_record(
    case: Case, actor: Any, kind: str, *, on: date, note: str = "", **data: Any
) -> CaseEvent:
    """Append an event to the case's timeline (`CaseEvent.record`) and emit its webhook."""
    event = CaseEvent.record(case, actor, kind, on=on, note=note, **data)
    webhooks_emit_for_case_event(event=event)
    return event


__all__ = ["event_record"]
