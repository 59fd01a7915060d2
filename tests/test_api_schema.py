"""Schemathesis against the published schema (/api/schema/), through Django's WSGI app in this
process: every operation, authenticated with a real organisation API key, no 500, and every
response (status, content type, headers, body) as the schema says. Path ids are pointed at real
rows half of the time, so that success responses are checked too, not only 404s. Bounded: a
few examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cases import services
from cases.models import Membership
from tests.api_helpers import organisation_case, organisation_key
from tests.factories import (
    CampaignFactory,
    DeadlineFactory,
    EvidenceFactory,
    IncidentFactory,
    LetterFactory,
    MembershipFactory,
    OrganisationFactory,
    VendorFactory,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def world(db, settings):
    """An organisation with a key, a case with everything hanging off it, a ready letter."""
    settings.API_RATE_LIMIT = "100000/60"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "st"}
    }
    organisation = OrganisationFactory()
    vendor = VendorFactory()
    CampaignFactory(organisation=organisation, vendors=[vendor])
    case = organisation_case(organisation, vendor=vendor, sent=True)
    DeadlineFactory(case=case)
    letter = LetterFactory(case=case)
    services.letter_render(letter_id=letter.pk)
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    endpoint = services.webhook_endpoint_create(
        organisation=organisation,
        actor=admin,
        url="http://127.0.0.1:9/hooks",
        event_types=["incident.recorded"],
    )
    ids = {
        "case_id": case.pk,
        "incident_id": IncidentFactory(case=case).pk,
        "evidence_id": EvidenceFactory(case=case).pk,
        "letter_id": letter.pk,
        "vendor_id": vendor.pk,
        "authority_id": vendor.lead_authority_id,
        "endpoint_id": endpoint.pk,
    }
    _key, secret = organisation_key(organisation)
    # Like Django's test client: requests through the WSGI app must not close the test's
    # database connection (it holds the test's transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {"ids": ids, "secret": secret}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _load_schema() -> schemathesis.schemas.BaseSchema:
    # Loaded at collection, from the app itself; the schema view touches no database.
    from dsar.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _load_schema()


@pytest.mark.postgres
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says_and_never_500(case, world):
    ids = world["ids"]
    chosen = (case.path_parameters or {}).get("case_id")
    if isinstance(chosen, int) and chosen % 2 == 0:
        for name in case.path_parameters:
            if name in ids:
                case.path_parameters[name] = ids[name]
    case.call_and_validate(headers={"Authorization": f"Api-Key {world['secret']}"}, checks=CHECKS)
