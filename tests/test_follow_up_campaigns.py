"""Organisations and follow-ups: a campaign offers a kind, the mandate names the kinds it covers,
and a bulk action sends the kind for every member whose mandate covers it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import services
from cases.exceptions import CaseError
from cases.models import BulkJob, Case, Mandate, Membership
from tests.factories import CaseFactory, MandateFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory(slug="stop-listening", name="Stop Listening")


@pytest.fixture
def admin(org):
    return MembershipFactory(organisation=org, role=Membership.Role.ADMIN).user


def test_a_campaign_offering_an_objection_gets_mandates_that_cover_it(org, admin):
    parent = CaseFactory(sent=True)
    campaign = services.campaign_create(
        organisation=org,
        actor=admin,
        title="Stop human review of your recordings",
        slug="stop-review",
        vendors=[parent.vendor],
        landing_en="Object to human review.",
        kind="objection",
    )
    assert campaign.kind == "objection"
    mandate = services.mandate_grant(
        case=parent,
        actor=parent.requester,
        organisation=org,
        scope=["correspondence", "complaint"],
        campaign=campaign,
    )
    assert mandate.kinds == ["access", "objection"]


def test_a_plain_mandate_covers_access_and_the_kinds_the_person_ticks(org):
    parent = CaseFactory(sent=True)
    mandate = services.mandate_grant(
        case=parent,
        actor=parent.requester,
        organisation=org,
        scope=["correspondence"],
        kinds=["erasure"],
    )
    assert mandate.kinds == ["access", "erasure"]


def test_bulk_follow_ups_are_sent_where_the_mandate_covers_the_kind_and_refused_elsewhere(
    org, admin
):
    covered = CaseFactory(sent=True)
    MandateFactory(case=covered, organisation=org, kinds=["access", "objection"])
    access_only = CaseFactory(sent=True)
    MandateFactory(case=access_only, organisation=org)
    job = services.bulk_job_create(
        organisation=org,
        actor=admin,
        kind=BulkJob.Kind.FOLLOW_UPS,
        case_ids=[covered.pk, access_only.pk],
        request_kind="objection",
    )
    services.bulk_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.succeeded == 1
    assert [f["case_id"] for f in job.failures] == [access_only.pk]
    assert "does not cover" in job.failures[0]["message"]
    follow_up = Case.objects.get(parent=covered)
    assert follow_up.kind == "objection" and follow_up.organisation_id == org.pk
    assert Mandate.objects.active().filter(case=follow_up, organisation=org).exists()
    assert not Case.objects.filter(parent=access_only).exists()
    # Running the job again (a redelivered message) sends nothing twice.
    services.bulk_job_run(job_id=job.pk)
    assert Case.objects.filter(parent=covered).count() == 1


def test_a_second_open_follow_up_of_the_same_kind_is_refused():
    parent = CaseFactory(sent=True)
    services.case_follow_ups_create(parent=parent, actor=parent.requester, kinds=["objection"])
    with pytest.raises(CaseError, match="already open"):
        services.case_follow_ups_create(parent=parent, actor=parent.requester, kinds=["objection"])


def test_a_bulk_follow_up_needs_its_kind_and_an_erasure_its_grounds(org, admin):
    with pytest.raises(CaseError) as error:
        services.bulk_job_create(
            organisation=org, actor=admin, kind=BulkJob.Kind.FOLLOW_UPS, case_ids=[1]
        )
    assert error.value.field == "request_kind"
    with pytest.raises(CaseError) as error:
        services.bulk_job_create(
            organisation=org,
            actor=admin,
            kind=BulkJob.Kind.FOLLOW_UPS,
            case_ids=[1],
            request_kind="erasure",
        )
    assert error.value.field == "grounds"


def test_the_dashboard_starts_a_bulk_follow_up(client, org, admin):
    case = CaseFactory(sent=True)
    MandateFactory(case=case, organisation=org, kinds=["access", "erasure"])
    client.force_login(admin)
    page = client.get(reverse("cases:org_dashboard", args=[org.slug])).content.decode()
    assert 'name="request_kind"' in page and 'value="follow_ups"' in page
    response = client.post(
        reverse("cases:org_bulk", args=[org.slug]),
        {
            "action": "follow_ups",
            "cases": [case.pk],
            "request_kind": "erasure",
            "grounds": ["objection"],
        },
    )
    assert response.status_code == 302
    job = BulkJob.objects.get(organisation=org)
    assert job.params == {"request_kind": "erasure", "grounds": ["objection"]}


def test_an_admin_creates_a_campaign_offering_an_objection_from_the_page(client, org, admin):
    vendor = CaseFactory().vendor
    client.force_login(admin)
    response = client.post(
        reverse("cases:org_campaign_new", args=[org.slug]),
        {
            "title": "Stop human review",
            "slug": "stop-review",
            "vendors": [vendor.pk],
            "request_variant": "voice",
            "kind": "objection",
            "scope": ["correspondence", "complaint"],
            "landing_en": "Object to human review of your recordings.",
            "is_open": "on",
        },
    )
    assert response.status_code == 302
    assert org.campaigns.get(slug="stop-review").kind == "objection"


def test_ending_the_mandate_on_the_access_case_ends_it_for_its_follow_ups(org):
    parent = CaseFactory(sent=True)
    MandateFactory(case=parent, organisation=org, kinds=["access", "objection"])
    worker = MembershipFactory(organisation=org, role=Membership.Role.CASEWORKER).user
    (objection,) = services.case_follow_ups_create(parent=parent, actor=worker, kinds=["objection"])
    services.mandate_revoke(
        mandate=Mandate.objects.active().get(case=parent), actor=parent.requester
    )
    objection.refresh_from_db()
    assert objection.organisation_id is None
    assert not Mandate.objects.active().filter(case=objection).exists()


def test_the_person_ticks_the_follow_ups_the_mandate_covers(client, org):
    case = CaseFactory(sent=True)
    client.force_login(case.requester)
    page = client.get(reverse("cases:mandate_grant", args=[case.pk])).content.decode()
    assert 'name="kinds"' in page and 'value="erasure"' in page
    response = client.post(
        reverse("cases:mandate_grant", args=[case.pk]),
        {
            "organisation": org.pk,
            "scope": ["correspondence", "complaint"],
            "kinds": ["objection", "restriction"],
            "consent_text_version": "2025-1",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    mandate = Mandate.objects.active().get(case=case)
    assert mandate.kinds == ["access", "objection", "restriction"]
