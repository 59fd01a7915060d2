"""A mail provider's inbound webhook (django-anymail) into the pipeline.

Anymail parses the provider's post and checks its signature (Mailgun: an HMAC of the timestamp
and token with the webhook signing key); only then does it send the `inbound` signal that
`receive_inbound` handles. Mailgun is wired here; the other providers anymail supports
(Postmark, SendGrid, SES, ...) need only their view in cases/urls.py and their secret.
"""

from __future__ import annotations

import logging
from typing import Any

from anymail.signals import AnymailInboundEvent
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from cases.mail.pipeline import message_ingest
from cases.models import MessageSource

logger = logging.getLogger(__name__)


def receive_inbound(sender: Any, event: AnymailInboundEvent, esp_name: str, **kwargs: Any) -> None:
    """One message from the provider: its MIME bytes into the pipeline. An error propagates, so
    the provider gets a 5xx and delivers again (the pipeline stores the same bytes once)."""
    message = event.message
    if message is None:
        return
    envelope = [getattr(message, "envelope_recipient", None) or ""]
    message_ingest(
        raw=message.as_bytes(), source=MessageSource.WEBHOOK, envelope_recipients=envelope
    )


@csrf_exempt
def mailgun_inbound(request: HttpRequest) -> HttpResponse:
    """Mailgun's inbound route (forward to this URL, raw MIME). Without a signing key there is
    no endpoint: an empty key would accept any signature."""
    if not settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"):
        raise Http404
    return MailgunInboundWebhookView.as_view()(request)
