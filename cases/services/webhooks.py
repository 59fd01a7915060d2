"""Webhooks: an organisation's endpoints, the events they receive, and their delivery.

An event is written in the transaction of what caused it, by the service that records the cause
(`events.event_record` for a timeline event, `mandate_grant`, `letter_render`), with one delivery
row per subscribed endpoint; the delivery task is queued
after commit. A worker claims a delivery, POSTs the event signed in the Standard Webhooks format
and records the attempt; a failure is retried after WEBHOOK_RETRY_DELAYS. The database is the
source of truth: the periodic `webhooks_dispatch` queues again what a lost task left behind and
emits the reminders that fell due, so a broker outage delays webhooks but loses none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import CaseError
from cases.models import (
    Case,
    CaseEvent,
    DeliveryState,
    EventKind,
    Letter,
    Mandate,
    Membership,
    Organisation,
    Reminder,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)
from cases.queue import enqueue
from cases.selectors import is_service_account
from cases.services.roles import require_role

logger = logging.getLogger(__name__)

USER_AGENT = "dsar-tracker-webhooks/1"
# The timeline events that become webhooks, and under which type.
CASE_EVENT_TYPES = {
    EventKind.DEADLINE_MISSED: WebhookEventType.DEADLINE_MISSED,
    EventKind.RESPONSE_RECEIVED: WebhookEventType.RESPONSE_RECORDED,
    EventKind.INCIDENT_RECORDED: WebhookEventType.INCIDENT_RECORDED,
}
# A delivery overdue by more than this has lost its task: the dispatcher queues it again.
LOST_TASK_GRACE = timedelta(seconds=60)
# A retry's task may wake a moment before the time stored on the row; it still goes.
EARLY_TOLERANCE = timedelta(seconds=2)


def _enqueue(delivery_id: int, *, countdown: float = 0) -> bool:
    """Queue a delivery; a broker outage is logged, and the dispatcher catches up later."""
    return enqueue("tasks.webhooks.webhook_deliver", delivery_id, countdown=countdown)


# --- Endpoints -------------------------------------------------------------------------------


def _require_manager(actor: User | None, organisation: Organisation) -> None:
    """Admins manage endpoints on the site; a read-write organisation key (acting as the
    organisation's service account) through the API."""
    if not is_service_account(actor, organisation):
        require_role(actor, organisation, Membership.Role.ADMIN)


def _private_address(host: str) -> bool:
    """Whether `host` is, or resolves to, an address the server must not call: loopback,
    private, link-local, multicast or reserved."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False  # unresolvable now; the delivery will fail and say so
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        ):
            return True
    return False


def webhook_url_check(url: str) -> str:
    """The URL if the server may send events to it; CaseError otherwise."""
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise CaseError(_("Enter a full http(s) URL."), field="url") from None
    parts = urlsplit(url)
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        if parts.scheme != "https":
            raise CaseError(_("Webhooks are only sent over https."), field="url")
        if _private_address(parts.hostname or ""):
            raise CaseError(_("This address is on a private network."), field="url")
    return url


def _clean_event_types(event_types: Iterable[str]) -> list[str]:
    chosen = [t for t in WebhookEventType.values if t in set(event_types)]
    unknown = set(event_types) - set(WebhookEventType.values)
    if unknown:
        raise CaseError(_("Unknown event: %s") % ", ".join(sorted(unknown)), field="event_types")
    if not chosen:
        raise CaseError(_("Choose at least one event."), field="event_types")
    return chosen


@transaction.atomic
def webhook_endpoint_create(
    *,
    organisation: Organisation,
    actor: User | None,
    url: str,
    event_types: Iterable[str],
    description: str = "",
) -> WebhookEndpoint:
    """Register an endpoint for some events. Its signing secret is on the returned object: show
    it to the caller once; the site never shows it again."""
    _require_manager(actor, organisation)
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        url=webhook_url_check(url),
        event_types=_clean_event_types(list(event_types)),
        description=description.strip()[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def webhook_endpoint_disable(*, endpoint: WebhookEndpoint, actor: User | None) -> WebhookEndpoint:
    """Stop sending to an endpoint; its pending deliveries fail, its log stays."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    _require_manager(actor, endpoint.organisation)
    if endpoint.is_active:
        endpoint.is_active, endpoint.disabled_at = False, timezone.now()
        endpoint.save(update_fields=["is_active", "disabled_at"])
        endpoint.deliveries.filter(state=DeliveryState.PENDING).update(
            state=DeliveryState.FAILED, last_error="endpoint disabled", locked_until=None
        )
    return endpoint


# --- Events ----------------------------------------------------------------------------------


def webhook_event_emit(
    *,
    organisation_id: int,
    event_type: str,
    data: dict[str, Any],
    case_id: int | None = None,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> WebhookEvent | None:
    """Record an event for the organisation's endpoints that subscribed to `type`, and queue its
    deliveries after commit. Nothing is written when no endpoint wants it; an event with a
    `dedupe_key` already used is not written twice."""
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(organisation_id=organisation_id, is_active=True)
        if event_type in e.event_types
    ]
    if not endpoints:
        return None
    now = now or timezone.now()
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                organisation_id=organisation_id,
                type=event_type,
                case_id=case_id,
                payload=data,
                dedupe_key=dedupe_key,
            )
            deliveries = WebhookDelivery.objects.bulk_create(
                [
                    WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=now)
                    for endpoint in endpoints
                ]
            )
    except IntegrityError:
        return None  # this fact was already sent
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk))
    return event


