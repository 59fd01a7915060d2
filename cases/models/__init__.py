"""The domain model; import models from here (`from cases.models import Case`)."""

from cases.models.api import (
    ApiKey,
    ApiScope,
    DeliveryState,
    IdempotencyRecord,
    ServiceAccount,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)
from cases.models.audit import register_audit
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
    in_article_order,
)
from cases.models.deadline import Deadline, DeadlineKind, DeadlineState, Reminder
from cases.models.directory import Authority, Vendor
from cases.models.evidence import Evidence
from cases.models.incident import Incident, IncidentKind, IncidentSide
from cases.models.letter import TO_AUTHORITY, Letter, LetterKind, LetterStatus
from cases.models.mail import (
    InboundMessage,
    MailboxState,
    MessageSource,
    MessageState,
    ReplyToken,
    Suggestion,
    UnfiledReason,
)
from cases.models.people import Membership, Organisation, User
from cases.models.statistics import IncidentFigures, StatisticsLevel, VendorFigures
from cases.models.workspace import (
    MANDATE_CONSENT_VERSION,
    BulkJob,
    Campaign,
    CaseNote,
    Invitation,
    Mandate,
    MandateScope,
    RequestVariant,
)

register_audit()  # once every model it registers is defined

__all__ = [
    "ALLOWED_TRANSITIONS",
    "MANDATE_CONSENT_VERSION",
    "OPEN_STATUSES",
    "TO_AUTHORITY",
    "ApiKey",
    "ApiScope",
    "AppendOnlyError",
    "Article15Item",
    "Authority",
    "BulkJob",
    "Campaign",
    "Case",
    "CaseEvent",
    "CaseNote",
    "Channel",
    "Deadline",
    "DeadlineKind",
    "DeadlineState",
    "DeliveryState",
    "EventKind",
    "Evidence",
    "IdempotencyRecord",
    "InboundMessage",
    "Incident",
    "IncidentFigures",
    "IncidentKind",
    "IncidentSide",
    "Invitation",
    "Letter",
    "LetterKind",
    "LetterStatus",
    "MailboxState",
    "Mandate",
    "MandateScope",
    "Membership",
    "MessageSource",
    "MessageState",
    "Organisation",
    "Outcome",
    "Reminder",
    "ReplyToken",
    "RequestKind",
    "RequestVariant",
    "ServiceAccount",
    "StatisticsLevel",
    "Status",
    "Suggestion",
    "UnfiledReason",
    "User",
    "Vendor",
    "VendorFigures",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookEventType",
    "in_article_order",
]
