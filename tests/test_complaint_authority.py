"""Which authority a complaint about a company is suggested for: the residence's (Art. 77(1)),
in Germany the Land's (§ 40 BDSG), never the federal BfDI, which supervises federal bodies,
telecoms and postal firms only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import services
from cases.exceptions import CaseError
from cases.letters.recipients import region_needed, residence_authority, suggested_authorities
from cases.models import Authority, Case, Vendor
from cases.reference_data import load_reference
from cases.regions import GERMAN_LAENDER
from tests.api_helpers import headers, personal_key
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def google() -> Vendor:
    load_reference()
    return Vendor.objects.get(slug="google-assistant")  # lead authority: the DPC


def suggested(case: Case) -> list[str]:
    return [s.authority.slug for s in suggested_authorities(case)]


def test_a_requester_in_berlin_is_offered_the_berlin_commissioner(google: Vendor) -> None:
    case = CaseFactory(
        sent=True,
        missing_items=["audio"],
        vendor=google,
        requester_country="DE",
        requester_region="BE",
    )
    assert suggested(case) == ["deberlbdi", "iedpc"]
    assert suggested_authorities(case)[0].residence


def test_a_requester_in_bavaria_is_offered_the_authority_for_companies(google: Vendor) -> None:
    case = CaseFactory(
        sent=True,
        missing_items=["audio"],
        vendor=google,
        requester_country="DE",
        requester_region="BY",
    )
    assert suggested(case) == ["debaylda", "iedpc"]


def test_every_land_has_its_authority_for_companies(google: Vendor) -> None:
    for code, name in GERMAN_LAENDER:
        authority, needs_region = residence_authority("DE", code)
        assert authority is not None, name
        assert (authority.subdivision, needs_region) == (code, False)


def test_without_the_land_no_residence_authority_is_suggested(google: Vendor) -> None:
    case = CaseFactory(sent=True, missing_items=["audio"], vendor=google, requester_country="DE")
    assert suggested(case) == ["iedpc"]
    assert residence_authority("DE") == (None, True)
    assert region_needed("DE", "") and not region_needed("DE", "BE")
    assert not region_needed("FR", "")


def test_the_federal_commissioner_is_never_suggested_for_a_company(google: Vendor) -> None:
    amazon = Vendor.objects.get(slug="amazon-alexa")
    for vendor in (google, amazon):
        for region in ["", *dict(GERMAN_LAENDER)]:
            case = CaseFactory.build(vendor=vendor, requester_country="DE", requester_region=region)
            assert "debfdi" not in suggested(case), region


def test_a_requester_in_france_is_offered_the_cnil(google: Vendor) -> None:
    case = CaseFactory(sent=True, missing_items=["audio"], vendor=google, requester_country="FR")
    assert suggested(case) == ["frcnil", "iedpc"]


# --- The complaint's page asks for the Land ------------------------------------------------------


def test_the_complaint_page_asks_for_the_land_then_suggests_its_authority(
    client, google: Vendor
) -> None:
    case = CaseFactory(sent=True, missing_items=["audio"], vendor=google, requester_country="DE")
    client.force_login(case.requester)
    url = reverse("cases:letter_complaint", args=[case.pk])

    question = client.get(url).content.decode()
    assert "In which Land do you live?" in question
    assert 'name="authority"' not in question
    assert '<option value="BE">Berlin</option>' in question

    refused = client.post(
        reverse("cases:letter_complaint_region", args=[case.pk]), {"region": "XX"}
    )
    assert refused.status_code == 400
    case.refresh_from_db()
    assert case.requester_region == ""

    response = client.post(
        reverse("cases:letter_complaint_region", args=[case.pk]), {"region": "BE"}
    )
    assert response.status_code == 302 and response["Location"] == url
    case.refresh_from_db()
    assert case.requester_region == "BE"
    page = client.get(url).content.decode()
    berlin = Authority.objects.get(slug="deberlbdi")
    assert f'name="authority" value="{berlin.pk}" checked' in page
    assert "In which Land do you live?" not in page


def test_the_land_may_be_left_out_and_the_authority_chosen_by_hand(client, google: Vendor) -> None:
    case = CaseFactory(sent=True, missing_items=["audio"], vendor=google, requester_country="DE")
    client.force_login(case.requester)
    url = reverse("cases:letter_complaint", args=[case.pk])
    page = client.get(url, {"region": "skip"}).content.decode()
    assert 'name="authority"' in page and "In which Land do you live?" not in page


def test_a_requester_in_france_is_not_asked_for_a_land(client, google: Vendor) -> None:
    case = CaseFactory(sent=True, missing_items=["audio"], vendor=google, requester_country="FR")
    client.force_login(case.requester)
    page = client.get(reverse("cases:letter_complaint", args=[case.pk])).content.decode()
    assert "In which Land do you live?" not in page and 'name="authority"' in page


def test_another_persons_case_takes_no_region(client, google: Vendor) -> None:
    case = CaseFactory(sent=True, missing_items=["audio"], vendor=google, requester_country="DE")
    client.force_login(UserFactory())
    response = client.post(
        reverse("cases:letter_complaint_region", args=[case.pk]), {"region": "BE"}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.requester_region == ""


# --- Services and the request form ---------------------------------------------------------------


def test_setting_the_region_is_for_germany_and_a_known_land_only(google: Vendor) -> None:
    german = CaseFactory(vendor=google, requester_country="DE")
    with pytest.raises(CaseError):
        services.case_set_region(case=german, actor=None, region="XX")
    with pytest.raises(CaseError):
        services.case_set_region(case=german, actor=None, region="")
    assert services.case_set_region(case=german, actor=None, region="by").requester_region == "BY"
    french = CaseFactory(vendor=google, requester_country="FR")
    with pytest.raises(CaseError) as error:
        services.case_set_region(case=french, actor=None, region="BE")
    assert error.value.field == "requester_region"


def test_the_request_form_keeps_the_land_for_germany_only(client, google: Vendor) -> None:
    client.force_login(UserFactory())
    url = reverse("cases:request_details", args=[google.slug])
    data = {
        "requester_name": "Anna Muller",
        "requester_email": "anna@example.org",
        "requester_country": "DE",
        "requester_region": "HH",
        "account_identifiers": "anna@example.org",
        "requested_items": ["audio"],
        "language": "de",
    }
    form_page = client.get(url).content.decode()
    assert (
        "Land (Germany only)" in form_page and '<option value="TH">Thüringen</option>' in form_page
    )
    assert client.post(url, data).status_code == 302
    assert Case.objects.get(requester_email="anna@example.org").requester_region == "HH"

    assert (
        client.post(
            url, {**data, "requester_email": "b@example.org", "requester_country": "FR"}
        ).status_code
        == 302
    )
    assert Case.objects.get(requester_email="b@example.org").requester_region == ""

    refused = client.post(
        url, {**data, "requester_email": "c@example.org", "requester_region": "XX"}
    )
    assert refused.status_code == 200
    assert not Case.objects.filter(requester_email="c@example.org").exists()


def test_the_api_takes_and_shows_the_land(client, google: Vendor) -> None:
    user = UserFactory()
    _key, secret = personal_key(user)
    body = {
        "vendor": google.pk,
        "requester_name": "Anna Muller",
        "requester_email": "anna@example.org",
        "requester_country": "DE",
        "requester_region": "BY",
    }
    created = client.post(
        "/api/v1/cases/", body, content_type="application/json", **headers(secret)
    )
    assert created.status_code == 201, created.content
    assert created.json()["requester_region"] == "BY"
    case_url = f"/api/v1/cases/{created.json()['id']}/"
    changed = client.patch(
        case_url, {"requester_region": "SN"}, content_type="application/json", **headers(secret)
    )
    assert changed.json()["requester_region"] == "SN"
    french = client.post(
        "/api/v1/cases/",
        {**body, "requester_email": "b@example.org", "requester_country": "FR"},
        content_type="application/json",
        **headers(secret),
    )
    assert french.json()["requester_region"] == ""