def _safely(emit: Any, **kwargs: Any) -> None:
    """Emit beside a service's change: a webhook problem must never undo the change it reports."""
    try:
        with transaction.atomic():
            emit(**kwargs)
    except Exception:
        logger.exception("webhook event not recorded: %r", kwargs.get("event_type"))


def _case_ref(case: Case) -> dict[str, Any]:
    """The case an event is about, with its request kind and the access case a follow-up came
    from, so that a receiver can tell an erasure's answer from an access answer."""
    return {
        "id": case.pk,
        "url": f"/api/v1/cases/{case.pk}/",
        "kind": case.kind,
        "parent": case.parent_id,
    }


def webhooks_emit_for_case_event(*, event: CaseEvent) -> None:
    """A timeline event of a case an organisation holds: a missed deadline, a response, an
    incident (see CASE_EVENT_TYPES)."""
    event_type = CASE_EVENT_TYPES.get(event.kind)
    organisation_id = event.case.organisation_id
    if event_type is None or organisation_id is None:
        return
    data: dict[str, Any] = {"case": _case_ref(event.case), "occurred_on": event.occurred_on}
    if event_type == WebhookEventType.DEADLINE_MISSED:
        data["deadline"] = {
            "kind": event.data.get("deadline_kind"),
            "due_on": event.data.get("due_on"),
        }
    elif event_type == WebhookEventType.RESPONSE_RECORDED:
        data["outcome"] = event.case.outcome
        data["missing_items"] = event.data.get("missing_items", [])
    elif event_type == WebhookEventType.INCIDENT_RECORDED:
        data["incident"] = {
            "id": event.data.get("incident_id"),
            "kind": event.data.get("incident_kind"),
        }
    _safely(
        webhook_event_emit,
        organisation_id=organisation_id,
        event_type=event_type,
        data=data,
        case_id=event.case_id,
        dedupe_key=f"case-event:{event.pk}",
    )


def webhooks_emit_for_mandate(*, mandate: Mandate) -> None:
    """A case came to the organisation: filed through the API, or mandated by its requester."""
    case = mandate.case
    _safely(
        webhook_event_emit,
        organisation_id=mandate.organisation_id,
        event_type=WebhookEventType.CASE_CREATED,
        data={
            "case": {
                **_case_ref(case),
                "status": case.status,
                "vendor": case.vendor_id,
                "campaign": mandate.campaign_id,
            }
        },
        case_id=case.pk,
        dedupe_key=f"mandate:{mandate.pk}",
    )


