"""Vendors with a national entity (Samsung Electronics GmbH for Germany) and the holidays of the
place a vendor answers from (Chertsey, England)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases import deadlines, selectors, services
from cases.exceptions import CaseError
from cases.models import Deadline, DeadlineKind, Vendor
from cases.reference_data import load_reference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def directory() -> None:
    load_reference()


def samsungs(vendors) -> list[str]:
    return [v.legal_name for v in vendors if v.name == "Samsung"]


# --- English bank holidays ----------------------------------------------------------------------


def test_easter_monday_counts_in_england_but_not_in_the_whole_of_the_uk() -> None:
    # 28 March 2027 is Easter Sunday; Easter Monday is a bank holiday in England, not Scotland.
    assert deadlines.response_due(date(2027, 2, 28), country="GB", subdivision="ENG") == date(
        2027, 3, 30
    )
    assert deadlines.response_due(date(2027, 2, 28), country="GB") == date(2027, 3, 29)


def test_every_uk_vendor_answers_under_english_bank_holidays(directory: None) -> None:
    uk = Vendor.objects.filter(country="GB")
    assert set(uk.values_list("slug", flat=True)) == {"samsung-bixby", "samsung-bixby-de"}
    assert set(uk.values_list("subdivision", flat=True)) == {"ENG"}
    samsung = Vendor.objects.get(slug="samsung-bixby")
    assert deadlines.response_due(
        date(2027, 2, 28), country=samsung.country, subdivision=samsung.subdivision
    ) == date(2027, 3, 30)


@time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=BRUSSELS), tick=False)
def test_a_request_to_samsung_received_on_28_february_is_due_after_easter_monday(
    directory: None,
) -> None:
    samsung = Vendor.objects.get(slug="samsung-bixby")
    case = services.case_create(
        requester=UserFactory(),
        vendor=samsung,
        requester_name="Anna Muller",
        requester_email="anna@example.org",
        requester_country="FR",
    )
    services.case_mark_sent(
        case=case, actor=case.requester, sent_on=date(2027, 2, 28), channel="email"
    )
    response = Deadline.objects.get(case=case, kind=DeadlineKind.RESPONSE)
    assert response.due_on == date(2027, 3, 30)


# --- Samsung's entries ---------------------------------------------------------------------------


def test_samsung_uk_has_its_chertsey_address_and_claims_no_eu_representation(
    directory: None,
) -> None:
    uk = Vendor.objects.get(slug="samsung-bixby")
    assert uk.legal_name == "Samsung Electronics (UK) Limited"
    assert "2000 Hillswood Drive" in uk.address and "KT16 0RS" in uk.address
    assert "1000 Hillswood" not in uk.dpo_contact and "KT16 0RS" in uk.dpo_contact
    assert uk.countries == []
    assert "cannot be the EU representative" in uk.notes
    assert "EU DPO" not in uk.dpo_contact


def test_samsung_electronics_gmbh_is_the_entity_for_germany(directory: None) -> None:
    gmbh = Vendor.objects.get(legal_name="Samsung Electronics GmbH")
    assert gmbh.voice_assistant
    assert gmbh.countries == ["DE"]
    assert gmbh.email == "dataprotection.seg@samsung.com"
    assert gmbh.lead_authority is None


def test_a_requester_in_germany_is_offered_the_gmbh_first(directory: None) -> None:
    vendors = list(selectors.vendors_for_request(country="de"))
    assert samsungs(vendors) == ["Samsung Electronics GmbH", "Samsung Electronics (UK) Limited"]


def test_a_requester_elsewhere_is_not_offered_the_german_entity(directory: None) -> None:
    assert samsungs(selectors.vendors_for_request(country="FR")) == [
        "Samsung Electronics (UK) Limited"
    ]
    assert len(selectors.vendors_for_request(country="FR")) == 6


def test_without_a_country_every_entity_is_listed(directory: None) -> None:
    assert len(selectors.vendors_for_request()) == 7


def test_the_request_page_labels_the_national_entity_and_filters_by_country(
    client, directory: None
) -> None:
    url = reverse("cases:request_new")
    everybody = client.get(url).content.decode()
    assert "for residents of Germany" in everybody
    assert "Samsung Electronics (UK) Limited" in everybody
    france = client.get(url, {"country": "FR"}).content.decode()
    assert "Samsung Electronics GmbH" not in france
    germany = client.get(url, {"country": "DE"}).content.decode()
    assert germany.index("Samsung Electronics GmbH") < germany.index(
        "Samsung Electronics (UK) Limited"
    )
    details = reverse("cases:request_details", args=["samsung-bixby-de"])
    assert f"{details}?country=DE" in germany
    form = client.get(details, {"country": "DE"}).content.decode()
    assert '<option value="DE" selected>' in form


def test_the_national_entity_takes_no_request_from_another_country(directory: None) -> None:
    gmbh = Vendor.objects.get(legal_name="Samsung Electronics GmbH")
    with pytest.raises(CaseError) as error:
        services.case_create(
            requester=UserFactory(),
            vendor=gmbh,
            requester_name="Anna Muller",
            requester_email="anna@example.org",
            requester_country="FR",
        )
    assert error.value.field == "requester_country"
    case = services.case_create(
        requester=UserFactory(),
        vendor=gmbh,
        requester_name="Anna Muller",
        requester_email="anna@example.org",
        requester_country="de",
    )
    assert case.requester_country == "DE"
