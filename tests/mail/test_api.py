"""The API exposes a case's messages and an organisation's queue, read-only and scoped."""

from __future__ import annotations

import pytest

from cases.mail.pipeline import message_ingest
from cases.models import MessageSource, Suggestion
from tests.api_helpers import headers, organisation_case, organisation_key, personal_key
from tests.factories import CaseFactory, MembershipFactory, OrganisationFactory
from tests.mail.helpers import vendor_mail

pytestmark = pytest.mark.django_db


def message_on(case, subject="Re", body="We have received your request."):
    return message_ingest(
        raw=vendor_mail(to="x@example.org", subject=subject, body=body),
        source=MessageSource.UPLOAD,
        case=case,
    )


def test_a_person_reads_the_messages_of_their_case(client):
    case = CaseFactory(sent=True)
    message = message_on(case, body="Please verify your identity.")
    _, secret = personal_key(case.requester)
    response = client.get(f"/api/v1/cases/{case.pk}/messages/", **headers(secret))
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == message.pk and row["suggestion"] == Suggestion.IDENTITY
    assert row["sha256"] == message.sha256 and "verify your identity" in row["body_text"]


def test_another_persons_key_gets_a_404(client):
    case = CaseFactory(sent=True)
    message_on(case)
    _, secret = personal_key(CaseFactory().requester)
    assert client.get(f"/api/v1/cases/{case.pk}/messages/", **headers(secret)).status_code == 404


def test_the_list_is_read_only(client):
    case = CaseFactory(sent=True)
    _, secret = personal_key(case.requester)
    response = client.post(f"/api/v1/cases/{case.pk}/messages/", {}, **headers(secret))
    assert response.status_code == 405


def test_an_organisations_key_reads_its_queue_and_nothing_of_others(client):
    organisation = OrganisationFactory()
    ours = message_on(organisation_case(organisation, sent=True), subject="ours")
    message_on(organisation_case(OrganisationFactory(), sent=True), subject="theirs")
    _, secret = organisation_key(organisation)
    response = client.get("/api/v1/mail/queue/", **headers(secret))
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [ours.pk]
    assert "body_text" not in response.json()["results"][0]


def test_a_member_reads_the_queue_by_the_organisations_slug_and_a_stranger_gets_404(client):
    organisation = OrganisationFactory()
    message_on(organisation_case(organisation, sent=True))
    member = MembershipFactory(organisation=organisation).user
    _, secret = personal_key(member)
    url = f"/api/v1/mail/queue/?organisation={organisation.slug}"
    assert len(client.get(url, **headers(secret)).json()["results"]) == 1
    _, stranger = personal_key(CaseFactory().requester)
    assert client.get(url, **headers(stranger)).status_code == 404
