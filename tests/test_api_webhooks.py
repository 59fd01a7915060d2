"""Webhooks: which events are recorded for whom, their Standard Webhooks signature, and real
delivery to a real HTTP receiver on 127.0.0.1 by a real Celery worker on a private Redis."""

from __future__ import annotations

import base64
import hashlib
import hmac
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from cases import services
from cases.exceptions import CaseError
from cases.models import (
    DeliveryState,
    Membership,
    Reminder,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from tests import live
from tests.api_helpers import WebhookReceiver, organisation_case
from tests.factories import (
    CaseFactory,
    DeadlineFactory,
    LetterFactory,
    MembershipFactory,
    OrganisationFactory,
    VendorFactory,
)

TODAY = timezone.localdate
ALL_EVENTS = [
    "case.created",
    "deadline.missed",
    "reminder.due",
    "response.recorded",
    "letter.ready",
    "incident.recorded",
]


def endpoint_for(organisation, url="http://127.0.0.1:9/hooks", events=ALL_EVENTS):
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    return services.webhook_endpoint_create(
        organisation=organisation, actor=admin, url=url, event_types=events
    )


def types_of(organisation) -> list[str]:
    return list(
        WebhookEvent.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list("type", flat=True)
    )


# --- Which events, for whom ------------------------------------------------------------------


@pytest.mark.django_db
def test_each_kind_of_event_is_recorded_once_for_the_organisation_that_holds_the_case():
    organisation = OrganisationFactory()
    endpoint_for(organisation)
    case = organisation_case(organisation)  # mandate: case.created
    services.case_mark_sent(
        case=case, actor=None, sent_on=TODAY() - timedelta(days=50), channel="email"
    )  # the response clock is missed at once: deadline.missed
    services.case_record_response(case=case, actor=None, received_on=TODAY(), missing_items=[])
    services.incident_record(case=case, actor=None, kind="no_answer", discovered_on=TODAY())
    letter = LetterFactory(case=case)
    assert services.letter_render(letter_id=letter.pk)  # letter.ready
    Reminder.objects.filter(deadline__case=case).delete()
    deadline = DeadlineFactory(case=case, kind="admonition", key="admonition")
    Reminder.objects.create(deadline=deadline, offset_days=0, send_at=timezone.now())
    assert services.webhooks_emit_reminders_due() == 1
    assert services.webhooks_emit_reminders_due() == 0  # once per reminder

    assert sorted(set(types_of(organisation))) == sorted(ALL_EVENTS)
    assert types_of(organisation).count("case.created") == 1
    assert WebhookDelivery.objects.filter(event__organisation=organisation).count() == len(
        types_of(organisation)
    )


@pytest.mark.django_db
def test_no_event_is_recorded_without_a_subscribed_endpoint_or_for_a_persons_own_case():
    organisation = OrganisationFactory()
    endpoint_for(organisation, events=["incident.recorded"])
    services.case_create(
        requester=CaseFactory().requester,
        vendor=VendorFactory(),
        requester_name="A",
        requester_email="a@example.org",
        requester_country="LU",
    )
    case = organisation_case(organisation, sent=True)  # case.created: not subscribed
    services.case_record_response(case=case, actor=None, received_on=TODAY(), missing_items=[])
    assert types_of(organisation) == []
    services.incident_record(case=case, actor=None, kind="no_answer", discovered_on=TODAY())
    assert types_of(organisation) == ["incident.recorded"]
    assert WebhookEvent.objects.count() == 1


@pytest.mark.django_db
def test_an_event_payload_names_the_case_but_holds_no_personal_data():
    organisation = OrganisationFactory()
    endpoint_for(organisation)
    case = organisation_case(organisation, requester_name="Ada Lovelace")
    event = WebhookEvent.objects.get(organisation=organisation, type="case.created")
    body = services.webhook_body(event).decode()
    assert f'"id":{case.pk}' in body
    assert "Ada" not in body and case.requester_email not in body


def test_the_signature_is_the_standard_webhooks_hmac_of_id_timestamp_and_body():
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    body = b'{"type":"case.created"}'
    signature = services.webhook_signature(
        secret=secret, message_id="msg_1", timestamp=1700000000, body=body
    )
    expected = hmac.new(b"k" * 32, b"msg_1.1700000000." + body, hashlib.sha256).digest()
    assert signature == "v1," + base64.b64encode(expected).decode()


def test_production_refuses_plain_http_and_private_addresses(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    for url in ("http://hooks.example.org/", "https://127.0.0.1/", "https://10.1.2.3/x"):
        with pytest.raises(CaseError):
            services.webhook_url_check(url)
    assert services.webhook_url_check("https://93.184.215.14/hook")


@pytest.mark.django_db
def test_a_delivery_to_a_private_address_fails_in_production_without_a_request(settings):
    organisation = OrganisationFactory()
    endpoint = endpoint_for(organisation)
    organisation_case(organisation)
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    settings.WEBHOOK_RETRY_DELAYS = []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert not services.webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and "private" in delivery.last_error


@pytest.mark.django_db
def test_a_disabled_endpoint_gets_nothing_more():
    organisation = OrganisationFactory()
    endpoint = endpoint_for(organisation)
    organisation_case(organisation)
    services.webhook_endpoint_disable(endpoint=endpoint, actor=endpoint.created_by)
    assert WebhookDelivery.objects.get(endpoint=endpoint).state == DeliveryState.FAILED
    organisation_case(organisation)
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1


# --- Real delivery ---------------------------------------------------------------------------


def live_test(test):
    """A test with real processes: the database must be visible to them."""
    for mark in (
        pytest.mark.django_db(transaction=True),
        pytest.mark.postgres,
        pytest.mark.redis,
        pytest.mark.slow,
    ):
        test = mark(test)
    return test


@pytest.fixture
def redis(tmp_path):
    server = live.PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def worker_env(redis) -> dict[str, str]:
    return live.app_env(
        REDIS_URL=redis.url, WEBHOOK_RETRY_DELAYS="1,1,1", WEBHOOK_ALLOW_PRIVATE_URLS="1"
    )


# What the web process does when a partner files a case and records what happened, run as its
# own process so that its tasks go to the private Redis the worker listens on.
WORK_ON_A_CASE = """
import sys
from datetime import date, timedelta
import django
django.setup()
from cases import services
from cases.models import Organisation, Vendor
organisation = Organisation.objects.get(slug=sys.argv[1])
case = services.case_create_for_organisation(
    organisation=organisation, vendor=Vendor.objects.get(slug=sys.argv[2]),
    requester_name="Ada", requester_email="ada@example.org", requester_country="LU",
)
if len(sys.argv) > 3:
    today = date.today()
    services.case_mark_sent(case=case, actor=None, sent_on=today - timedelta(days=3),
                            channel="email")
    services.case_record_response(case=case, actor=None, received_on=today, missing_items=[])
    services.incident_record(case=case, actor=None, kind="no_answer", discovered_on=today)
"""


def work_on_a_case(env: dict[str, str], organisation, vendor, *, everything: bool) -> None:
    args = [sys.executable, "-c", WORK_ON_A_CASE, organisation.slug, vendor.slug]
    subprocess.run(
        [*args, "all"] if everything else args, cwd=live.ROOT, env=env, check=True, timeout=60
    )


@live_test
def test_a_real_receiver_gets_each_webhook_once_with_a_valid_signature(redis, tmp_path):
    organisation, vendor = OrganisationFactory(), VendorFactory()
    env = worker_env(redis)
    with WebhookReceiver() as receiver:
        endpoint = endpoint_for(organisation, url=receiver.url)
        work_on_a_case(env, organisation, vendor, everything=True)
        expected = {"case.created", "response.recorded", "incident.recorded"}
        with live.celery_worker("hooks", env=env, log=tmp_path / "worker.log", concurrency=2):
            live.wait_for(
                lambda: {r.json["type"] for r in receiver.received} >= expected,
                timeout=60,
                what="the webhooks to arrive",
            )
            # Queue every delivery again, as a dispatcher would after a lost task: the claim
            # must keep the receiver from getting anything twice.
            for pk in WebhookDelivery.objects.values_list("pk", flat=True):
                subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        "import sys, django; django.setup();"
                        "from tasks.webhooks import webhook_deliver;"
                        "webhook_deliver.delay(int(sys.argv[1]))",
                        str(pk),
                    ],
                    cwd=live.ROOT,
                    env=env,
                    check=True,
                    timeout=60,
                )
            live.wait_for(
                lambda: not WebhookDelivery.objects.filter(state="pending").exists(),
                timeout=30,
                what="the deliveries to settle",
            )
            time.sleep(2)  # the duplicate tasks drain: they must send nothing

    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert len(ids) == len(set(ids)) == 3, ids
    verifier = Webhook(endpoint.secret)
    for request in receiver.received:
        payload = verifier.verify(request.body, request.headers)
        assert payload["type"] in expected
        assert request.headers["content-type"] == "application/json"
        event = WebhookEvent.objects.get(message_id=request.headers["webhook-id"])
        assert payload["data"]["case"]["id"] == event.case_id
    assert set(WebhookDelivery.objects.values_list("state", "attempts")) == {("delivered", 1)}


@live_test
def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_try(redis, tmp_path):
    organisation, vendor = OrganisationFactory(), VendorFactory()
    env = worker_env(redis)
    with WebhookReceiver(failures=2) as receiver:
        endpoint_for(organisation, url=receiver.url, events=["case.created"])
        work_on_a_case(env, organisation, vendor, everything=False)
        with live.celery_worker("retry", env=env, log=tmp_path / "worker.log"):
            live.wait_for(
                lambda: WebhookDelivery.objects.filter(state="delivered").exists(),
                timeout=60,
                what="the third attempt to succeed",
            )

    assert receiver.answers == [500, 500, 204]
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 3
    log = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.status_code) for a in log] == [(1, 500), (2, 500), (3, 204)]
    assert log[1].attempted_at - log[0].attempted_at >= timedelta(seconds=1)  # backoff
