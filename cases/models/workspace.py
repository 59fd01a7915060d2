"""The advocacy workspace: mandates (GDPR Art. 80(1)), invitations, campaigns, internal notes,
bulk jobs, and the audit trail's registration.

An organisation sees a case only while the case's requester has mandated it: `Mandate` is the
record of that consent, kept after revocation so that the trail shows who could see what, when.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.case import Article15Item, Case, RequestKind
from cases.models.directory import Vendor
from cases.models.people import Membership, Organisation

# --- Mandates --------------------------------------------------------------------------------


class MandateScope(models.TextChoices):
    """What the data subject lets the organisation do in their name (Art. 80(1))."""

    CORRESPONDENCE = "correspondence", _("write to the company in my name (reminders)")
    COMPLAINT = "complaint", _("lodge a complaint with a data-protection authority (Art. 77)")
    REMEDY = "remedy", _("seek a remedy against the authority or the company (Art. 78, 79)")


# The consent texts a person agrees to, by version. A text is never edited once in use: a change
# adds a version, so that every mandate can show the exact words its giver accepted.
MANDATE_CONSENT_TEXTS: dict[str, Any] = {
    "2025-1": _(
        "I mandate %(organisation)s, a not-for-profit body active in the protection of personal "
        "data, to act for me on this request under Article 80(1) GDPR, within the scope ticked "
        "below. It may see this case, its letters and its evidence, and write to the company and "
        "to the authority in my name. I can end this mandate at any time on the case page; the "
        "organisation then loses access, and the record of what it did stays."
    ),
}
MANDATE_CONSENT_VERSION = "2025-1"


def consent_text(version: str, organisation: Organisation | str) -> str:
    return str(MANDATE_CONSENT_TEXTS[version]) % {"organisation": organisation}


def default_mandate_kinds() -> list[str]:
    return [RequestKind.ACCESS.value]


class MandateQuerySet(models.QuerySet["Mandate"]):
    def active(self) -> MandateQuerySet:
        return self.filter(revoked_at__isnull=True)


class Mandate(models.Model):
    """A data subject's mandate to an organisation to act on one case (GDPR Art. 80(1))."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mandates")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="mandates"
    )
    campaign = models.ForeignKey(
        "cases.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mandates",
    )
    scope = models.JSONField(_("scope"), default=list)
    # The request kinds (`RequestKind`) the organisation may send in the person's name; a
    # follow-up of a kind outside it is refused (Art. 80(1): the mandate sets what it may do).
    kinds = models.JSONField(_("requests covered"), default=default_mandate_kinds)
    consent_text_version = models.CharField(_("consent text version"), max_length=20)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(revoked_at__isnull=True),
                name="mandate_one_active_per_case",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | models.Q(revoked_at__gte=models.F("granted_at")),
                name="mandate_revoked_after_granted",
            ),
        ]
        indexes = [
            # The dashboard's question: which cases is this organisation mandated for now?
            models.Index(
                fields=["organisation", "case"],
                name="mandate_active_by_org",
                condition=models.Q(revoked_at__isnull=True),
            ),
            models.Index(fields=["campaign"], name="mandate_campaign"),
        ]

    def __str__(self) -> str:
        return f"Mandate for case #{self.case_id} to {self.organisation_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def consent_text(self) -> str:
        return consent_text(self.consent_text_version, self.organisation)

    def get_scope_display(self) -> list[str]:
        labels = dict(MandateScope.choices)
        return [str(labels.get(s, s)) for s in self.scope]

    def covers_kind(self, kind: str) -> bool:
        """Whether the person mandated the organisation to send requests of `kind`."""
        return kind in (self.kinds or [])

    def get_additional_data(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "organisation_id": self.organisation_id}


# --- Invitations -----------------------------------------------------------------------------


def token_digest(token: str) -> str:
    """Invitations store the SHA-256 of their token: a leaked table opens no door."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An e-mail invitation to join an organisation; accepting needs an account with that
    address."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=12, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation_id} ({self.role})"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation_id": self.organisation_id}


# --- Campaigns -------------------------------------------------------------------------------


class RequestVariant(models.TextChoices):
    FULL = "full", _("everything Article 15 gives")
    VOICE = "voice", _("the recordings: audio, transcripts, annotations, recipients, retention")


REQUEST_VARIANT_ITEMS: dict[str, list[str]] = {
    RequestVariant.FULL: [item.value for item in Article15Item],
    RequestVariant.VOICE: [
        Article15Item.AUDIO.value,
        Article15Item.TRANSCRIPTS.value,
        Article15Item.ANNOTATIONS.value,
        Article15Item.RECIPIENTS.value,
        Article15Item.RETENTION.value,
    ],
}


def default_scope() -> list[str]:
    return [MandateScope.CORRESPONDENCE.value, MandateScope.COMPLAINT.value]


class Campaign(models.Model):
    """An organisation's public call to file requests to some vendors under its mandate."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="campaigns"
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(_("title"), max_length=200)
    vendors = models.ManyToManyField(Vendor, related_name="campaigns", verbose_name=_("vendors"))
    request_variant = models.CharField(
        _("what the request asks for"),
        max_length=12,
        choices=RequestVariant.choices,
        default=RequestVariant.FULL,
    )
    scope = models.JSONField(_("mandate scope asked for"), default=default_scope)
    # What the campaign asks the vendors: access, or a follow-up such as an objection ("stop
    # human review of your recordings"); members' mandates then cover that kind too.
    kind = models.CharField(
        _("request"), max_length=16, choices=RequestKind.choices, default=RequestKind.ACCESS
    )
    landing_en = models.TextField(_("landing text (English)"))
    landing_fr = models.TextField(_("landing text (French)"), blank=True)
    landing_de = models.TextField(_("landing text (German)"), blank=True)
    is_open = models.BooleanField(_("open for new people"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="campaign_slug_unique_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def landing_text(self, language: str) -> str:
        """The landing text in `language`, English when that translation is missing."""
        return getattr(self, f"landing_{language[:2]}", "") or self.landing_en

    @property
    def requested_items(self) -> list[str]:
        return REQUEST_VARIANT_ITEMS[self.request_variant]

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation_id": self.organisation_id}


# --- Internal notes --------------------------------------------------------------------------


class CaseNote(models.Model):
    """A note by an organisation's member on a case; the requester never sees it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "organisation"], name="note_case_org")]

    def __str__(self) -> str:
        return f"Note on case #{self.case_id}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "organisation_id": self.organisation_id, "internal": True}


# --- Bulk jobs -------------------------------------------------------------------------------


class BulkJob(models.Model):
    """One bulk action over many cases, run by a worker in chunks; progress and per-case
    failures are stored here so that the page can show them while it runs."""

    class Kind(models.TextChoices):
        ASSIGN = "assign", _("assign")
        REMINDERS = "reminders", _("generate reminders")
        COMPLAINTS = "complaints", _("generate complaints")
        # params: {"request_kind": ..., "grounds": [...]}: one follow-up per access case.
        FOLLOW_UPS = "follow_ups", _("send a follow-up request")

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("stopped by an error")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="bulk_jobs"
    )
    kind = models.CharField(_("action"), max_length=12, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    case_ids = models.JSONField(default=list)
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    # [{"case_id": 12, "message": "..."}], one per case that could not be processed.
    failures = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bulk job")
        verbose_name_plural = _("bulk jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="bulkjob_org_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")), name="bulkjob_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.done}/{self.total})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100
