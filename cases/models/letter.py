"""Letters: documents generated from a case, rendered to PDF by a worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from cases.models.directory import Authority


class LetterKind(models.TextChoices):
    ACCESS_REQUEST = "access_request", _("access request")
    REMINDER = "reminder", _("reminder to the vendor")
    INCIDENT_NOTICE = "incident_notice", _("incident notice to the vendor")
    COMPLAINT = "complaint", _("complaint to an authority")
    # Somebody else's data reached the person: a report for the authority to act on of its own
    # motion, not a complaint (Art. 77 is about one's own data).
    BREACH_REPORT = "breach_report", _("breach report to an authority")


# Letters addressed to a supervisory authority, which name it; the others go to the company.
TO_AUTHORITY = frozenset({LetterKind.COMPLAINT, LetterKind.BREACH_REPORT})


class LetterStatus(models.TextChoices):
    QUEUED = "queued", _("being prepared")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


def letter_path(instance: Letter, filename: str) -> str:
    return f"letters/{instance.case_id}/{instance.kind}-v{instance.version}-{instance.language}.pdf"


class Letter(models.Model):
    """One version of one kind of letter for a case; regenerating adds a version."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(_("kind"), max_length=20, choices=LetterKind.choices)
    version = models.PositiveSmallIntegerField(default=1)
    language = models.CharField(_("language"), max_length=8)
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=LetterStatus.choices, default=LetterStatus.QUEUED
    )
    pdf = models.FileField(upload_to=letter_path, max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    rendered_text = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    # A complaint states whether court proceedings on the same matter are pending; None: not
    # asked (other letters).
    court_proceedings_pending = models.BooleanField(
        _("court proceedings pending"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["case", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "version"], name="letter_one_per_case_kind_version"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "ready", "failed"]),
                name="letter_status_known",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="letter_status_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} ({self.language})"
