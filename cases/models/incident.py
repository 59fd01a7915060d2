"""Incidents: what went wrong with a vendor, beyond a late answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case


class IncidentKind(models.TextChoices):
    MISDIRECTED_EXPORT = "misdirected_export", _("data sent to the wrong person")
    UNDISCLOSED_REVIEW = "undisclosed_review", _("recordings reviewed by people without notice")
    RECORDING_WITHOUT_WAKE_WORD = (
        "recording_without_wake_word",
        _("recording without the wake word"),
    )
    INCOMPLETE_ANSWER = "incomplete_answer", _("incomplete answer")
    NO_ANSWER = "no_answer", _("no answer")
    EXCESSIVE_IDENTITY_DEMAND = "excessive_identity_demand", _("excessive identity demand")
    LATE_EXTENSION_NOTICE = "late_extension_notice", _("extension notified too late")
    OTHER_BREACH = "other_breach", _("other breach")


class IncidentSide(models.TextChoices):
    """For data sent to the wrong person: whose data it was (LEGAL.md 1, the 1,700 recordings)."""

    OWN_DATA = "own_data", _("my data were sent to somebody else")
    OTHERS_DATA = "others_data", _("I received somebody else's data")


class Incident(models.Model):
    """Something that went wrong, with the dates and scale a complaint needs."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=32, choices=IncidentKind.choices)
    occurred_on = models.DateField(_("occurred on"), null=True, blank=True)
    discovered_on = models.DateField(_("discovered on"))
    reported_to_vendor_on = models.DateField(_("reported to the vendor on"), null=True, blank=True)
    # What the vendor says about its Art. 33 notification to its authority, when it says it.
    authority_notified_on = models.DateField(
        _("vendor notified its authority on"), null=True, blank=True
    )
    records_affected = models.PositiveIntegerField(_("records affected"), null=True, blank=True)
    data_categories = models.JSONField(_("data categories"), default=list, blank=True)
    description = models.TextField(_("what happened"), blank=True)
    # Only for a misdirected export: the person's own data went astray, or they received a
    # stranger's. The second is not their breach: they report it, they do not complain of it.
    side = models.CharField(
        _("whose data"), max_length=12, choices=IncidentSide.choices, blank=True
    )
    # The person says the recordings touched health, sex life or another category of Art. 9(1).
    special_categories = models.BooleanField(_("special categories of data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["discovered_on", "pk"]
        indexes = [models.Index(fields=["kind", "discovered_on"], name="incident_kind_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(occurred_on__isnull=True)
                | models.Q(occurred_on__lte=models.F("discovered_on")),
                name="incident_occurred_not_after_discovered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.discovered_on})"
