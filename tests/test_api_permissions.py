"""Who may see and change what through the API: organisation A's key never reaches organisation
B's cases (404, as if they did not exist), a read key cannot write (403), a revoked or expired
key is refused (401), a person's key acts as the person."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import ApiScope, Case, Letter, Membership
from tests.api_helpers import headers, organisation_case, organisation_key, personal_key
from tests.factories import (
    CaseFactory,
    EvidenceFactory,
    IncidentFactory,
    LetterFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

TODAY = timezone.localdate

# Every endpoint that reads one case, as (method, path template, body); {c}, {i}, {e}, {l} are
# the case, an incident, an evidence file and a letter of that case.
READS = [
    ("get", "/api/v1/cases/{c}/"),
    ("get", "/api/v1/cases/{c}/events/"),
    ("get", "/api/v1/cases/{c}/deadlines/"),
    ("get", "/api/v1/cases/{c}/incidents/"),
    ("get", "/api/v1/cases/{c}/incidents/{i}/"),
    ("get", "/api/v1/cases/{c}/evidence/"),
    ("get", "/api/v1/cases/{c}/evidence/{e}/"),
    ("get", "/api/v1/cases/{c}/evidence/{e}/download/"),
    ("get", "/api/v1/cases/{c}/letters/"),
    ("get", "/api/v1/cases/{c}/letters/{l}/"),
    ("get", "/api/v1/cases/{c}/letters/{l}/pdf/"),
]
WRITES = [
    ("patch", "/api/v1/cases/{c}/", {"vendor_reference": "X"}),
    ("post", "/api/v1/cases/{c}/mark-sent/", {"sent_on": "{today}", "channel": "email"}),
    ("post", "/api/v1/cases/{c}/delivery/", {"delivered_on": "{today}"}),
    ("post", "/api/v1/cases/{c}/identity-requested/", {"requested_on": "{today}"}),
    ("post", "/api/v1/cases/{c}/identity-provided/", {"provided_on": "{today}"}),
    ("post", "/api/v1/cases/{c}/extension/", {"notified_on": "{today}", "reason": "busy"}),
    ("post", "/api/v1/cases/{c}/response/", {"received_on": "{today}", "missing_items": []}),
    ("post", "/api/v1/cases/{c}/close/", {}),
    (
        "post",
        "/api/v1/cases/{c}/incidents/",
        {"kind": "no_answer", "discovered_on": "{today}"},
    ),
    ("post", "/api/v1/cases/{c}/letters/", {"kind": "access_request"}),
]


@pytest.fixture
def world():
    """Two organisations, each with a key and a case that has an incident, evidence, a letter."""
    a, b = OrganisationFactory(), OrganisationFactory()
    cases = {}
    for organisation in (a, b):
        case = organisation_case(organisation, sent=True)
        cases[organisation.pk] = {
            "c": case.pk,
            "i": IncidentFactory(case=case).pk,
            "e": EvidenceFactory(case=case).pk,
            "l": LetterFactory(case=case).pk,
        }
    return {
        "a": a,
        "b": b,
        "cases": cases,
        "key_a": organisation_key(a)[1],
        "read_key_a": organisation_key(a, scope=ApiScope.READ)[1],
    }


def call(client, method, template, ids, secret, body=None):
    path = template.format(**ids)
    kwargs = headers(secret)
    if body is not None:
        payload = json.loads(json.dumps(body).replace("{today}", TODAY().isoformat()))
        kwargs.update(data=json.dumps(payload), content_type="application/json")
    return getattr(client, method)(path, **kwargs)


def error_code(response) -> str:
    return response.json()["error"]["code"]


@pytest.mark.parametrize(("method", "template"), READS)
def test_an_organisations_key_gets_404_for_another_organisations_case(
    client, world, method, template
):
    theirs = world["cases"][world["b"].pk]
    response = call(client, method, template, theirs, world["key_a"])
    assert response.status_code == 404
    assert error_code(response) == "not_found"


@pytest.mark.parametrize(("method", "template", "body"), WRITES)
def test_an_organisations_key_cannot_change_another_organisations_case(
    client, world, method, template, body
):
    theirs = world["cases"][world["b"].pk]
    before = Case.objects.get(pk=theirs["c"])
    response = call(client, method, template, theirs, world["key_a"], body)
    assert response.status_code == 404
    after = Case.objects.get(pk=theirs["c"])
    assert (after.status, after.updated_at) == (before.status, before.updated_at)


def test_another_organisations_cases_are_not_listed(client, world):
    listed = client.get("/api/v1/cases/?page_size=200", **headers(world["key_a"])).json()
    assert [c["id"] for c in listed["results"]] == [world["cases"][world["a"].pk]["c"]]
    deadlines = client.get("/api/v1/deadlines/", **headers(world["key_a"])).json()
    assert {d["case"] for d in deadlines["results"]} <= {world["cases"][world["a"].pk]["c"]}


@pytest.mark.parametrize(("method", "template"), READS[:2])
def test_a_read_key_reads(client, world, method, template):
    ours = world["cases"][world["a"].pk]
    assert call(client, method, template, ours, world["read_key_a"]).status_code == 200


@pytest.mark.parametrize(("method", "template", "body"), WRITES)
def test_a_read_key_cannot_write(client, world, method, template, body):
    ours = world["cases"][world["a"].pk]
    response = call(client, method, template, ours, world["read_key_a"], body)
    assert response.status_code == 403
    assert error_code(response) == "read_only_key"


def test_a_read_key_cannot_file_a_case_or_register_a_webhook(client, world):
    secret = world["read_key_a"]
    vendor = VendorFactory()
    response = client.post(
        "/api/v1/cases/",
        data=json.dumps({"vendor": vendor.pk}),
        content_type="application/json",
        **headers(secret),
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/webhooks/endpoints/",
        data=json.dumps({"url": "http://127.0.0.1:9/", "event_types": ["case.created"]}),
        content_type="application/json",
        **headers(secret),
    )
    assert response.status_code == 403


def test_a_revoked_key_gets_401(client):
    organisation = OrganisationFactory()
    key, secret = organisation_key(organisation)
    assert client.get("/api/v1/cases/", **headers(secret)).status_code == 200
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    services.api_key_revoke(key=key, actor=admin)

    response = client.get("/api/v1/cases/", **headers(secret))
    assert response.status_code == 401
    assert error_code(response) == "revoked_key"
    assert response["WWW-Authenticate"] == "Api-Key"


def test_an_expired_key_gets_401(client):
    key, secret = organisation_key()
    key.expiry_date = timezone.now() - timedelta(minutes=1)
    key.save(update_fields=["expiry_date"])
    response = client.get("/api/v1/me/", **headers(secret))
    assert response.status_code == 401 and error_code(response) == "expired_key"


def test_a_wrong_secret_with_a_real_prefix_gets_401(client):
    key, _secret = organisation_key()
    response = client.get("/api/v1/me/", **headers(f"{key.prefix}.not-the-secret"))
    assert response.status_code == 401 and error_code(response) == "invalid_key"


def test_only_admins_revoke_an_organisations_keys(world):
    from cases.exceptions import NotPermitted

    key = organisation_key(world["a"])[0]
    caseworker = MembershipFactory(organisation=world["a"], role=Membership.Role.CASEWORKER).user
    with pytest.raises(NotPermitted):
        services.api_key_revoke(key=key, actor=caseworker)
    with pytest.raises(NotPermitted):
        services.api_key_create_for_organisation(
            organisation=world["a"], actor=caseworker, name="x", scope="read"
        )


def test_an_organisation_loses_a_case_the_moment_its_mandate_ends(client, world):
    ours = world["cases"][world["a"].pk]
    case = Case.objects.get(pk=ours["c"])
    mandate = case.mandates.get()
    services.mandate_revoke(mandate=mandate, actor=case.requester, reason="changed my mind")
    response = client.get(f"/api/v1/cases/{case.pk}/", **headers(world["key_a"]))
    assert response.status_code == 404


def test_a_personal_key_sees_its_owners_cases_and_nobody_elses(client):
    user, stranger = UserFactory(), UserFactory()
    mine, theirs = CaseFactory(requester=user), CaseFactory(requester=stranger)
    _key, secret = personal_key(user)
    listed = client.get("/api/v1/cases/", **headers(secret)).json()
    assert [c["id"] for c in listed["results"]] == [mine.pk]
    assert client.get(f"/api/v1/cases/{theirs.pk}/", **headers(secret)).status_code == 404


def test_a_viewer_members_personal_key_reads_the_organisations_cases_but_cannot_change_them(
    client,
):
    organisation = OrganisationFactory()
    viewer = MembershipFactory(organisation=organisation, role=Membership.Role.VIEWER).user
    case = organisation_case(organisation)
    _key, secret = personal_key(viewer)
    assert client.get(f"/api/v1/cases/{case.pk}/", **headers(secret)).status_code == 200
    response = client.post(
        f"/api/v1/cases/{case.pk}/close/",
        data="{}",
        content_type="application/json",
        **headers(secret),
    )
    assert response.status_code == 403 and error_code(response) == "not_permitted"


def test_webhook_endpoints_belong_to_organisation_keys_only(client):
    _key, secret = personal_key(UserFactory())
    response = client.get("/api/v1/webhooks/endpoints/", **headers(secret))
    assert response.status_code == 403
    assert error_code(response) == "organisation_key_required"


def test_an_organisation_sees_only_its_own_webhook_endpoints_and_deliveries(client, world):
    services.webhook_endpoint_create(
        organisation=world["b"],
        actor=MembershipFactory(organisation=world["b"], role=Membership.Role.ADMIN).user,
        url="https://hooks.example.org/b",
        event_types=["case.created"],
    )
    endpoints = client.get("/api/v1/webhooks/endpoints/", **headers(world["key_a"])).json()
    assert endpoints["results"] == []
    deliveries = client.get("/api/v1/webhooks/deliveries/", **headers(world["key_a"])).json()
    assert deliveries["results"] == []


def test_a_session_without_a_csrf_token_cannot_write(client):
    from django.test import Client

    user = UserFactory()
    case = CaseFactory(requester=user)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    response = strict.post(
        f"/api/v1/cases/{case.pk}/close/", data="{}", content_type="application/json"
    )
    assert response.status_code == 403
    assert not Letter.objects.exists()
