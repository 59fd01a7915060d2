"""A case: one request by one data subject to one vendor, and its append-only timeline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.exceptions import InvalidTransition
from cases.models.directory import Vendor
from cases.models.people import Organisation


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    # Posted but not yet delivered: the clock starts only on delivery (Art. 12(3) "of receipt").
    SENT = "sent", _("sent")
    AWAITING_RESPONSE = "awaiting_response", _("awaiting response")
    PAUSED_FOR_IDENTITY = "paused_for_identity", _("paused for identity")
    EXTENDED = "extended", _("extended")
    ANSWERED = "answered", _("answered")
    ESCALATED = "escalated", _("escalated")
    COMPLAINT_FILED = "complaint_filed", _("complaint filed")
    CLOSED = "closed", _("closed")


# Allowed status changes, in one place. Anything else raises InvalidTransition.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SENT, Status.AWAITING_RESPONSE, Status.CLOSED}),
    Status.SENT: frozenset({Status.AWAITING_RESPONSE, Status.CLOSED}),
    Status.AWAITING_RESPONSE: frozenset(
        {
            Status.PAUSED_FOR_IDENTITY,
            Status.EXTENDED,
            Status.ANSWERED,
            Status.ESCALATED,
            Status.COMPLAINT_FILED,
            Status.CLOSED,
        }
    ),
    Status.PAUSED_FOR_IDENTITY: frozenset(
        {
            Status.AWAITING_RESPONSE,
            Status.EXTENDED,
            Status.ANSWERED,
            Status.ESCALATED,
            Status.CLOSED,
        }
    ),
    Status.EXTENDED: frozenset(
        {Status.PAUSED_FOR_IDENTITY, Status.ANSWERED, Status.ESCALATED, Status.CLOSED}
    ),
    Status.ANSWERED: frozenset({Status.ESCALATED, Status.COMPLAINT_FILED, Status.CLOSED}),
    Status.ESCALATED: frozenset({Status.ANSWERED, Status.COMPLAINT_FILED, Status.CLOSED}),
    Status.COMPLAINT_FILED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

OPEN_STATUSES = frozenset(s for s in Status if s != Status.CLOSED)


class RequestKind(models.TextChoices):
    """What a case asks of the vendor. Access comes first; the others usually follow it, as a
    case of their own linked to the access case (`Case.parent`), each with its own Art. 12(3)
    clock, checklist and outcome."""

    ACCESS = "access", _("access (Art. 15)")
    ERASURE = "erasure", _("erasure (Art. 17)")
    OBJECTION = "objection", _("objection (Art. 21)")
    WITHDRAWAL = "withdrawal", _("withdrawal of consent (Art. 7(3))")
    RESTRICTION = "restriction", _("restriction (Art. 18)")
    PORTABILITY = "portability", _("portability (Art. 20)")


# The kinds that follow an access request, in the order a letter page offers them.
FOLLOW_UP_KINDS = (
    RequestKind.ERASURE,
    RequestKind.OBJECTION,
    RequestKind.WITHDRAWAL,
    RequestKind.RESTRICTION,
    RequestKind.PORTABILITY,
)


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    WEBFORM = "webform", _("web form")
    POST = "post", _("post")


class Outcome(models.TextChoices):
    NONE = "", _("not yet known")
    COMPLETE = "complete", _("complete answer")
    PARTIAL = "partial", _("partial answer")
    REFUSED = "refused", _("refused")
    NO_ANSWER = "no_answer", _("no answer")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Article15Item(models.TextChoices):
    """What an access request asks for; each is owed under the article named. In the order of
    Article 15: the information of paragraph 1 (a) to (h), the safeguards of paragraph 2, then
    the copies of paragraph 3. Letters and pages list items in this order (`in_article_order`)."""

    PURPOSES = "purposes", _("the purposes of the processing (Art. 15(1)(a))")
    CATEGORIES = "categories", _("the categories of data (Art. 15(1)(b))")
    RECIPIENTS = (
        "recipients",
        _("the recipients, including sub-contractors and their countries (Art. 15(1)(c))"),
    )
    RETENTION = "retention", _("the retention period (Art. 15(1)(d))")
    RIGHTS = (
        "rights",
        _("the rights to rectify, erase, restrict, object and complain (Art. 15(1)(e)-(f))"),
    )
    SOURCE = "source", _("the source of the data (Art. 15(1)(g))")
    AUTOMATED_DECISIONS = (
        "automated_decisions",
        _("automated decisions and their logic (Art. 15(1)(h))"),
    )
    SAFEGUARDS = "safeguards", _("the safeguards for transfers outside the EU (Art. 15(2))")
    AUDIO = "audio", _("a copy of the audio recordings (Art. 15(3))")
    TRANSCRIPTS = "transcripts", _("the transcripts (Art. 15(3))")
    ANNOTATIONS = "annotations", _("reviewers' annotations and labels (Art. 15(3))")


class Article17Item(models.TextChoices):
    """What an answer to an erasure request must contain (Art. 17, 19), in article order. The
    codes differ from every other kind's, so that a code alone names an item everywhere."""

    ERASE_AUDIO = "erase_audio", _("the audio recordings erased (Art. 17(1))")
    ERASE_TRANSCRIPTS = "erase_transcripts", _("the transcripts erased (Art. 17(1))")
    ERASE_ANNOTATIONS = (
        "erase_annotations",
        _("reviewers' annotations and labels erased (Art. 17(1))"),
    )
    ERASE_PROCESSOR_COPIES = (
        "erase_processor_copies",
        _("the copies held by processors erased (Art. 17(1), 28(3)(g))"),
    )
    RETAINED_EXPLAINED = (
        "retained_explained",
        _("what is kept anyway, and on which ground (Art. 17(3))"),
    )
    RECIPIENTS_TOLD = "recipients_told", _("every recipient told of the erasure (Art. 19)")


