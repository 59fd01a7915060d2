"""Done when: a partner script with an API key files a case, follows its deadlines, records the
response, generates and downloads the complaint, and receives webhooks, using only the published
schema.

Everything is real: gunicorn serving the app on 127.0.0.1, a Celery worker on a private Redis
rendering the letter and delivering the webhooks, PostgreSQL, and an HTTP receiver. The script
knows its key, the server's address and its receiver's URL; every endpoint it calls it finds in
/api/schema/ by operationId.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.utils import timezone
from standardwebhooks import Webhook

from tests import live
from tests.api_helpers import WebhookReceiver, organisation_key
from tests.factories import AuthorityFactory, OrganisationFactory, VendorFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
]


class PartnerClient:
    """What a partner writes from the schema alone: operations by id, the key in a header."""

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Api-Key {key}"
        schema = requests.get(
            f"{base_url}/api/schema/", headers={"Accept": "application/json"}, timeout=30
        )
        schema.raise_for_status()
        self.schema = schema.json()
        self.operations = {
            operation["operationId"]: (method.upper(), path)
            for path, methods in self.schema["paths"].items()
            for method, operation in methods.items()
        }

    def call(self, operation_id: str, *, expect: int = 200, **kwargs: Any) -> requests.Response:
        method, path = self.operations[operation_id]
        path = path.format(**kwargs.pop("path", {}))
        response = self.session.request(method, self.base_url + path, timeout=30, **kwargs)
        assert response.status_code == expect, (operation_id, response.status_code, response.text)
        return response


def wait_until(condition, *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@pytest.fixture
def redis(tmp_path):
    server = live.PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stack(redis, tmp_path):
    """gunicorn and a Celery worker sharing the test database, the private Redis and a media
    folder."""
    port = live.free_port()
    env = live.app_env(
        REDIS_URL=redis.url,
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        WEBHOOK_ALLOW_PRIVATE_URLS="1",
        WEBHOOK_RETRY_DELAYS="1,1,1",
    )
    web = [
        str(live.BIN / "gunicorn"),
        "dsar.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
    ]
    with (
        live.running(web, env=env, log=tmp_path / "web.log"),
        live.celery_worker("partner", env=env, log=tmp_path / "worker.log", concurrency=2),
    ):
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return requests.get(f"{base}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        live.wait_for(up, timeout=60, what="gunicorn to answer")
        yield base


def test_a_partner_script_follows_a_case_from_filing_to_a_downloaded_complaint(stack):
    # Set up on the site by the organisation's admin: the key (shown once) and the directory.
    organisation = OrganisationFactory()
    _key, secret = organisation_key(organisation)
    authority = AuthorityFactory(slug="lu-cnpd", short_name="CNPD", country="LU")
    VendorFactory(slug="amazon-eu", name="Amazon", country="LU", lead_authority=authority)
    today = timezone.localdate()

    with WebhookReceiver() as receiver:
        partner = PartnerClient(stack, secret)

        # Register for webhooks; the secret comes back this once.
        endpoint = partner.call(
            "webhook_endpoints_create",
            expect=201,
            json={
                "url": receiver.url,
                "event_types": [
                    "case.created",
                    "deadline.missed",
                    "response.recorded",
                    "letter.ready",
                ],
            },
        ).json()
        verifier = Webhook(endpoint["secret"])

        # Find the vendor, file the case; a retry with the same Idempotency-Key is harmless.
        vendors = partner.call("vendors_list", params={"country": "LU"}).json()["results"]
        vendor = next(v for v in vendors if v["name"] == "Amazon")
        filing = {
            "vendor": vendor["id"],
            "requester_name": "Ada Lovelace",
            "requester_email": "ada@example.org",
            "requester_country": "LU",
            "account_identifiers": "ada@example.org",
            "requested_items": ["audio", "transcripts", "annotations", "recipients"],
        }
        idempotency = {"Idempotency-Key": str(uuid.uuid4())}
        case = partner.call("cases_create", expect=201, json=filing, headers=idempotency).json()
        retry = partner.call("cases_create", expect=201, json=filing, headers=idempotency).json()
        assert retry["id"] == case["id"]
        ids = {"case_id": case["id"]}

        # The request went out 40 days ago by e-mail: the month of Art. 12(3) has passed.
        sent_on = today - timedelta(days=40)
        case = partner.call(
            "cases_mark_sent",
            path=ids,
            json={"sent_on": sent_on.isoformat(), "channel": "email"},
        ).json()
        assert case["status"] == "awaiting_response" and case["overdue"] is True

        # Follow the deadlines: the response clock is missed, and shows among the overdue ones.
        clocks = partner.call("cases_deadlines_list", path=ids).json()
        response_clock = next(c for c in clocks if c["kind"] == "response")
        assert response_clock["state"] == "missed" and response_clock["days_left"] < 0
        overdue = partner.call("deadlines_list", params={"overdue": "true"}).json()["results"]
        assert response_clock["id"] in [c["id"] for c in overdue]
        assert [
            c["id"]
            for c in partner.call("cases_list", params={"overdue": "true"}).json()["results"]
        ] == [case["id"]]

        # The late answer came today, without the annotations or the recipients.
        case = partner.call(
            "cases_response",
            path=ids,
            json={"received_on": today.isoformat(), "contains": ["audio", "transcripts"]},
        ).json()
        assert case["status"] == "answered"
        assert sorted(case["missing_items"]) == ["annotations", "recipients"]

        # The complaint to the vendor's lead authority: 202, then ready, then the PDF.
        letter = partner.call(
            "cases_letters_create", path=ids, expect=202, json={"kind": "complaint"}
        ).json()
        assert letter["status"] == "queued" and letter["authority"] == authority.pk
        letter_ids = {**ids, "letter_id": letter["id"]}
        ready = wait_until(
            lambda: (lambda body: body if body["status"] == "ready" else None)(
                partner.call("cases_letters_retrieve", path=letter_ids).json()
            ),
            timeout=120,
            what="the complaint to be rendered",
        )
        pdf = partner.call("cases_letters_pdf", path=letter_ids).content
        assert pdf.startswith(b"%PDF")
        assert hashlib.sha256(pdf).hexdigest() == ready["sha256"]

        # Every webhook arrived once, signed with the endpoint's secret.
        expected = {"case.created", "deadline.missed", "response.recorded", "letter.ready"}
        wait_until(
            lambda: {r.json["type"] for r in receiver.received} >= expected,
            timeout=60,
            what="the webhooks",
        )
        received = list(receiver.received)
        assert {r.json["type"] for r in received} == expected
        ids_received = [r.headers["webhook-id"] for r in received]
        assert len(ids_received) == len(set(ids_received))  # each event once
        missed = [
            r.json["data"]["deadline"]["kind"] for r in received if "deadline" in r.json["data"]
        ]
        assert sorted(missed) == ["extension_notice", "response"]  # both clocks of Art. 12(3)
        for request in received:
            payload = verifier.verify(request.body, request.headers)
            assert payload["data"]["case"]["id"] == case["id"]
        letter_event = next(r.json for r in received if r.json["type"] == "letter.ready")
        assert letter_event["data"]["letter"]["url"] == partner.operations["cases_letters_pdf"][
            1
        ].format(**letter_ids)

        # The delivery log says the same.
        log = partner.call("webhook_deliveries_list").json()["results"]
        assert {d["type"] for d in log} == expected
        assert {d["state"] for d in log} == {"delivered"}