def webhooks_emit_for_letter(*, letter: Letter) -> None:
    """A letter's PDF is ready to download."""
    organisation_id = letter.case.organisation_id
    if organisation_id is None:
        return
    _safely(
        webhook_event_emit,
        organisation_id=organisation_id,
        event_type=WebhookEventType.LETTER_READY,
        data={
            "case": _case_ref(letter.case),
            "letter": {
                "id": letter.pk,
                "kind": letter.kind,
                "version": letter.version,
                "language": letter.language,
                "sha256": letter.sha256,
                "url": f"/api/v1/cases/{letter.case_id}/letters/{letter.pk}/pdf/",
            },
        },
        case_id=letter.case_id,
        dedupe_key=f"letter-ready:{letter.pk}",
    )


def webhooks_emit_reminders_due(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """A `reminder.due` event for every reminder whose time has come on a case of an
    organisation that subscribed, however long ago (not only since the last run), but none from
    before the organisation's first such endpoint existed."""
    now = now or timezone.now()
    subscribed = [
        e
        for e in WebhookEndpoint.objects.filter(is_active=True).only(
            "organisation_id", "event_types", "created_at"
        )
        if WebhookEventType.REMINDER_DUE in e.event_types
    ]
    since: dict[int, datetime] = {}
    for endpoint in subscribed:
        first = since.get(endpoint.organisation_id)
        since[endpoint.organisation_id] = min(first or endpoint.created_at, endpoint.created_at)
    emitted = 0
    for organisation_id, start in since.items():
        sent = WebhookEvent.objects.filter(dedupe_key=OuterRef("dedupe"))
        due = (
            Reminder.objects.filter(
                deadline__case__organisation_id=organisation_id,
                send_at__lte=now,
                send_at__gte=start,
                cancelled_at__isnull=True,
            )
            .annotate(dedupe=Concat(Value("reminder:"), Cast("pk", CharField())))
            .exclude(Exists(sent))
            .select_related("deadline__case")
            .order_by("send_at", "pk")
        )
        while batch := list(due[:batch_size]):
            progressed = False
            for reminder in batch:
                deadline = reminder.deadline
                event = webhook_event_emit(
                    organisation_id=organisation_id,
                    event_type=WebhookEventType.REMINDER_DUE,
                    data={
                        "case": _case_ref(deadline.case),
                        "deadline": {
                            "id": deadline.pk,
                            "kind": deadline.kind,
                            "due_on": deadline.due_on,
                            "state": deadline.state,
                        },
                        "reminder": {"id": reminder.pk, "offset_days": reminder.offset_days},
                    },
                    case_id=deadline.case_id,
                    dedupe_key=f"reminder:{reminder.pk}",
                )
                emitted += event is not None
                progressed = progressed or event is not None
            if len(batch) < batch_size or not progressed:
                break  # the last batch, or nothing could be emitted (endpoints just disabled)
    return emitted


# --- Delivery --------------------------------------------------------------------------------


def webhook_body(event: WebhookEvent) -> bytes:
    """The request body: the same bytes on every attempt."""
    envelope = {"type": event.type, "timestamp": event.created_at, "data": event.payload}
    return json.dumps(envelope, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def webhook_signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header (Standard Webhooks): `v1,` and the base64 HMAC-SHA256 of
    `{id}.{timestamp}.{body}`, keyed with the base64-decoded part of `whsec_...`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _retry_delay(attempts: int) -> float | None:
    """Seconds before the next attempt after `attempts` failed ones; None when they ran out."""
    delays = settings.WEBHOOK_RETRY_DELAYS
    return delays[attempts - 1] if attempts <= len(delays) else None


def _post(endpoint: WebhookEndpoint, event: WebhookEvent) -> tuple[int | None, str]:
    """One signed POST; (status code or None, error text)."""
    parts = urlsplit(endpoint.url)
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS and _private_address(parts.hostname or ""):
        return None, "refused: the endpoint resolves to a private address"
    body = webhook_body(event)
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": event.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook_signature(
            secret=endpoint.secret, message_id=event.message_id, timestamp=timestamp, body=body
        ),
    }
    try:
        response = requests.post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    response.close()
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code}"


