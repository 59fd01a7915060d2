"""A signed-in person creates an organisation on the site (issue 16.2): the Art. 80(1)
declaration, its admin, "not yet verified" on campaign pages and letters until staff verify it,
and campaign addresses made from their titles."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.admin.sites import site as admin_site
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.admin import OrganisationAdmin
from cases.exceptions import CaseError
from cases.letters.compose import letter_html
from cases.letters.render import html_to_text
from cases.models import Campaign, Membership, Organisation
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VendorFactory,
)
from tests.test_letters import LETTER_DAY, ask, build_rich_case

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Digitale Rechte e.V.",
    "address": "Hauptstraße 1\n10115 Berlin",
    "email": "kontakt@digitale-rechte.example.org",
    "declaration": "on",
}


def test_someone_in_no_organisation_is_offered_the_creation_form_on_org(client):
    client.force_login(UserFactory())
    page = client.get(reverse("cases:my_organisations"))
    assert page.status_code == 200
    assert b"You are not a member of any organisation" in page.content
    assert reverse("cases:organisation_new").encode() in page.content
    assert b'name="declaration"' in page.content
    assert b"Article 80(1)" in page.content


def test_the_account_page_links_to_the_creation_form_for_someone_in_no_organisation(client):
    client.force_login(UserFactory())
    page = client.get(reverse("cases:account"))
    assert reverse("cases:organisation_new").encode() in page.content


def test_creating_an_organisation_makes_its_creator_admin_and_leaves_it_unverified(client):
    person = UserFactory()
    client.force_login(person)
    response = client.post(reverse("cases:organisation_new"), FORM)
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:org_dashboard", args=[organisation.slug])
    assert organisation.slug == "digitale-rechte-ev"
    assert organisation.address == "Hauptstraße 1\n10115 Berlin"
    assert organisation.nonprofit_declared_at is not None
    assert not organisation.is_verified
    membership = Membership.objects.get(organisation=organisation)
    assert membership.user == person and membership.role == Membership.Role.ADMIN
    # The new admin works at once: the dashboard and the campaign form open.
    assert client.get(response["Location"]).status_code == 200
    settings_page = client.get(reverse("cases:org_settings", args=[organisation.slug]))
    assert b"not yet verified" in settings_page.content


def test_without_the_article_80_declaration_nothing_is_created(client):
    client.force_login(UserFactory())
    page = client.post(reverse("cases:organisation_new"), {**FORM, "declaration": ""})
    assert page.status_code == 200
    assert page.context["form"].errors["declaration"]
    assert not Organisation.objects.exists()
    with pytest.raises(CaseError) as error:
        services.organisation_create(
            actor=UserFactory(), name="X", address="Y", declares_nonprofit=False
        )
    assert error.value.field == "declaration"


def test_an_organisation_needs_a_postal_address(client):
    client.force_login(UserFactory())
    page = client.post(reverse("cases:organisation_new"), {**FORM, "address": "  "})
    assert page.status_code == 200
    assert not Organisation.objects.exists()


def test_organisation_addresses_are_unique_and_never_a_page_of_their_own():
    first = services.organisation_create(
        actor=UserFactory(), name="Privacy Now", address="A", declares_nonprofit=True
    )
    second = services.organisation_create(
        actor=UserFactory(), name="Privacy Now", address="B", declares_nonprofit=True
    )
    new = services.organisation_create(
        actor=UserFactory(), name="New", address="C", declares_nonprofit=True
    )
    assert (first.slug, second.slug) == ("privacy-now", "privacy-now-2")
    assert new.slug == "new-2"  # /org/new/ is the creation page


def test_the_creation_page_needs_a_signed_in_person(client):
    response = client.get(reverse("cases:organisation_new"))
    assert response.status_code == 302
    assert reverse("cases:login") in response["Location"]


def _campaign(org, admin, **fields):
    vendor = VendorFactory(name="Amazon", slug="amazon")
    return services.campaign_create(
        organisation=org,
        actor=admin,
        title=fields.pop("title", "Alexa, what do you keep?"),
        vendors=[vendor],
        landing_en="Ask Amazon.",
        **fields,
    )


def test_the_public_campaign_page_says_an_unverified_organisation_is_not_yet_verified(client):
    org = OrganisationFactory(verified_at=None)
    admin = MembershipFactory(organisation=org, role=Membership.Role.ADMIN).user
    campaign = _campaign(org, admin)
    url = reverse("cases:campaign_join", args=[org.slug, campaign.slug])
    page = client.get(url)
    assert b'id="not-verified"' in page.content
    assert b"not yet verified" in page.content

    request = RequestFactory().post("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    OrganisationAdmin(Organisation, admin_site).mark_verified(
        request, Organisation.objects.filter(pk=org.pk)
    )
    org.refresh_from_db()
    assert org.is_verified
    assert b"not yet verified" not in client.get(url).content


def test_a_complaint_from_an_unverified_organisation_says_so_in_every_language():
    org = OrganisationFactory(name="Digitale Rechte e.V.", verified_at=None)
    rich = build_rich_case(organisation=org)
    expected = {
        "en": "not yet verified as a body under Art. 80(1) GDPR",
        "fr": "non encore vérifiée",
        "de": "noch nicht geprüft",
    }
    with time_machine.travel(LETTER_DAY):
        for language, words in expected.items():
            text = " ".join(html_to_text(letter_html(ask(rich, "complaint", language))).split())
            assert words in text
            assert "Digitale Rechte e.V." in text
        Organisation.objects.filter(pk=org.pk).update(verified_at=timezone.now())
        rich.case.refresh_from_db()
        text = html_to_text(letter_html(ask(rich, "complaint", "en")))
        assert "not yet verified" not in text


def test_a_campaign_address_left_blank_is_made_from_its_title_and_unique_in_the_organisation():
    org = OrganisationFactory()
    admin = MembershipFactory(organisation=org, role=Membership.Role.ADMIN).user
    first = _campaign(org, admin, title="Alexa, what do you keep?")
    second = _campaign(org, admin, title="Alexa, what do you keep?")
    other = OrganisationFactory()
    other_admin = MembershipFactory(organisation=other, role=Membership.Role.ADMIN).user
    third = _campaign(other, other_admin, title="Alexa, what do you keep?")
    assert (first.slug, second.slug) == ("alexa-what-do-you-keep", "alexa-what-do-you-keep-2")
    assert third.slug == "alexa-what-do-you-keep"


def test_the_campaign_form_accepts_a_blank_address(client):
    org = OrganisationFactory()
    admin = MembershipFactory(organisation=org, role=Membership.Role.ADMIN).user
    vendor = VendorFactory()
    client.force_login(admin)
    page = client.get(reverse("cases:org_campaign_new", args=[org.slug]))
    assert b"campaign-slug.js" in page.content  # prefills the address as the title is typed
    response = client.post(
        reverse("cases:org_campaign_new", args=[org.slug]),
        {
            "title": "Où sont mes enregistrements ?",
            "slug": "",
            "vendors": [vendor.pk],
            "request_variant": "full",
            "scope": ["correspondence"],
            "landing_en": "Ask.",
            "is_open": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Campaign.objects.get(organisation=org).slug == "ou-sont-mes-enregistrements"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Créer l\u2019organisation", "article 80, paragraphe 1"]),
        ("de", ["Organisation anlegen", "Art. 80 Abs. 1 DSGVO"]),
    ],
)
def test_the_creation_form_speaks_the_persons_language(client, language, words):
    client.force_login(UserFactory(language=language))
    page = client.get(reverse("cases:my_organisations")).content.decode()
    for word in words:
        assert word in page
