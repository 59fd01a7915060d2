# French uses typographic apostrophes.
# ruff: noqa: RUF001
"""The pages that ask for more after an access request, and show the case family."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, Membership
from tests.factories import (
    CaseFactory,
    MandateFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db


def _more(case):
    return reverse("cases:case_follow_up", args=[case.pk])


def test_the_form_offers_every_kind_and_warns_that_erasure_may_lose_the_copy_not_yet_received(
    client,
):
    parent = CaseFactory(sent=True)
    client.force_login(parent.requester)
    page = client.get(_more(parent)).content.decode()
    for value in ("erasure", "objection", "withdrawal", "restriction", "portability"):
        assert f'value="{value}"' in page
    for value in ("consent_withdrawn", "objection", "unlawful"):
        assert f'value="{value}"' in page
    assert "Your copy has not arrived yet" in page
    assert "17(1)(b)" in page and "17(1)(c)" in page and "17(1)(d)" in page


def test_no_warning_once_the_access_answer_is_recorded(client):
    parent = CaseFactory(sent=True)
    services.case_record_response(
        case=parent, actor=parent.requester, received_on=timezone.localdate(), missing_items=[]
    )
    client.force_login(parent.requester)
    assert "Your copy has not arrived yet" not in client.get(_more(parent)).content.decode()


def test_sending_objection_and_erasure_opens_two_linked_cases_shown_as_a_family(client):
    parent = CaseFactory(sent=True)
    client.force_login(parent.requester)
    response = client.post(
        _more(parent), {"kinds": ["objection", "erasure"], "grounds": ["objection"]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[parent.pk])
    erasure = Case.objects.get(parent=parent, kind="erasure")
    objection = Case.objects.get(parent=parent, kind="objection")
    assert erasure.grounds == ["objection"]
    page = client.get(reverse("cases:case_detail", args=[parent.pk])).content.decode()
    assert reverse("cases:case_detail", args=[erasure.pk]) in page
    assert reverse("cases:case_detail", args=[objection.pk]) in page
    assert "Follow-up request opened" in page  # on the access case's timeline
    child = client.get(reverse("cases:case_detail", args=[erasure.pk])).content.decode()
    assert f"follows the access request of case {parent.pk}" in child
    assert _more(erasure) not in child  # only an access case starts a family
    my_cases = client.get(reverse("cases:my_cases")).content.decode()
    assert _more(parent) in my_cases and f"follows #{parent.pk}" in my_cases


def test_erasure_without_a_ground_is_refused_next_to_the_field(client):
    parent = CaseFactory(sent=True)
    client.force_login(parent.requester)
    response = client.post(_more(parent), {"kinds": ["erasure"]})
    assert response.status_code == 200
    assert "Say why the data must be erased." in response.content.decode()
    assert not Case.objects.filter(parent=parent).exists()


def test_a_kind_the_vendor_cannot_receive_is_not_offered_and_the_page_says_why(client):
    vendor = VendorFactory(
        email="", address="", webform="https://x.example/dl", webform_kinds=["access"]
    )
    parent = CaseFactory(sent=True, vendor=vendor)
    client.force_login(parent.requester)
    page = client.get(_more(parent)).content.decode()
    assert 'value="objection"' not in page
    assert "has no address, e-mail or web form that takes this kind of request" in page
    response = client.post(_more(parent), {"kinds": ["objection"]})
    assert response.status_code == 200 and not Case.objects.filter(parent=parent).exists()


def test_another_persons_case_answers_404(client):
    parent = CaseFactory(sent=True)
    client.force_login(UserFactory())
    assert client.get(_more(parent)).status_code == 404
    assert client.post(_more(parent), {"kinds": ["objection"]}).status_code == 404


def test_a_caseworker_is_offered_only_the_kinds_the_mandate_covers(client):
    org = OrganisationFactory()
    worker = UserFactory()
    MembershipFactory(user=worker, organisation=org, role=Membership.Role.CASEWORKER)
    parent = CaseFactory(sent=True)
    MandateFactory(case=parent, organisation=org, kinds=["access", "objection"])
    client.force_login(worker)
    page = client.get(_more(parent)).content.decode()
    assert 'value="objection"' in page and 'value="erasure"' not in page
    assert "does not cover this request" in page


def test_recording_the_answer_to_an_erasure_uses_the_erasure_checklist(client):
    parent = CaseFactory(sent=True)
    (erasure,) = services.case_follow_ups_create(
        parent=parent, actor=parent.requester, kinds=["erasure"], grounds=["unlawful"]
    )
    services.case_mark_sent(
        case=erasure, actor=parent.requester, sent_on=timezone.localdate(), channel="email"
    )
    client.force_login(parent.requester)
    page = client.get(reverse("cases:case_response", args=[erasure.pk])).content.decode()
    assert 'value="recipients_told"' in page and 'value="retained_explained"' in page
    assert 'value="audio"' not in page
    response = client.post(
        reverse("cases:case_response", args=[erasure.pk]),
        {"received_on": timezone.localdate().isoformat(), "contains": ["erase_audio"]},
    )
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.missing_items == [
        "erase_transcripts",
        "erase_annotations",
        "erase_processor_copies",
        "retained_explained",
        "recipients_told",
    ]
    page = client.get(reverse("cases:case_detail", args=[erasure.pk])).content.decode()
    assert "every recipient told of the erasure (Art. 19)" in page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Demander davantage", "Votre copie n’est pas encore arrivée", "Effacement"]),
        ("de", ["Mehr verlangen", "Ihre Kopie ist noch nicht eingetroffen", "Widerspruch"]),
    ],
)
def test_the_form_speaks_french_and_german(client, language, words):
    parent = CaseFactory(sent=True)
    client.force_login(parent.requester)
    client.cookies["django_language"] = language
    page = client.get(_more(parent)).content.decode()
    assert [w for w in words if w not in page] == []


def test_the_letters_panel_names_a_follow_ups_request_by_its_kind(client):
    parent = CaseFactory(sent=True)
    (erasure,) = services.case_follow_ups_create(
        parent=parent, actor=parent.requester, kinds=["erasure"], grounds=["unlawful"]
    )
    services.letter_request(case=erasure, actor=parent.requester, kind="access_request")
    client.force_login(parent.requester)
    page = client.get(reverse("cases:case_detail", args=[erasure.pk])).content.decode()
    assert "Request: erasure (Art. 17)" in page
    assert "Access request" not in page
