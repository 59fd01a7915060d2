"""Issue 15.8: the API accepts what its OpenAPI schema says and refuses the rest, and the schema
describes the rules. (The live schemathesis run over every operation is
scripts/api_conformance.py, `make api-conformance`, run by .ci/run.)"""

from __future__ import annotations

import json

import pytest

from cases.models import Case
from tests.api_helpers import headers, organisation_case, organisation_key
from tests.factories import IncidentFactory, OrganisationFactory, VendorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]


@pytest.fixture
def world():
    organisation = OrganisationFactory()
    _key, secret = organisation_key(organisation)
    vendor = VendorFactory()
    return {
        "secret": secret,
        "vendor": vendor,
        "case": organisation_case(organisation, vendor=vendor, sent=True),
        "other_case": organisation_case(organisation, vendor=vendor, sent=True),
    }


def post(client, url, body, secret):
    return client.post(
        url, data=json.dumps(body), content_type="application/json", **headers(secret)
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/?page_size=null",
        "/api/v1/cases/?page_size=0",
        "/api/v1/cases/?page_size=1000",
        "/api/v1/vendors/?page=x",
        "/api/v1/cases/?updated_since=",
        "/api/v1/cases/?updated_since=2024-01-01T00:00:00",  # no offset: not RFC 3339
        "/api/v1/cases/?due_before=2024-1-1",
        "/api/v1/cases/?vendor=1.0",
        "/api/v1/cases/?vendor=",
        "/api/v1/cases/?overdue=yes",
        "/api/v1/cases/?status=",
        "/api/v1/deadlines/?state=",
        "/api/v1/deadlines/?overdue=",
        "/api/v1/statistics/vendors/?scope=",
        "/api/v1/vendors/?voice_assistant=1",
        "/api/v1/authorities/?country=",
    ],
)
def test_a_query_value_the_schema_does_not_allow_is_refused(client, world, url):
    response = client.get(url, **headers(world["secret"]))
    assert response.status_code == 400, response.content
    name = url.split("?")[1].split("=")[0]
    assert name in response.json()["error"]["fields"]


def test_the_values_the_schema_allows_are_read(client, world):
    for url in (
        "/api/v1/cases/?page_size=200&page=1",
        "/api/v1/cases/?updated_since=2024-01-01T00:00:00Z&overdue=false&status=sent",
        f"/api/v1/cases/?vendor={world['vendor'].pk}&due_before=2030-01-01",
        "/api/v1/deadlines/?state=open&overdue=true",
        "/api/v1/statistics/vendors/?scope=public",
        "/api/v1/vendors/?voice_assistant=true&country=LU",
    ):
        assert client.get(url, **headers(world["secret"])).status_code == 200, url


def test_a_json_value_of_the_wrong_type_is_refused_not_coerced(client, world):
    body = {
        "vendor": str(world["vendor"].pk),  # "1" for 1
        "requester_name": 12345,  # a number for a text
        "requester_email": "ada@example.org",
        "requester_country": "LU",
    }
    response = post(client, "/api/v1/cases/", body, world["secret"])
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"vendor", "requester_name"}
    url = f"/api/v1/cases/{world['case'].pk}/incidents/"
    response = post(
        client,
        url,
        {"kind": "misdirected_export", "discovered_on": "2024-01-01", "records_affected": 1.0},
        world["secret"],
    )
    assert response.status_code == 400
    assert "records_affected" in response.json()["error"]["fields"]


def test_a_form_body_is_refused_where_the_schema_says_json(client, world):
    response = client.post(
        f"/api/v1/cases/{world['case'].pk}/close/",
        data={"outcome": ""},
        **headers(world["secret"]),
    )
    assert response.status_code == 415


def test_well_formed_input_refused_by_a_rule_of_the_domain_is_422(client, world):
    before = Case.objects.count()
    response = post(
        client,
        "/api/v1/cases/",
        {
            "vendor": 999_999,
            "requester_name": "Ada",
            "requester_email": "ada@example.org",
            "requester_country": "LU",
        },
        world["secret"],
    )
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["vendor"]
    assert Case.objects.count() == before
    # a vendor that is not a number is outside the schema: 400
    response = post(client, "/api/v1/cases/", {"vendor": "amazon"}, world["secret"])
    assert response.status_code == 400
    # an access request without its data subject: the schema cannot say it (a follow-up takes
    # them from its parent), so a rule of the domain: 422
    response = post(client, "/api/v1/cases/", {"vendor": world["case"].vendor_id}, world["secret"])
    assert response.status_code == 422
    assert {"requester_name", "requester_email"} <= set(response.json()["error"]["fields"])
    # an incident of another case
    theirs = IncidentFactory(case=world["other_case"])
    response = post(
        client,
        f"/api/v1/cases/{world['case'].pk}/letters/",
        {"kind": "incident_notice", "incident": theirs.pk},
        world["secret"],
    )
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["incident"]


def test_an_idempotency_key_the_schema_does_not_allow_is_refused(client, world):
    for key in (" ", "a b", "é", "x" * 256):
        response = client.post(
            "/api/v1/webhooks/endpoints/",
            data=json.dumps({"url": "https://example.org/h", "event_types": ["case.updated"]}),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
            **headers(world["secret"]),
        )
        assert response.status_code == 400, key
    # a JSON list with a key used to crash the fingerprint (500)
    response = client.post(
        "/api/v1/webhooks/endpoints/",
        data="[]",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
        **headers(world["secret"]),
    )
    assert response.status_code == 400


def test_the_schema_describes_the_rules(client):
    schema = client.get("/api/schema/?format=json", HTTP_ACCEPT="application/json")
    document = json.loads(schema.content) if schema.status_code == 200 else {}
    if not document:  # served as YAML
        import yaml

        document = yaml.safe_load(client.get("/api/schema/").content)
    components = document["components"]["schemas"]
    create = components["CaseCreateInputRequest"]
    assert create["additionalProperties"] is False
    assert create["properties"]["vendor"]["minimum"] == 1
    webhook = components["WebhookEndpointInputRequest"]
    assert webhook["properties"]["event_types"]["minItems"] == 1
    assert components["ResponseInputRequest"]["oneOf"] == [
        {"required": ["contains"]},
        {"required": ["missing_items"]},
    ]
    cases = document["paths"]["/api/v1/cases/"]
    parameters = {p["name"]: p for p in cases["get"]["parameters"]}
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
    assert parameters["page"]["schema"]["minimum"] == 1
    assert "nullable" not in parameters["overdue"]["schema"]
    assert set(cases["post"]["responses"]) >= {"201", "400", "404", "409", "422"}
    assert "domain" in cases["post"]["responses"]["422"]["description"]
    assert list(cases["post"]["requestBody"]["content"]) == ["application/json"]
    idempotency = {p["name"]: p for p in cases["post"]["parameters"]}["Idempotency-Key"]
    assert idempotency["schema"]["pattern"] == "^[!-~]{1,255}$"
