"""A provider's inbound webhook (django-anymail, Mailgun): signed posts filed, others refused."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
from django.urls import reverse

from cases.mail.addresses import reply_address_issue
from cases.models import InboundMessage, MessageSource, Suggestion
from tests.factories import CaseFactory
from tests.mail.helpers import vendor_mail

pytestmark = pytest.mark.django_db

KEY = "key-test-signing-0123456789"


@pytest.fixture
def mailgun(settings):
    settings.DSAR_INBOUND_DOMAIN = "in.dsar.example.org"
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


def post(client, raw: bytes, recipient: str, *, key: str = KEY, **override):
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "body-mime": raw.decode(),
        "recipient": recipient,
        "sender": "privacy@vendor.example.com",
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
        **override,
    }
    return client.post(reverse("cases:mail_inbound_mailgun"), data)


def test_a_correctly_signed_message_is_filed_on_its_case(client, mailgun):
    case = CaseFactory(sent=True)
    address = reply_address_issue(case=case)
    raw = vendor_mail(
        to=address,
        subject="Re",
        body="We must extend the deadline by two further months. Extension due to volume.",
    )
    response = post(client, raw, address)
    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert message.case == case and message.source == MessageSource.WEBHOOK
    assert message.suggestion == Suggestion.EXTENSION


def test_the_envelope_recipient_files_a_message_whose_headers_do_not_name_us(client, mailgun):
    case = CaseFactory(sent=True)
    address = reply_address_issue(case=case)
    raw = vendor_mail(
        to="undisclosed-recipients:;", subject="Re", body="We have received your request."
    )
    assert post(client, raw, address).status_code == 200
    assert InboundMessage.objects.get().case == case


def test_a_wrongly_signed_message_is_refused_and_stored_nowhere(client, mailgun):
    case = CaseFactory(sent=True)
    address = reply_address_issue(case=case)
    raw = vendor_mail(to=address, subject="Re", body="We have received your request.")
    assert post(client, raw, address, key="not-the-key").status_code == 400
    assert post(client, raw, address, signature="0" * 64).status_code == 400
    assert not InboundMessage.objects.exists()


def test_without_a_signing_key_there_is_no_endpoint(client, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": ""}
    raw = vendor_mail(to="x@example.org", subject="Re", body="Hi")
    assert post(client, raw, "x@example.org", key="").status_code == 404
    assert not InboundMessage.objects.exists()
