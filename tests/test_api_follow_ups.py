"""The API for follow-up requests: create a kind from an access case, act on it, read it, the
schema's checklists per kind, and the kind in webhooks."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, WebhookEvent, checklist
from tests.api_helpers import headers, organisation_case, organisation_key, personal_key
from tests.factories import CaseFactory, MandateFactory, OrganisationFactory, UserFactory
from tests.test_api_webhooks import endpoint_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]


def post(client, url, data, secret):
    return client.post(
        url, data=json.dumps(data), content_type="application/json", **headers(secret)
    )


def test_a_person_files_an_objection_from_their_access_case_acts_on_it_and_reads_it(client):
    parent = CaseFactory(sent=True)
    _key, secret = personal_key(parent.requester)
    response = post(client, "/api/v1/cases/", {"kind": "objection", "parent": parent.pk}, secret)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "objection" and body["parent"] == parent.pk
    assert body["requested_items"] == checklist("objection")
    assert body["vendor"]["id"] == parent.vendor_id
    case_id = body["id"]

    sent_on = timezone.localdate() - timedelta(days=3)
    response = post(
        client,
        f"/api/v1/cases/{case_id}/mark-sent/",
        {"sent_on": str(sent_on), "channel": "email"},
        secret,
    )
    assert response.status_code == 200, response.json()
    assert "response" in {d["kind"] for d in response.json()["deadlines"]}
    response = post(
        client,
        f"/api/v1/cases/{case_id}/response/",
        {"received_on": str(timezone.localdate()), "contains": ["human_review_stopped"]},
        secret,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["missing_items"] == ["training_stopped"]
    assert response.json()["outcome"] == "partial"

    listed = client.get("/api/v1/cases/", **headers(secret)).json()["results"]
    assert {c["id"]: c["kind"] for c in listed} == {case_id: "objection", parent.pk: "access"}


def test_an_access_item_is_refused_on_an_objection(client):
    parent = CaseFactory(sent=True)
    _key, secret = personal_key(parent.requester)
    case_id = post(client, "/api/v1/cases/", {"kind": "objection", "parent": parent.pk}, secret)
    case_id = case_id.json()["id"]
    post(
        client,
        f"/api/v1/cases/{case_id}/mark-sent/",
        {"sent_on": str(timezone.localdate()), "channel": "email"},
        secret,
    )
    response = post(
        client,
        f"/api/v1/cases/{case_id}/response/",
        {"received_on": str(timezone.localdate()), "missing_items": ["audio"]},
        secret,
    )
    assert response.status_code == 422
    assert "missing_items" in response.json()["error"]["fields"]


def test_erasure_needs_grounds_and_a_follow_up_takes_its_details_from_the_parent(client):
    parent = CaseFactory(sent=True)
    _key, secret = personal_key(parent.requester)
    response = post(client, "/api/v1/cases/", {"kind": "erasure", "parent": parent.pk}, secret)
    assert response.status_code == 422
    assert "grounds" in response.json()["error"]["fields"]
    response = post(
        client,
        "/api/v1/cases/",
        {"kind": "erasure", "parent": parent.pk, "requester_name": "Someone Else"},
        secret,
    )
    assert response.status_code == 422
    assert "requester_name" in response.json()["error"]["fields"]
    response = post(client, "/api/v1/cases/", {"kind": "erasure"}, secret)
    assert response.status_code == 422 and "parent" in response.json()["error"]["fields"]
    response = post(
        client,
        "/api/v1/cases/",
        {"kind": "erasure", "parent": parent.pk, "grounds": ["unlawful"]},
        secret,
    )
    assert response.status_code == 201
    assert response.json()["grounds"] == ["unlawful"]


def test_another_persons_access_case_is_not_found(client):
    parent = CaseFactory(sent=True)
    _key, secret = personal_key(UserFactory())
    response = post(client, "/api/v1/cases/", {"kind": "objection", "parent": parent.pk}, secret)
    assert response.status_code == 404
    assert not Case.objects.filter(parent=parent).exists()


def test_an_organisation_key_is_refused_a_kind_outside_the_mandate(client):
    organisation = OrganisationFactory()
    _key, secret = organisation_key(organisation)
    parent = organisation_case(organisation, sent=True)
    response = post(client, "/api/v1/cases/", {"kind": "objection", "parent": parent.pk}, secret)
    assert response.status_code == 403
    assert "mandate" in response.json()["error"]["message"]


def test_an_organisation_key_sends_a_kind_the_mandate_covers_and_the_webhook_carries_it(client):
    organisation = OrganisationFactory()
    endpoint_for(organisation)
    _key, secret = organisation_key(organisation)
    parent = CaseFactory(sent=True)
    MandateFactory(case=parent, organisation=organisation, kinds=["access", "objection"])
    response = post(client, "/api/v1/cases/", {"kind": "objection", "parent": parent.pk}, secret)
    assert response.status_code == 201, response.json()
    case_id = response.json()["id"]
    event = WebhookEvent.objects.get(case_id=case_id, type="case.created")
    body = json.loads(services.webhook_body(event))
    assert body["data"]["case"]["kind"] == "objection"
    assert body["data"]["case"]["parent"] == parent.pk


def test_the_schema_describes_each_kinds_checklist(client):
    schema = client.get("/api/schema/?format=json", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    assert components["Article17ItemEnum"]["enum"] == checklist("erasure")
    assert "Art. 19" in components["Article17ItemEnum"]["description"]
    assert components["Article21ItemEnum"]["enum"] == checklist("objection")
    assert set(components["CaseChecklist"]["properties"]) == {
        "access",
        "erasure",
        "objection",
        "withdrawal",
        "restriction",
        "portability",
    }
    create = components["CaseCreateInputRequest"]["properties"]
    assert {"kind", "parent", "grounds"} <= set(create)
    assert "withdrawal" in json.dumps(components["RequestKindEnum"])