class Article21Item(models.TextChoices):
    """What an answer to an objection must contain (Art. 21(1)), in article order."""

    HUMAN_REVIEW_STOPPED = (
        "human_review_stopped",
        _("human review of the recordings stopped (Art. 21(1))"),
    )
    TRAINING_STOPPED = (
        "training_stopped",
        _("use of the recordings to train or improve the service stopped (Art. 21(1))"),
    )


class Article7Item(models.TextChoices):
    """What an answer to a withdrawal of consent must contain (Art. 7(3))."""

    CONSENT_PROCESSING_STOPPED = (
        "consent_processing_stopped",
        _("the processing based on consent stopped (Art. 7(3))"),
    )


class Article18Item(models.TextChoices):
    """What an answer to a request for restriction must contain (Art. 18(1)(d), 18(3))."""

    PROCESSING_RESTRICTED = (
        "processing_restricted",
        _("the processing restricted while the objection is decided (Art. 18(1)(d))"),
    )


class Article20Item(models.TextChoices):
    """What an answer to a portability request must contain (Art. 20(1))."""

    PORTABLE_AUDIO = (
        "portable_audio",
        _("the recordings in a structured, machine-readable format (Art. 20(1))"),
    )
    PORTABLE_TRANSCRIPTS = (
        "portable_transcripts",
        _("the transcripts in a structured, machine-readable format (Art. 20(1))"),
    )


class ErasureGround(models.TextChoices):
    """Why the data must be erased, in plain words (Art. 17(1))."""

    CONSENT_WITHDRAWN = (
        "consent_withdrawn",
        _("I withdraw my consent and nothing else allows the processing (Art. 17(1)(b))"),
    )
    OBJECTION = (
        "objection",
        _("I object and no overriding legitimate grounds exist (Art. 17(1)(c))"),
    )
    UNLAWFUL = "unlawful", _("the data were processed unlawfully (Art. 17(1)(d))")


