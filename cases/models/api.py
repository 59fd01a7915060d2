"""The REST API's own records: API keys, the service accounts organisation keys act as,
idempotency records, and webhooks (endpoints, events, deliveries and each delivery attempt).

Webhook events are written by the services that record their cause (`cases.services.events`,
the mandate and letter services), inside the same transaction, so that an event exists if and
only if its cause was committed.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from cases.models.case import Case
from cases.models.people import Organisation

# --- API keys --------------------------------------------------------------------------------


class ApiScope(models.TextChoices):
    READ = "read", _("read")
    READ_WRITE = "read_write", _("read and write")


class ApiKey(AbstractAPIKey):
    """An API key of an organisation (acting through its service account) or of one person.

    djangorestframework-api-key stores only a SHA-512 of the key; the key itself is shown once,
    when it is created. The first 8 characters (`prefix`) identify it in lists and logs.
    Revoking is final.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="api_keys"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_keys",
    )
    scope = models.CharField(
        _("access"), max_length=12, choices=ApiScope.choices, default=ApiScope.READ
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False, user__isnull=True)
                | models.Q(organisation__isnull=True, user__isnull=False),
                name="apikey_belongs_to_organisation_or_user",
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "read_write"]), name="apikey_scope_known"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-created"], name="apikey_org_recent"),
            models.Index(fields=["user", "-created"], name="apikey_user_recent"),
        ]

    @property
    def can_write(self) -> bool:
        return self.scope == ApiScope.READ_WRITE

    # Not in the audit trail: django-rest-framework-api-key's primary key holds the key's hash.


class ServiceAccount(models.Model):
    """The user an organisation's API keys act as. Cases filed with an organisation key have it
    as their requester (the data subject's name and address are on the case) and an active
    mandate to the organisation. It cannot log in and belongs to no organisation: what it may
    see comes from the key, never from a membership."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="service_account"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_account"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API service account")
        verbose_name_plural = _("API service accounts")

    def __str__(self) -> str:
        return f"API service account of {self.organisation_id}"


# --- Idempotency -----------------------------------------------------------------------------


class IdempotencyRecord(models.Model):
    """The first answer to a creating POST sent with an `Idempotency-Key` header, replayed when
    the same client retries with the same key (and the same request)."""

    # "key:<prefix>" for an API key, "user:<id>" for a signed-in session.
    principal = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    # Empty while the first request still runs.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(
                fields=["principal", "key"], name="idempotency_one_per_principal_and_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"


# --- Webhooks --------------------------------------------------------------------------------


class WebhookEventType(models.TextChoices):
    CASE_CREATED = "case.created", _("a case was created (or mandated to the organisation)")
    DEADLINE_MISSED = "deadline.missed", _("a deadline was missed")
    REMINDER_DUE = "reminder.due", _("a reminder about a deadline is due")
    RESPONSE_RECORDED = "response.recorded", _("the vendor's response was recorded")
    LETTER_READY = "letter.ready", _("a letter's PDF is ready")
    INCIDENT_RECORDED = "incident.recorded", _("an incident was recorded")


def new_webhook_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class WebhookEndpoint(models.Model):
    """A URL of an organisation's that receives the events it picked, signed with its secret."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("events"), default=list)
    # Needed in clear to sign; shown to the organisation once, when the endpoint is created.
    secret = models.CharField(max_length=80, default=new_webhook_secret)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["organisation"],
                name="webhook_endpoint_active",
                condition=models.Q(is_active=True),
            ),
        ]

    def __str__(self) -> str:
        return self.url

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation_id": self.organisation_id}


class WebhookEvent(models.Model):
    """One thing that happened, as sent to every subscribed endpoint of the organisation. Its
    `message_id` is the `webhook-id` header: the same for every attempt, so that receivers can
    drop duplicates."""

    message_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_events"
    )
    type = models.CharField(max_length=32, choices=WebhookEventType.choices)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    # One event per fact ("reminder:12", "letter-ready:5"): emitting twice is harmless.
    dedupe_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.message_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class WebhookDelivery(models.Model):
    """An event on its way to one endpoint: retried with backoff until the endpoint answers 2xx
    or the attempts run out. The database is the source of truth; Celery only wakes a worker."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # Set by the worker that claimed the next attempt; another worker leaves the row alone until
    # then (a worker killed mid-attempt releases it by this time passing).
    locked_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "endpoint"], name="webhook_delivery_one_per_event_and_endpoint"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "delivered", "failed"]),
                name="webhook_delivery_state_known",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_pending",
                condition=models.Q(state="pending"),
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.state})"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: the delivery log the workspace shows."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["attempted_at", "pk"]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
