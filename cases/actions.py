"""The one table of which actions a case allows now. The service behind each action refuses
anything else (`require_allowed`, raising `ActionNotAvailable`); the case page and the API only
display it (`available_actions`), so a person is never offered an action that would be refused."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from cases import clocks
from cases.exceptions import ActionNotAvailable
from cases.models import Case, CaseEvent, EventKind, Status

MARK_SENT = "mark_sent"
DELIVERY = "delivery"
ACKNOWLEDGEMENT = "acknowledgement"
IDENTITY_REQUESTED = "identity_requested"
IDENTITY_PROVIDED = "identity_provided"
EXTENSION = "extension"
RESPONSE = "response"
INCIDENT = "incident"
AUTHORITY_REPLY = "authority_reply"

# What the authority sent, as AUTHORITY_REPLY asks (Art. 78(2)): only news of progress or an
# outcome meets its three months; an acknowledgement of receipt does not.
REPLY_ACKNOWLEDGEMENT = "acknowledgement"
REPLY_PROGRESS = "progress"
EVIDENCE = "evidence"
CLOSE = "close"

# The order the page lists them in: the vendor's likely next move first.
ORDER = (
    MARK_SENT,
    DELIVERY,
    ACKNOWLEDGEMENT,
    RESPONSE,
    AUTHORITY_REPLY,
    IDENTITY_REQUESTED,
    IDENTITY_PROVIDED,
    EXTENSION,
    INCIDENT,
    EVIDENCE,
    CLOSE,
)


def identity_request_open(events: Sequence[CaseEvent]) -> bool:
    """Whether the vendor's last request for identity is still unanswered."""
    facts = [clocks.Fact(kind=e.kind, on=e.occurred_on, ref=e.pk or 0) for e in events]
    pauses = clocks.identity_pauses(facts)
    return bool(pauses) and pauses[-1][1] is None


def _reaches(case: Case, status: str) -> bool:
    """The service would leave the case in `status` without a refused transition."""
    return case.status == status or case.can_transition_to(status)


def allowed_actions(case: Case, events: Sequence[CaseEvent]) -> frozenset[str]:
    """The one table: what may be recorded on `case` now, given its timeline `events` (the status
    table in cases.models.case, the Art. 12(3) sequence of sending, receipt, identity pause,
    extension and answer, and the authority's answer to a complaint, Art. 78(2)). Services
    refuse anything else; pages and the API only display it."""
    actions: set[str] = set()
    identity_open = identity_request_open(events)
    if case.status == Status.DRAFT:
        actions.add(MARK_SENT)
    if case.status == Status.SENT and case.sent_on is not None:
        actions.add(DELIVERY)
    if case.received_on is not None:
        # Receipt only, once, before any answer: afterwards it would say nothing new.
        answered_or_acknowledged = any(
            e.kind in (EventKind.ACKNOWLEDGED, EventKind.RESPONSE_RECEIVED) for e in events
        )
        waiting = case.status in (Status.AWAITING_RESPONSE, Status.PAUSED_FOR_IDENTITY)
        if waiting and not answered_or_acknowledged:
            actions.add(ACKNOWLEDGEMENT)
        if not identity_open and case.can_transition_to(Status.PAUSED_FOR_IDENTITY):
            actions.add(IDENTITY_REQUESTED)
        if case.can_transition_to(Status.EXTENDED):
            actions.add(EXTENSION)
    if identity_open:
        extended = any(e.kind == EventKind.EXTENSION_NOTIFIED for e in events)
        if _reaches(case, Status.EXTENDED if extended else Status.AWAITING_RESPONSE):
            actions.add(IDENTITY_PROVIDED)
    if case.sent_on is not None and (
        case.status == Status.COMPLAINT_FILED or _reaches(case, Status.ANSWERED)
    ):
        actions.add(RESPONSE)
    if case.is_open:
        actions.update({INCIDENT, EVIDENCE})
        # Art. 78(2): once a complaint is filed, what the authority sends (an acknowledgement
        # of receipt, or news of progress or an outcome) can be recorded.
        if any(e.kind == EventKind.COMPLAINT_FILED for e in events):
            actions.add(AUTHORITY_REPLY)
    if case.can_transition_to(Status.CLOSED):
        actions.add(CLOSE)
    return frozenset(actions)


def available_actions(case: Case, events: Sequence[CaseEvent]) -> list[str]:
    """`allowed_actions` in the order the page and the API list them."""
    allowed = allowed_actions(case, events)
    return [action for action in ORDER if action in allowed]


def require_allowed(action: str, case: Case, events: Sequence[CaseEvent]) -> None:
    """What every service behind an action calls first, on the locked case: ActionNotAvailable
    unless the table allows `action` now."""
    if action not in allowed_actions(case, events):
        raise ActionNotAvailable(
            _("This cannot be recorded on this case in its present state (%(status)s).")
            % {"status": case.get_status_display()}
        )
