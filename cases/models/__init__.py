"""The domain model; import models from here (`from cases.models import Case`)."""

from cases.models.case import (
    ALLOWED_TRANSITIONS,
    OPEN_STATUSES,
    AppendOnlyError,
    Article15Item,
    Case,
    CaseEvent,
    Channel,
    EventKind,
    Outcome,
    RequestKind,
    Status,
)
from cases.models.deadline import Deadline, DeadlineKind, DeadlineState, Reminder
from cases.models.directory import Authority, Vendor
from cases.models.evidence import Evidence
from cases.models.incident import Incident, IncidentKind
from cases.models.letter import Letter, LetterKind, LetterStatus
from cases.models.people import Membership, Organisation, User

__all__ = [
    "ALLOWED_TRANSITIONS",
    "OPEN_STATUSES",
    "AppendOnlyError",
    "Article15Item",
    "Authority",
    "Case",
    "CaseEvent",
    "Channel",
    "Deadline",
    "DeadlineKind",
    "DeadlineState",
    "EventKind",
    "Evidence",
    "Incident",
    "IncidentKind",
    "Letter",
    "LetterKind",
    "LetterStatus",
    "Membership",
    "Organisation",
    "Outcome",
    "Reminder",
    "RequestKind",
    "Status",
    "User",
    "Vendor",
]
