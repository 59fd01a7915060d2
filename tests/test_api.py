"""The REST API's resources, errors, idempotency, throttling and CORS, through the test client."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services
from cases.api.errors import exception_handler
from cases.exceptions import ActionNotAvailable, InvalidTransition
from cases.models import (
    ApiKey,
    ApiScope,
    Case,
    CaseEvent,
    DeadlineKind,
    DeadlineState,
    EventKind,
    Letter,
    Mandate,
    Membership,
    Status,
)
from tests.api_helpers import headers, organisation_case, organisation_key, personal_key
from tests.factories import (
    AuthorityFactory,
    CampaignFactory,
    CaseEventFactory,
    CaseFactory,
    DeadlineFactory,
    MandateFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

TODAY = timezone.localdate


def post(client, url, data, secret, **extra):
    return client.post(
        url, data=json.dumps(data), content_type="application/json", **headers(secret, **extra)
    )


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


@pytest.fixture
def org_key():
    organisation = OrganisationFactory()
    key, secret = organisation_key(organisation)
    return organisation, key, secret


def case_payload(vendor, **extra):
    return {
        "vendor": vendor.pk,
        "requester_name": "Ada Lovelace",
        "requester_email": "Ada@Example.org",
        "requester_country": "LU",
        "account_identifiers": "ada@example.org",
        **extra,
    }


# --- Directory -------------------------------------------------------------------------------


def test_vendors_and_authorities_can_be_filtered_by_country(client, org_key):
    _org, _key, secret = org_key
    VendorFactory(name="Amazon", country="LU")
    VendorFactory(name="Google", country="IE")
    AuthorityFactory(slug="ie-dpc", short_name="DPC", country="IE")

    vendors = client.get("/api/v1/vendors/?country=ie", **headers(secret)).json()
    assert [v["name"] for v in vendors["results"]] == ["Google"]
    authorities = client.get("/api/v1/authorities/?country=IE", **headers(secret)).json()
    assert [a["short_name"] for a in authorities["results"]] == ["DPC"]


def test_a_vendor_and_an_authority_can_be_read_one_by_one(client, org_key):
    _org, _key, secret = org_key
    vendor = VendorFactory(name="Amazon")
    assert client.get(f"/api/v1/vendors/{vendor.pk}/", **headers(secret)).json()["name"] == (
        "Amazon"
    )
    authority_id = vendor.lead_authority_id
    response = client.get(f"/api/v1/authorities/{authority_id}/", **headers(secret))
    assert response.json()["country"] == "LU"


# --- Cases -----------------------------------------------------------------------------------


def test_an_organisation_key_files_a_case_under_a_mandate_its_members_see(client, org_key):
    organisation, _key, secret = org_key
    vendor = VendorFactory()
    response = post(client, "/api/v1/cases/", case_payload(vendor), secret)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["organisation"] == organisation.pk
    assert body["requester_email"] == "ada@example.org"
    assert response["Location"] == f"/api/v1/cases/{body['id']}/"
    assert "mark_sent" in body["available_actions"]
    mandate = Mandate.objects.get(case_id=body["id"])
    assert mandate.organisation == organisation and mandate.is_active
    assert set(mandate.scope) == {"correspondence", "complaint"}
    assert not mandate.granted_by.is_active  # the organisation's service account


def test_a_personal_key_files_a_case_for_its_owner(client):
    user = UserFactory()
    _key, secret = personal_key(user)
    vendor = VendorFactory(request_language="de")
    response = post(client, "/api/v1/cases/", case_payload(vendor), secret)

    assert response.status_code == 201
    case = Case.objects.get(pk=response.json()["id"])
    assert case.requester == user and case.organisation is None
    assert case.language == "de"


def test_a_personal_key_cannot_file_under_a_mandate(client):
    _key, secret = personal_key(UserFactory())
    response = post(
        client,
        "/api/v1/cases/",
        case_payload(VendorFactory(), mandate_scope=["complaint"]),
        secret,
    )
    assert response.status_code == 422
    assert "mandate_scope" in error_of(response)["fields"]


def test_a_case_can_be_filed_through_one_of_the_organisations_campaigns(client, org_key):
    organisation, _key, secret = org_key
    vendor = VendorFactory()
    campaign = CampaignFactory(organisation=organisation, vendors=[vendor])
    response = post(client, "/api/v1/cases/", case_payload(vendor, campaign=campaign.pk), secret)
    assert response.status_code == 201
    assert response.json()["campaign"] == campaign.pk
    listed = client.get(f"/api/v1/cases/?campaign={campaign.pk}", **headers(secret)).json()
    assert [c["id"] for c in listed["results"]] == [response.json()["id"]]


def test_invalid_input_answers_400_with_the_fields_in_the_one_error_shape(client, org_key):
    _org, _key, secret = org_key
    response = post(
        client,
        "/api/v1/cases/",
        {"vendor": 999999, "requester_email": "nope", "requested_items": ["gossip"]},
        secret,
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert {"vendor", "requester_name", "requester_email", "requester_country"} <= set(
        error["fields"]
    )
    assert "requested_items.0" in error["fields"]


def test_cases_are_listed_with_filters_ordering_and_pagination(client, org_key):
    organisation, _key, secret = org_key
    amazon, google = VendorFactory(name="Amazon"), VendorFactory(name="Google")
    draft = organisation_case(organisation, vendor=amazon)
    late = organisation_case(organisation, vendor=google, sent=True)
    DeadlineFactory(case=late, due_on=TODAY() - timedelta(days=3))
    soon = organisation_case(organisation, vendor=google, sent=True)
    DeadlineFactory(case=soon, due_on=TODAY() + timedelta(days=5))

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/cases/{query}", **headers(secret))
        assert response.status_code == 200, response.json()
        return [c["id"] for c in response.json()["results"]]

    assert ids("") == [soon.pk, late.pk, draft.pk]
    assert ids(f"?vendor={amazon.pk}") == [draft.pk]
    assert ids("?status=draft&status=sent") == [draft.pk]
    assert ids("?status=awaiting_response&ordering=id") == [late.pk, soon.pk]
    assert ids("?overdue=true") == [late.pk]
    assert set(ids("?overdue=false")) == {draft.pk, soon.pk}
    assert ids(f"?due_before={TODAY().isoformat()}") == [late.pk]
    assert ids(f"?due_after={TODAY().isoformat()}") == [soon.pk]
    assert ids("?ordering=next_due") == [late.pk, soon.pk, draft.pk]
    assert ids(f"?organisation={organisation.pk}&ordering=-id") == [soon.pk, late.pk, draft.pk]
    since = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert ids(f"?updated_since={since.replace('+', '%2B')}") == []
    # A missed extension-notice day is the vendor's fact to answer for, not a clock to chase.
    DeadlineFactory(
        case=soon,
        kind=DeadlineKind.EXTENSION_NOTICE,
        due_on=TODAY() - timedelta(days=2),
        state=DeadlineState.MISSED,
    )
    assert ids("?overdue=true") == [late.pk]
    assert ids("?ordering=next_due") == [late.pk, soon.pk, draft.pk]

    page = client.get("/api/v1/cases/?page_size=2&page=2", **headers(secret)).json()
    assert page["count"] == 3 and [c["id"] for c in page["results"]] == [draft.pk]
    listed = client.get("/api/v1/cases/", **headers(secret)).json()["results"]
    assert (
        listed[1]["overdue"] is True
        and listed[1]["next_due"] == (TODAY() - timedelta(days=3)).isoformat()
    )


def test_a_bad_filter_is_a_400_and_a_page_past_the_end_a_404(client, org_key):
    _org, _key, secret = org_key
    response = client.get("/api/v1/cases/?status=lost&due_before=soon", **headers(secret))
    assert response.status_code == 400
    assert {"status.0", "due_before"} <= set(error_of(response)["fields"])
    response = client.get("/api/v1/cases/?page=9", **headers(secret))
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_a_case_is_retrieved_with_its_deadlines_and_actions(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation, sent=True)
    DeadlineFactory(case=case, due_on=TODAY() + timedelta(days=20))
    body = client.get(f"/api/v1/cases/{case.pk}/", **headers(secret)).json()
    assert body["deadlines"][0]["days_left"] == 20
    assert body["deadlines"][0]["overdue"] is False
    assert "response" in body["available_actions"]


def test_a_drafts_details_can_be_corrected_but_not_what_a_sent_request_asked(client, org_key):
    organisation, _key, secret = org_key
    draft = organisation_case(organisation)
    response = client.patch(
        f"/api/v1/cases/{draft.pk}/",
        data=json.dumps({"requested_items": ["audio"], "vendor_reference": " R-1 "}),
        content_type="application/json",
        **headers(secret),
    )
    assert response.status_code == 200, response.json()
    assert response.json()["requested_items"] == ["audio"]
    assert response.json()["vendor_reference"] == "R-1"

    sent = organisation_case(organisation, sent=True)
    response = client.patch(
        f"/api/v1/cases/{sent.pk}/",
        data=json.dumps({"requested_items": ["audio"]}),
        content_type="application/json",
        **headers(secret),
    )
    assert response.status_code == 422
    assert "requested_items" in error_of(response)["fields"]


# --- Case actions ----------------------------------------------------------------------------


def test_the_case_actions_call_the_same_services_as_the_pages(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation, vendor=VendorFactory(country="LU"))
    base = f"/api/v1/cases/{case.pk}"
    sent_on = TODAY() - timedelta(days=20)

    response = post(
        client, f"{base}/mark-sent/", {"sent_on": str(sent_on), "channel": "email"}, secret
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "awaiting_response"
    assert {d["kind"] for d in response.json()["deadlines"]} == {"extension_notice", "response"}

    on = str(sent_on + timedelta(days=2))
    response = post(client, f"{base}/identity-requested/", {"requested_on": on}, secret)
    assert response.json()["status"] == "paused_for_identity"
    on = str(sent_on + timedelta(days=4))
    response = post(client, f"{base}/identity-provided/", {"provided_on": on}, secret)
    assert response.json()["status"] == "awaiting_response"
    on = str(sent_on + timedelta(days=5))
    response = post(client, f"{base}/extension/", {"notified_on": on, "reason": "complex"}, secret)
    assert response.json()["status"] == "extended"

    response = post(
        client,
        f"{base}/response/",
        {"received_on": str(TODAY()), "contains": ["audio", "transcripts"]},
        secret,
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "answered" and body["outcome"] == "partial"
    assert "annotations" in body["missing_items"] and "audio" not in body["missing_items"]

    response = post(client, f"{base}/close/", {"outcome": "partial", "note": "done"}, secret)
    assert response.json()["status"] == "closed"
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert EventKind.CLOSED in kinds and EventKind.EXTENSION_NOTIFIED in kinds


def test_an_action_the_case_does_not_allow_now_is_a_409(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation, status=Status.CLOSED)
    response = post(
        client,
        f"/api/v1/cases/{case.pk}/mark-sent/",
        {"sent_on": str(TODAY()), "channel": "email"},
        secret,
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "action_not_available"


def test_the_service_itself_refuses_an_action_its_table_does_not_allow():
    case = CaseFactory(status=Status.CLOSED)
    with pytest.raises(ActionNotAvailable):
        services.case_mark_sent(case=case, actor=None, sent_on=TODAY(), channel="email")
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.sent_on is None


def test_a_refused_transition_from_the_service_is_a_409():
    response = exception_handler(InvalidTransition("No."), {})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "invalid_transition"


def test_a_domain_error_is_a_422_naming_its_field(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation)
    tomorrow = str(TODAY() + timedelta(days=1))
    response = post(
        client,
        f"/api/v1/cases/{case.pk}/mark-sent/",
        {"sent_on": tomorrow, "channel": "post"},
        secret,
    )
    # Well-formed (the schema allows any date), refused by a rule of the domain: 422 (15.8).
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_dates" and list(error["fields"]) == ["sent_on"]


def test_the_response_needs_the_checklist_or_the_missing_items(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation, sent=True)
    response = post(
        client, f"/api/v1/cases/{case.pk}/response/", {"received_on": str(TODAY())}, secret
    )
    assert response.status_code == 400 and "contains" in error_of(response)["fields"]
    response = post(
        client,
        f"/api/v1/cases/{case.pk}/response/",
        {"received_on": str(TODAY()), "missing_items": []},
        secret,
    )
    assert response.json()["outcome"] == "complete"


# --- Events, deadlines, incidents, evidence --------------------------------------------------


def test_events_and_deadlines_can_be_followed(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation, sent=True)
    DeadlineFactory(case=case, due_on=TODAY() - timedelta(days=1))
    other = organisation_case(organisation, sent=True)
    DeadlineFactory(case=other, due_on=TODAY() + timedelta(days=9))
    CaseEventFactory(case=case, kind=EventKind.REMINDER_SENT)

    events = client.get(f"/api/v1/cases/{case.pk}/events/", **headers(secret)).json()
    assert [e["kind"] for e in events["results"]] == ["reminder_sent"]
    nested = client.get(f"/api/v1/cases/{case.pk}/deadlines/", **headers(secret)).json()
    assert nested and all(d["case"] == case.pk for d in nested)
    overdue = client.get("/api/v1/deadlines/?overdue=true", **headers(secret)).json()
    assert {d["case"] for d in overdue["results"]} == {case.pk}
    upcoming = client.get(
        f"/api/v1/deadlines/?due_after={TODAY()}&state=open", **headers(secret)
    ).json()
    assert other.pk in {d["case"] for d in upcoming["results"]}


def test_an_incident_is_recorded_and_listed(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation, sent=True)
    response = post(
        client,
        f"/api/v1/cases/{case.pk}/incidents/",
        {
            "kind": "misdirected_export",
            "discovered_on": str(TODAY()),
            "records_affected": 1700,
            "data_categories": ["audio"],
            "description": "Someone else's recordings.",
        },
        secret,
    )
    assert response.status_code == 201, response.json()
    incident_id = response.json()["id"]
    listed = client.get(f"/api/v1/cases/{case.pk}/incidents/", **headers(secret)).json()
    assert [i["id"] for i in listed["results"]] == [incident_id]
    one = client.get(f"/api/v1/cases/{case.pk}/incidents/{incident_id}/", **headers(secret))
    assert one.json()["records_affected"] == 1700


def test_evidence_is_uploaded_as_multipart_and_downloaded_unchanged(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation, sent=True)
    content = b"Dear customer, here is your data.\n"
    response = client.post(
        f"/api/v1/cases/{case.pk}/evidence/",
        data={"file": SimpleUploadedFile("answer.txt", content), "description": "answer"},
        **headers(secret),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["size"] == len(content) and body["content_type"] == "text/plain"
    download = client.get(body["download_url"], **headers(secret))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert b"".join(download.streaming_content) == content


def test_an_upload_of_an_unsupported_type_is_a_422_on_the_file(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation, sent=True)
    response = client.post(
        f"/api/v1/cases/{case.pk}/evidence/",
        data={"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00" + b"\x00" * 64)},
        **headers(secret),
    )
    assert response.status_code == 422 and "file" in error_of(response)["fields"]


# --- Letters ---------------------------------------------------------------------------------


def test_a_letter_is_accepted_with_202_then_downloaded_once_ready(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation, sent=True)
    response = post(client, f"/api/v1/cases/{case.pk}/letters/", {"kind": "access_request"}, secret)
    assert response.status_code == 202, response.json()
    letter = response.json()
    assert letter["status"] == "queued" and letter["pdf_url"] is None
    assert response["Location"] == f"/api/v1/cases/{case.pk}/letters/{letter['id']}/"

    pdf_url = f"/api/v1/cases/{case.pk}/letters/{letter['id']}/pdf/"
    not_yet = client.get(pdf_url, **headers(secret))
    assert not_yet.status_code == 409 and error_of(not_yet)["code"] == "action_not_available"

    assert services.letter_render(letter_id=letter["id"])
    status = client.get(response["Location"], **headers(secret)).json()
    assert status["status"] == "ready" and status["pdf_url"] == pdf_url
    pdf = client.get(pdf_url, **headers(secret, HTTP_ACCEPT="application/pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_complaint_goes_to_the_vendors_lead_authority_unless_told_otherwise(client, org_key):
    organisation, _key, secret = org_key
    # A complaint needs a ground: here an answer that lacked the recordings.
    case = organisation_case(organisation, sent=True, missing_items=["audio"])
    response = post(client, f"/api/v1/cases/{case.pk}/letters/", {"kind": "complaint"}, secret)
    assert response.status_code == 202, response.json()
    assert response.json()["authority"] == case.vendor.lead_authority_id


def test_an_organisation_writes_only_as_far_as_the_mandate_goes(client, org_key):
    organisation, _key, secret = org_key
    case = CaseFactory(sent=True, missing_items=["audio"])  # a ground for a complaint
    MandateFactory(case=case, organisation=organisation, scope=["correspondence"])
    response = post(client, f"/api/v1/cases/{case.pk}/letters/", {"kind": "complaint"}, secret)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"kind": [error_of(response)["message"]]}
    assert not Letter.objects.filter(case=case).exists()
    # A caseworker's own key acts for the same organisation, and is held to the same mandate.
    worker = MembershipFactory(organisation=organisation, role=Membership.Role.CASEWORKER).user
    _worker_key, worker_secret = personal_key(worker)
    url = f"/api/v1/cases/{case.pk}/letters/"
    assert post(client, url, {"kind": "complaint"}, worker_secret).status_code == 422
    assert not Letter.objects.filter(case=case).exists()


# --- Statistics and the principal ------------------------------------------------------------


def test_vendor_statistics_cover_the_principals_cases_or_the_public_figures(client, org_key):
    organisation, _key, secret = org_key
    amazon = VendorFactory(name="Amazon")
    for _ in range(2):
        organisation_case(organisation, vendor=amazon, sent=True)
    CaseFactory(vendor=amazon, sent=True)  # not the organisation's
    services.statistics_refresh()  # what Celery beat does

    mine = client.get("/api/v1/statistics/vendors/", **headers(secret)).json()
    assert mine["scope"] == "visible"
    assert [(v["vendor_name"], v["cases"]) for v in mine["vendors"]] == [("Amazon", 2)]
    assert set(mine["vendors"][0]["missing"]) >= {"audio", "transcripts"}
    public = client.get("/api/v1/statistics/vendors/?scope=public", **headers(secret)).json()
    assert public["scope"] == "public" and public["vendors"] == []  # 3 < STATS_MIN_GROUP


def test_me_says_which_principal_a_key_is(client, org_key):
    organisation, key, secret = org_key
    me = client.get("/api/v1/me/", **headers(secret)).json()
    assert me["kind"] == "organisation_key" and me["organisation"]["slug"] == organisation.slug
    assert me["key"]["prefix"] == key.prefix and me["user_email"] is None


# --- Authentication, keys, errors ------------------------------------------------------------


def test_without_a_key_the_api_answers_401_with_the_scheme_to_use(client):
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert error_of(response)["code"] == "not_authenticated"
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Api-Key nonsense")
    assert response.status_code == 401 and error_of(response)["code"] == "invalid_key"


def test_a_key_is_stored_hashed_and_records_when_it_was_last_used(client, org_key):
    _org, key, secret = org_key
    assert secret not in key.hashed_key and secret.startswith(key.prefix + ".")
    assert key.last_used_at is None
    client.get("/api/v1/me/", **headers(secret))
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_the_site_session_also_authenticates(client):
    user = UserFactory()
    case = CaseFactory(requester=user)
    client.force_login(user)
    response = client.get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200
    assert client.get("/api/v1/me/").json()["kind"] == "session"


def test_an_unknown_api_url_is_a_404_in_the_api_shape(client):
    for url in ("/api/v1/nothing/", "/api/v2/", "/api/v1/cases/-1/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert error_of(response)["code"] == "not_found"


def test_an_id_beyond_a_bigint_is_a_404_not_a_database_error(client, org_key):
    _org, _key, secret = org_key
    response = client.get(f"/api/v1/cases/{2**70}/", **headers(secret))
    assert response.status_code == 404


def test_a_method_the_endpoint_lacks_is_a_405_in_the_one_shape(client, org_key):
    _org, _key, secret = org_key
    response = client.delete("/api/v1/vendors/", **headers(secret))
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"


# --- Idempotency -----------------------------------------------------------------------------


def test_a_retried_create_with_the_same_idempotency_key_returns_the_first_result(client, org_key):
    _org, _key, secret = org_key
    payload = case_payload(VendorFactory())
    first = post(client, "/api/v1/cases/", payload, secret, HTTP_IDEMPOTENCY_KEY="abc-123")
    again = post(client, "/api/v1/cases/", payload, secret, HTTP_IDEMPOTENCY_KEY="abc-123")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused(client, org_key):
    _org, _key, secret = org_key
    vendor = VendorFactory()
    post(client, "/api/v1/cases/", case_payload(vendor), secret, HTTP_IDEMPOTENCY_KEY="k1")
    other = post(
        client,
        "/api/v1/cases/",
        case_payload(vendor, requester_name="Someone Else"),
        secret,
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert other.status_code == 422
    assert error_of(other)["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_idempotency_keys_belong_to_one_caller_and_failures_release_them(client, org_key):
    _org, _key, secret = org_key
    _other_key, other_secret = organisation_key()
    vendor = VendorFactory()
    bad = post(client, "/api/v1/cases/", {"vendor": vendor.pk}, secret, HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 422  # an access request without its data subject
    good = post(client, "/api/v1/cases/", case_payload(vendor), secret, HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201
    theirs = post(
        client, "/api/v1/cases/", case_payload(vendor), other_secret, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert theirs.status_code == 201 and theirs.json()["id"] != good.json()["id"]


def test_old_idempotency_records_are_purged(client, org_key):
    _org, _key, secret = org_key
    post(client, "/api/v1/cases/", case_payload(VendorFactory()), secret, HTTP_IDEMPOTENCY_KEY="x")
    assert services.idempotency_records_purge(now=timezone.now()) == 0
    assert services.idempotency_records_purge(now=timezone.now() + timedelta(days=2)) == 1


# --- Throttling and CORS ---------------------------------------------------------------------


def test_each_key_has_its_own_request_budget(client, settings):
    settings.API_RATE_LIMIT = "3/60"
    _key, secret = organisation_key()
    _other, other_secret = organisation_key()
    codes = [client.get("/api/v1/me/", **headers(secret)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    over = client.get("/api/v1/me/", **headers(secret))
    assert error_of(over)["code"] == "throttled" and int(over["Retry-After"]) >= 1
    assert client.get("/api/v1/me/", **headers(other_secret)).status_code == 200


def test_cors_is_closed_no_cross_origin_headers_are_ever_sent(client, org_key):
    _org, _key, secret = org_key
    origin = {"HTTP_ORIGIN": "https://evil.example"}
    response = client.get("/api/v1/vendors/", **headers(secret, **origin))
    preflight = client.options(
        "/api/v1/cases/", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", **origin
    )
    for r in (response, preflight):
        assert not [h for h in r.headers if h.lower().startswith("access-control-")]


# --- Schema and docs -------------------------------------------------------------------------


def test_the_schema_and_its_docs_are_served_without_any_outside_resource(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/cases/" in paths and "/api/v1/cases/{case_id}/letters/" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger" in html.lower() and "cdn." not in html and "//unpkg" not in html


def test_read_keys_and_write_keys_are_listed_with_their_scope(org_key):
    organisation, key, _secret = org_key
    read, _ = organisation_key(organisation, scope=ApiScope.READ)
    assert set(
        ApiKey.objects.filter(organisation=organisation).values_list("scope", flat=True)
    ) == {
        "read",
        "read_write",
    }
    assert read.can_write is False and key.can_write is True


def test_deadline_states_are_reported_as_the_engine_left_them(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation, sent=True)
    DeadlineFactory(case=case, state=DeadlineState.MET, met_on=TODAY())
    body = client.get(f"/api/v1/cases/{case.pk}/deadlines/", **headers(secret)).json()
    assert body[0]["state"] == "met" and body[0]["overdue"] is False


def test_the_authority_reply_action_tells_an_acknowledgement_from_progress(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation, sent=True)
    services.case_record_complaint_filed(
        case=case, actor=None, filed_on=TODAY() - timedelta(days=3), authority=AuthorityFactory()
    )
    base = f"/api/v1/cases/{case.pk}"
    on = str(TODAY() - timedelta(days=1))
    response = post(
        client, f"{base}/authority-reply/", {"kind": "acknowledgement", "replied_on": on}, secret
    )
    assert response.status_code == 200, response.json()
    clock = next(d for d in response.json()["deadlines"] if d["kind"] == "authority_progress")
    assert (clock["state"], clock["met_on"]) == ("open", None)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.AUTHORITY_ACKNOWLEDGED).exists()
    # Without `kind`, as before: news of progress or an outcome, which meets the clock.
    response = post(client, f"{base}/authority-reply/", {"replied_on": on}, secret)
    clock = next(d for d in response.json()["deadlines"] if d["kind"] == "authority_progress")
    assert (clock["state"], clock["met_on"]) == ("met", on)
    response = post(client, f"{base}/authority-reply/", {"kind": "maybe", "replied_on": on}, secret)
    assert response.status_code == 400 and "kind" in error_of(response)["fields"]


def test_a_deadline_shows_the_date_counting_a_disputed_identity_pause(client, org_key):
    organisation, _key, secret = org_key
    case = organisation_case(organisation, sent=True)
    received = case.received_on
    services.case_identity_requested(case=case, actor=None, requested_on=received)
    services.case_identity_provided(case=case, actor=None, provided_on=received + timedelta(days=2))
    body = client.get(f"/api/v1/cases/{case.pk}/", **headers(secret)).json()
    response = next(d for d in body["deadlines"] if d["kind"] == "response")
    assert response["due_on_with_disputed_pause"] is None
    services.incident_record(
        case=case, actor=None, kind="excessive_identity_demand", discovered_on=TODAY()
    )
    body = client.get(f"/api/v1/cases/{case.pk}/deadlines/", **headers(secret)).json()
    clock = next(d for d in body if d["kind"] == "response")
    assert clock["due_on_with_disputed_pause"] is not None
    assert clock["due_on_with_disputed_pause"] > clock["due_on"]