# The checklist of each kind: what the request asks and an answer must contain. Pages, services,
# letters and the API read a kind's items here and nowhere else.
CHECKLISTS: dict[str, type[models.TextChoices]] = {
    RequestKind.ACCESS: Article15Item,
    RequestKind.ERASURE: Article17Item,
    RequestKind.OBJECTION: Article21Item,
    RequestKind.WITHDRAWAL: Article7Item,
    RequestKind.RESTRICTION: Article18Item,
    RequestKind.PORTABILITY: Article20Item,
}
# Every item of every kind, kind after kind, each in its article's order.
ALL_ITEMS: list[str] = [item.value for items in CHECKLISTS.values() for item in items]


def checklist(kind: str) -> list[str]:
    """The item codes a request of `kind` asks for, in article order."""
    return [item.value for item in CHECKLISTS[kind]]


def item_choices(kind: str) -> list[tuple[str, Any]]:
    return list(CHECKLISTS[kind].choices)


def item_labels() -> dict[str, Any]:
    """The label of every item code of every kind."""
    return {item.value: item.label for items in CHECKLISTS.values() for item in items}


def in_article_order(codes: Iterable[str], kind: str = RequestKind.ACCESS) -> list[str]:
    """The known items of `kind` among `codes`, once each, in the order of the article."""
    wanted = set(codes)
    return [code for code in checklist(kind) if code in wanted]


def default_requested_items() -> list[str]:
    return [item.value for item in Article15Item]


