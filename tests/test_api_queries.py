"""List endpoints cost the same number of SQL queries whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Membership
from tests.api_helpers import headers, organisation_case, organisation_key
from tests.factories import (
    AuthorityFactory,
    CampaignFactory,
    CaseEventFactory,
    CaseFactory,
    DeadlineFactory,
    EvidenceFactory,
    IncidentFactory,
    LetterFactory,
    MandateFactory,
    MembershipFactory,
    OrganisationFactory,
    VendorFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

ROWS = 30


@pytest.fixture
def busy_organisation():
    organisation = OrganisationFactory()
    vendors = [VendorFactory() for _ in range(3)]
    campaign = CampaignFactory(organisation=organisation, vendors=vendors)
    for n in range(ROWS):
        case = CaseFactory(vendor=vendors[n % 3], sent=True)
        MandateFactory(case=case, organisation=organisation, campaign=campaign)
        DeadlineFactory(case=case)
    first = organisation_case(organisation, sent=True)
    for _ in range(ROWS):
        CaseEventFactory(case=first)
        IncidentFactory(case=first)
        EvidenceFactory(case=first)
    for version in range(1, ROWS + 1):
        LetterFactory(case=first, version=version)
    for _ in range(ROWS):
        AuthorityFactory()
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    services.webhook_endpoint_create(
        organisation=organisation,
        actor=admin,
        url="http://127.0.0.1:9/hook",
        event_types=["incident.recorded"],
    )
    for _ in range(ROWS):
        services.incident_record(
            case=first, actor=None, kind="no_answer", discovered_on=first.sent_on
        )
    return organisation, first


def queries(client, url: str, secret: str) -> int:
    client.get(url, **headers(secret))  # warm: the key's last_used_at is written once a minute
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers(secret))
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) > 1
    return len(captured)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/",
        "/api/v1/cases/?overdue=false&ordering=next_due",
        "/api/v1/deadlines/",
        "/api/v1/cases/{case}/events/",
        "/api/v1/cases/{case}/incidents/",
        "/api/v1/cases/{case}/evidence/",
        "/api/v1/cases/{case}/letters/",
        "/api/v1/vendors/",
        "/api/v1/authorities/",
        "/api/v1/webhooks/deliveries/",
    ],
)
def test_a_list_costs_the_same_queries_for_2_or_25_rows(client, busy_organisation, path):
    organisation, first = busy_organisation
    _key, secret = organisation_key(organisation)
    url = path.format(case=first.pk)
    joiner = "&" if "?" in url else "?"
    small = queries(client, f"{url}{joiner}page_size=2", secret)
    large = queries(client, f"{url}{joiner}page_size=25", secret)
    assert small == large
    assert large <= 6


def test_the_case_list_page_is_four_queries_with_a_key(client, busy_organisation):
    organisation, _first = busy_organisation
    _key, secret = organisation_key(organisation)
    # key (with its organisation and service account), count, page; the cache counts the budget.
    assert queries(client, "/api/v1/cases/?page_size=100", secret) <= 4