def webhook_deliver(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Make the next attempt of a delivery if it is due and nobody else is making it; True if
    the endpoint took the event.

    The conditional UPDATE on `locked_until` is the claim, so a duplicate task does nothing; no
    transaction stays open during the HTTP request. A failure schedules the next attempt after
    WEBHOOK_RETRY_DELAYS (and queues it with that countdown); when the delays run out the
    delivery is marked failed.
    """
    now = now or timezone.now()
    hold = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 30)
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            state=DeliveryState.PENDING,
            next_attempt_at__lte=now + EARLY_TOLERANCE,
        )
        .exclude(locked_until__gt=now)
        .update(locked_until=now + hold)
    )
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            state=DeliveryState.FAILED, last_error="endpoint disabled", locked_until=None
        )
        return False
    started = time.monotonic()
    attempted_at = timezone.now()
    status_code, error = _post(endpoint, delivery.event)
    duration_ms = int((time.monotonic() - started) * 1000)
    attempts = delivery.attempts + 1
    ok = not error
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=attempts,
            attempted_at=attempted_at,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
        )
        fields: dict[str, Any] = {
            "attempts": attempts,
            "last_status_code": status_code,
            "last_error": error,
            "locked_until": None,
        }
        delay = None if ok else _retry_delay(attempts)
        if ok:
            fields.update(state=DeliveryState.DELIVERED, delivered_at=timezone.now())
        elif delay is None:
            fields["state"] = DeliveryState.FAILED
        else:
            fields["next_attempt_at"] = timezone.now() + timedelta(seconds=delay)
        WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)
    if delay is not None:
        _enqueue(delivery_id, countdown=delay)
    if not ok:
        logger.info("webhook delivery %s attempt %s failed: %s", delivery_id, attempts, error)
    return ok


def webhooks_dispatch(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """The periodic scan: emit the reminders that fell due, then queue again every delivery
    whose attempt is overdue (its task was lost: broker down, worker killed). The claim in
    `webhook_deliver` makes a delivery queued twice harmless."""
    now = now or timezone.now()
    webhooks_emit_reminders_due(now=now)
    overdue = (
        WebhookDelivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=now - LOST_TASK_GRACE
        )
        .exclude(locked_until__gt=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    queued = 0
    for delivery_id in overdue:
        if not _enqueue(delivery_id):
            break
        queued += 1
    return queued


def webhook_redeliver(*, delivery: WebhookDelivery, actor: User | None) -> WebhookDelivery:
    """Send a failed delivery again, from its first attempt's schedule."""
    _require_manager(actor, delivery.endpoint.organisation)
    if not delivery.endpoint.is_active:
        raise CaseError(_("This endpoint is disabled."))
    updated = WebhookDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.FAILED).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now(), locked_until=None
    )
    if not updated:
        raise CaseError(_("Only a failed delivery can be sent again."))
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    delivery.refresh_from_db()
    return delivery


__all__ = [
    "webhook_body",
    "webhook_deliver",
    "webhook_endpoint_create",
    "webhook_endpoint_disable",
    "webhook_event_emit",
    "webhook_redeliver",
    "webhook_signature",
    "webhook_url_check",
    "webhooks_dispatch",
    "webhooks_emit_for_case_event",
    "webhooks_emit_for_letter",
    "webhooks_emit_for_mandate",
    "webhooks_emit_reminders_due",
]