class Case(models.Model):
    """One request by one data subject to one vendor (GDPR Art. 15 first)."""

    # The requester, organisation and vendor are looked up through the composite indexes in
    # Meta, which lead with them: a single-column index on each would only slow down writes.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cases", db_index=False
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    kind = models.CharField(
        _("request"), max_length=16, choices=RequestKind.choices, default=RequestKind.ACCESS
    )
    requested_items = models.JSONField(_("what is asked"), default=default_requested_items)
    # The access case a follow-up request (erasure, objection...) came from: the case family.
    # Same requester and vendor (services enforce it); kept when the parent is deleted.
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )
    # Plain-words grounds of an erasure request (Art. 17(1)(b), (c), (d)); empty otherwise.
    grounds = models.JSONField(_("grounds"), default=list, blank=True)

    # The data subject as the letter names them; kept on the case, not the account, because a
    # caseworker may file for somebody else.
    requester_name = models.CharField(_("name"), max_length=200)
    requester_email = models.EmailField(_("e-mail"))
    requester_address = models.TextField(_("postal address"), blank=True)
    requester_country = models.CharField(_("country of residence"), max_length=2)
    # The ISO 3166-2 subdivision of residence where it decides the competent authority (the
    # German Länder: § 40 BDSG gives private companies to the Land's authority).
    requester_region = models.CharField(_("region of residence"), max_length=8, blank=True)
    account_identifiers = models.TextField(_("account e-mail or other identifiers"), blank=True)
    device_serials = models.TextField(_("device serial numbers"), blank=True)
    language = models.CharField(_("letter language"), max_length=8, default="en")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    received_on = models.DateField(_("received by the vendor on"), null=True, blank=True)
    vendor_reference = models.CharField(_("vendor's reference"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.NONE, blank=True
    )
    # Checklist items (of the case's kind) the vendor's answer lacked; each is a ground for a
    # reminder or complaint.
    missing_items = models.JSONField(_("missing from the answer"), default=list, blank=True)
    # `facts.next_due` as stored: written by `services.deadlines_refresh`, the one place that
    # changes a case's clocks, so that lists filter and sort on an index, not on a subquery
    # per case. Never set by hand.
    next_due_on = models.DateField(_("next due"), null=True, blank=True, editable=False)
    # Reminder e-mails about this case's deadlines: off, or on at the chosen days around each
    # deadline (None: the site's REMINDER_OFFSETS_DAYS). `facts.reminder_schedule` reads both.
    reminders_enabled = models.BooleanField(_("reminders on"), default=True, db_default=True)
    reminder_offsets = models.JSONField(_("reminder days"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="case_requester_recent"),
            models.Index(fields=["organisation", "status"], name="case_org_status"),
            models.Index(fields=["organisation", "next_due_on"], name="case_org_next_due"),
            models.Index(fields=["vendor", "status"], name="case_vendor_status"),
            # The dashboard filtered by company (and status), newest first.
            models.Index(
                fields=["organisation", "vendor", "status", "-created_at"],
                name="case_org_vendor_status",
            ),
            models.Index(fields=["updated_at"], name="case_updated"),
            models.Index(fields=["-created_at"], name="case_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in Status]),
                name="case_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in RequestKind]),
                name="case_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(received_on__isnull=True)
                | models.Q(sent_on__isnull=False, received_on__gte=models.F("sent_on")),
                name="case_received_not_before_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.requester_name} → {self.vendor.name}"

    def can_transition_to(self, status: str) -> bool:
        return status in ALLOWED_TRANSITIONS[self.status]

    def transition_to(self, status: str) -> None:
        """Move to `status` if the transition table allows it; the caller saves."""
        if not self.can_transition_to(status):
            raise InvalidTransition(
                _("A case that is “%(current)s” cannot become “%(target)s”.")
                % {"current": Status(self.status).label, "target": Status(status).label}
            )
        self.status = status

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class EventKind(models.TextChoices):
    CREATED = "created", _("case created")
    SENT = "sent", _("request sent")
    DELIVERED = "delivered", _("request delivered")
    IDENTITY_REQUESTED = "identity_requested", _("vendor asked for identity or clarification")
    IDENTITY_PROVIDED = "identity_provided", _("identity or clarification provided")
    # Receipt only: it moves no clock (Art. 12(3) runs from receipt of the request, not from
    # the vendor's confirmation) and is not an answer; statistics time it apart.
    ACKNOWLEDGED = "acknowledged", _("vendor acknowledged receipt")
    EXTENSION_NOTIFIED = "extension_notified", _("vendor notified an extension")
    RESPONSE_RECEIVED = "response_received", _("response received")
    REMINDER_SENT = "reminder_sent", _("reminder sent to the vendor")
    INCIDENT_RECORDED = "incident_recorded", _("incident recorded")
    EVIDENCE_ADDED = "evidence_added", _("evidence added")
    LETTER_GENERATED = "letter_generated", _("letter generated")
    COMPLAINT_FILED = "complaint_filed", _("complaint filed")
    # Art. 78(2): only news of progress or an outcome stops the authority's three months; a
    # mere acknowledgement of receipt is recorded as such and stops nothing.
    AUTHORITY_ACKNOWLEDGED = "authority_acknowledged", _("authority acknowledged receipt")
    AUTHORITY_REPLIED = "authority_replied", _("authority reported progress or an outcome")
    DEADLINE_MISSED = "deadline_missed", _("deadline missed")
    STATUS_CHANGED = "status_changed", _("status changed")
    CLOSED = "closed", _("case closed")
    NOTE = "note", _("note")


class AppendOnlyError(RuntimeError):
    pass


class CaseEvent(models.Model):
    """One entry of a case's timeline and audit trail. Rows are never changed or deleted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("what happened"), max_length=24, choices=EventKind.choices)
    # The day it happened in the world, as the user says; recorded_at is when we learnt it.
    occurred_on = models.DateField(_("on"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["occurred_on", "recorded_at", "pk"]
        indexes = [models.Index(fields=["case", "occurred_on"], name="event_case_day")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Case events are append-only.")

    @classmethod
    def record(
        cls,
        case: Case,
        actor: Any,
        kind: str,
        *,
        on: date,
        note: str = "",
        **data: Any,
    ) -> CaseEvent:
        return cls.objects.create(
            case=case,
            actor=actor if getattr(actor, "pk", None) else None,
            kind=kind,
            occurred_on=on,
            note=note,
            data=data,
        )
