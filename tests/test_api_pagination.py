"""API lists count matching rows up to API_COUNT_CAP and say when they stopped, so that a page
costs the same queries however many rows match; `next` reaches pages past the cap."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api_helpers import headers, organisation_case, organisation_key
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

CAP = 5


@pytest.fixture
def capped(settings):
    settings.API_COUNT_CAP = CAP


def cases_of_a_key(count: int) -> str:
    organisation = OrganisationFactory()
    for _ in range(count):
        organisation_case(organisation)
    _key, secret = organisation_key(organisation)
    return secret


def test_the_count_is_exact_below_the_cap(client, capped):
    secret = cases_of_a_key(CAP - 1)
    page = client.get("/api/v1/cases/?page_size=2", **headers(secret)).json()
    assert page["count"] == CAP - 1 and page["count_is_exact"] is True
    assert len(page["results"]) == 2 and page["previous"] is None
    assert page["next"] == "http://testserver/api/v1/cases/?page=2&page_size=2"


def test_the_count_is_exact_at_the_cap(client, capped):
    secret = cases_of_a_key(CAP)
    page = client.get("/api/v1/cases/", **headers(secret)).json()
    assert page["count"] == CAP and page["count_is_exact"] is True and page["next"] is None


def test_above_the_cap_the_count_is_the_cap_and_says_it_is_not_exact(client, capped):
    secret = cases_of_a_key(CAP + 3)
    page = client.get("/api/v1/cases/?page_size=2", **headers(secret)).json()
    assert page["count"] == CAP and page["count_is_exact"] is False


def test_next_leads_past_the_cap_to_the_last_row(client, capped):
    secret = cases_of_a_key(CAP + 3)
    seen, url, pages = [], "/api/v1/cases/?page_size=2", 0
    while url:
        page = client.get(url, **headers(secret)).json()
        seen += [case["id"] for case in page["results"]]
        url, pages = page["next"], pages + 1
    assert len(seen) == len(set(seen)) == CAP + 3 and pages == 4
    assert client.get("/api/v1/cases/?page_size=2&page=5", **headers(secret)).status_code == 404


def test_a_page_past_the_end_is_not_found_and_not_a_page_number_is_refused(client):
    secret = cases_of_a_key(1)
    for page in ("2", str(2**62), str(10**30)):
        response = client.get(f"/api/v1/cases/?page={page}", **headers(secret))
        assert response.status_code == 404, page
    # What the schema does not allow (an integer from 1) is a 400 naming the parameter (15.8).
    for page in ("0", "x", "-1", "", "1.0", "null"):
        response = client.get(f"/api/v1/cases/?page={page}", **headers(secret))
        assert response.status_code == 400, page
        assert list(response.json()["error"]["fields"]) == ["page"]


def test_an_empty_list_is_one_empty_first_page(client):
    secret = cases_of_a_key(0)
    page = client.get("/api/v1/cases/", **headers(secret)).json()
    assert page == {
        "count": 0,
        "count_is_exact": True,
        "next": None,
        "previous": None,
        "results": [],
    }


def page_queries(client, secret: str) -> int:
    url = "/api/v1/cases/?page_size=2"
    client.get(url, **headers(secret))  # warm: the key's last_used_at is written once a minute
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers(secret)).status_code == 200
    return len(captured)


def test_a_page_costs_the_same_queries_below_and_above_the_cap(client, capped):
    below = page_queries(client, cases_of_a_key(CAP - 2))
    above = page_queries(client, cases_of_a_key(CAP * 3))
    assert below == above


def test_the_count_reads_at_most_one_row_past_the_cap(client, capped):
    secret = cases_of_a_key(CAP * 3)
    client.get("/api/v1/cases/", **headers(secret))
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/cases/", **headers(secret))
    counts = [q["sql"] for q in captured if "COUNT(*)" in q["sql"]]
    assert len(counts) == 1 and f"LIMIT {CAP + 1}" in counts[0]


def test_the_schema_documents_the_capped_count(client, settings):
    schema = client.get("/api/schema/?format=json", HTTP_ACCEPT="application/json").json()
    page = schema["components"]["schemas"]["PaginatedCaseList"]
    assert {"count", "count_is_exact"} <= set(page["required"])
    assert f"{settings.API_COUNT_CAP:,}" in page["properties"]["count"]["description"]
    assert page["properties"]["count_is_exact"]["type"] == "boolean"
