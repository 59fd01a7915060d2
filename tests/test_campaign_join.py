"""Joining a campaign takes one informed consent (issue 16.6): the mandate agreed to on the
campaign page is created when the request is filed, and the organisation sees the case."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, Mandate, MandateScope, Membership, User
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, VendorFactory

# Each test files requests: rate-limit counts start at zero.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

PASSWORD = "a-long-Campaign-passphrase-7"


@pytest.fixture
def campaign():
    org = OrganisationFactory(name="Privacy Action", slug="privacy-action")
    admin = MembershipFactory(organisation=org, role=Membership.Role.ADMIN).user
    amazon = VendorFactory(name="Amazon", slug="amazon", countries=[])
    return services.campaign_create(
        organisation=org,
        actor=admin,
        title="Alexa, what do you keep?",
        vendors=[amazon],
        scope=[MandateScope.CORRESPONDENCE, MandateScope.COMPLAINT],
        landing_en="Ask Amazon for your recordings.",
    )


def request_form(email: str) -> dict:
    return {
        "requester_name": "Alice Newcomer",
        "requester_email": email,
        "requester_country": "LU",
        "account_identifiers": email,
        "requested_items": ["audio", "transcripts"],
        "language": "en",
    }


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_newcomer_joins_with_one_consent_and_the_organisation_sees_the_case(
    client, campaign, django_capture_on_commit_callbacks
):
    org = campaign.organisation
    join = reverse("cases:campaign_join", args=[org.slug, campaign.slug])

    # Not signed in: the page shows the mandate and sends them to create an account.
    page = client.get(join)
    assert "Article 80(1)" in text(page)
    assert f"{reverse('cases:register')}?next=" in text(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:register"),
            {
                "email": "alice.newcomer@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "next": join,
            },
        )
    assert response.url == join

    # The one consent: on the campaign page, before the request exists.
    response = client.post(
        join,
        {
            "vendor": campaign.vendors.get().pk,
            "case": "new",
            "consent_text_version": "2025-1",
            "consent": "on",
        },
    )
    details = reverse("cases:request_details", args=["amazon"])
    assert response.url == details

    # The request page says, before filing, where the request goes.
    page = client.get(details)
    assert 'id="joining-campaign"' in text(page)
    assert "Privacy Action acts on it with you" in text(page)

    response = client.post(details, request_form("alice.newcomer@example.org"))
    case = Case.objects.get()
    assert response.url == reverse("cases:case_detail", args=[case.pk])
    assert case.requester == User.objects.get(email="alice.newcomer@example.org")

    mandate = Mandate.objects.active().get(case=case)
    assert mandate.organisation == org and mandate.campaign == campaign
    assert mandate.scope == campaign.scope
    assert mandate.consent_text_version == "2025-1"
    assert mandate.granted_by == case.requester

    # The case page asks for nothing more: no second box to tick.
    page = client.get(response.url)
    assert "Privacy Action acts on this request with you" in text(page)
    assert 'name="consent"' not in text(page)
    assert "Finish joining" not in text(page)

    # The organisation sees the case on its dashboard.
    member = MembershipFactory(organisation=org, role=Membership.Role.CASEWORKER).user
    client.force_login(member)
    dashboard = client.get(reverse("cases:org_dashboard", args=[org.slug]))
    assert case in list(dashboard.context["page"].object_list)
    assert client.get(reverse("cases:org_case", args=[org.slug, case.pk])).status_code == 200


def test_a_request_filed_without_joining_goes_to_no_organisation(client, campaign):
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("cases:request_details", args=["amazon"]), request_form(person.email))
    case = Case.objects.get()
    assert case.organisation_id is None
    assert not Mandate.objects.exists()


def test_a_campaign_closed_before_filing_files_the_request_without_a_mandate(client, campaign):
    person = UserFactory()
    client.force_login(person)
    client.post(
        reverse("cases:campaign_join", args=[campaign.organisation.slug, campaign.slug]),
        {
            "vendor": campaign.vendors.get().pk,
            "case": "new",
            "consent_text_version": "2025-1",
            "consent": "on",
        },
    )
    campaign.is_open = False
    campaign.save(update_fields=["is_open"])
    page = client.get(reverse("cases:request_details", args=["amazon"]))
    assert 'id="joining-campaign"' not in text(page)
    client.post(reverse("cases:request_details", args=["amazon"]), request_form(person.email))
    assert Case.objects.get().organisation_id is None


def test_the_consent_is_used_once(client, campaign):
    person = UserFactory()
    client.force_login(person)
    join = reverse("cases:campaign_join", args=[campaign.organisation.slug, campaign.slug])
    client.post(
        join,
        {
            "vendor": campaign.vendors.get().pk,
            "case": "new",
            "consent_text_version": "2025-1",
            "consent": "on",
        },
    )
    details = reverse("cases:request_details", args=["amazon"])
    client.post(details, request_form(person.email))
    client.post(details, request_form(person.email))
    first, second = Case.objects.order_by("pk")
    assert first.organisation == campaign.organisation
    assert second.organisation_id is None
