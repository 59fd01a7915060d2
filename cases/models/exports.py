"""A vendor's data export uploaded for analysis (issue 18): the file itself is Evidence (private,
hashed); this row holds the analysis's state, progress and report (aggregates and flags only)."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from cases.models.evidence import Evidence


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("waiting to be analysed")
    RUNNING = "running", _("being analysed")
    DONE = "done", _("analysed")
    FAILED = "failed", _("could not be analysed")


class VoiceExport(models.Model):
    """One uploaded export and its analysis. Deleted with its case or its evidence; the stored
    file goes with it (the receiver below), so erasing an account leaves no export behind."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="voice_exports")
    evidence = models.OneToOneField(Evidence, on_delete=models.CASCADE, related_name="voice_export")
    # The stored file's name, kept here so that it can be deleted after the rows are gone.
    file_name = models.CharField(max_length=300, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=40, blank=True)
    vendor = models.CharField(_("export format"), max_length=20, blank=True)
    # Devices and voice profiles the person says are theirs; the others are suspicious.
    owned = models.JSONField(_("your devices and voice profiles"), default=list, blank=True)
    keep_transcripts = models.BooleanField(_("keep the transcripts"), default=False)
    report = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("voice export")
        verbose_name_plural = _("voice exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.evidence.original_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status in (ExportStatus.DONE, ExportStatus.FAILED):
            return 100
        if not self.progress_total:
            return 0
        return min(99, self.progress_done * 100 // self.progress_total)

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)


@receiver(post_delete, sender=VoiceExport)
def _delete_export_file(sender: type[VoiceExport], instance: VoiceExport, **kwargs: object) -> None:
    # After commit, so that a rolled-back deletion keeps its file.
    name = instance.file_name
    if name:
        storage = Evidence._meta.get_field("file").storage  # type: ignore[attr-defined]
        transaction.on_commit(lambda: storage.delete(name))
