"""Evidence: files a user uploads to prove what happened, kept privately."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from cases.models.incident import Incident


def evidence_path(instance: Evidence, filename: str) -> str:
    # A random name on disk: the user's file name is kept in `original_name` only.
    return f"evidence/{instance.case_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """An uploaded file, with its SHA-256 so that a complaint can prove it is unchanged."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # The company's own answer (its letter, its export): a complaint encloses it by itself.
    is_vendor_answer = models.BooleanField(_("the company's answer"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
