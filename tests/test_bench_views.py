"""The bare views bench/web.py measures the app against do what their names say, and no more."""

from __future__ import annotations

from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.utils import timezone

from bench.webapp.views import BENCH_MARKER
from cases.models import Case, CaseEvent, EventKind, Letter, LetterKind, LetterStatus
from cases.services.letters import RENDER_TASK
from tests.factories import CaseFactory, UserFactory, VendorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.webapp.urls")]


def test_the_bare_insert_writes_one_expired_session_row(client):
    assert client.post("/bench/insert/", {"row": 1}).status_code == 201
    row = Session.objects.get(session_data=BENCH_MARKER)
    assert row.expire_date <= timezone.now()  # `clearsessions` removes it


def test_the_bare_select_reads_a_case_status(client):
    case = CaseFactory()
    response = client.get(f"/bench/select/{case.pk}/")
    assert response.status_code == 200 and response.content.decode() == case.status
    assert client.get(f"/bench/select/{case.pk + 1000}/").status_code == 404


def test_the_bare_case_writes_are_those_of_filing_a_request(
    client, django_capture_on_commit_callbacks
):
    vendor = VendorFactory()
    assert client.post("/bench/case-writes/", {"vendor": vendor.pk}).status_code == 403
    user = UserFactory()
    client.force_login(user)
    with (
        mock.patch("cases.queue.enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert client.post("/bench/case-writes/", {"vendor": vendor.pk}).status_code == 201
    case = Case.objects.get(requester=user, vendor=vendor)
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.LETTER_GENERATED,
    ]
    assert LogEntry.objects.get_for_object(case).count() == 1
    (letter,) = Letter.objects.filter(case=case)
    assert (letter.kind, letter.status) == (LetterKind.ACCESS_REQUEST, LetterStatus.QUEUED)
    enqueue.assert_called_once_with(RENDER_TASK, letter.pk)  # as filing publishes it


def test_filing_a_request_writes_what_the_bare_writes_do(
    client, django_capture_on_commit_callbacks
):
    """The yardstick does the same writes as the page: the same rows, events and task."""
    vendor = VendorFactory(request_language="de")
    user = UserFactory()
    client.force_login(user)
    form = {
        "requester_name": "Anna Muller",
        "requester_email": "anna@bench.example",
        "requester_country": "DE",
        "account_identifiers": "anna@bench.example",
        "requested_items": ["audio", "transcripts", "annotations"],
        "language": "de",
    }
    with (
        mock.patch("cases.queue.enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(f"/requests/new/{vendor.slug}/", form)
    assert response.status_code == 302, response.content[:2000]
    case = Case.objects.get(requester=user, vendor=vendor)
    assert list(case.events.values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.LETTER_GENERATED,
    ]
    (letter,) = Letter.objects.filter(case=case)
    assert (letter.kind, letter.status, letter.version) == (
        LetterKind.ACCESS_REQUEST,
        LetterStatus.QUEUED,
        1,
    )
    enqueue.assert_called_once_with(RENDER_TASK, letter.pk)


@pytest.fixture
def bench_templates(settings):
    """The bare views' templates, as bench.webapp.settings adds them."""
    from pathlib import Path

    import bench.webapp

    folder = Path(bench.webapp.__file__).resolve().parent / "templates"
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], folder]}
    ]


@pytest.mark.usefixtures("bench_templates")
def test_the_bare_case_page_does_the_reads_of_the_case_page(client, django_assert_num_queries):
    from tests.factories import (
        CaseEventFactory,
        DeadlineFactory,
        EvidenceFactory,
        IncidentFactory,
        LetterFactory,
    )

    case = CaseFactory(sent=True)
    CaseEventFactory(case=case, note="a note on the timeline")
    DeadlineFactory(case=case)
    LetterFactory(case=case)
    IncidentFactory(case=case)
    EvidenceFactory(case=case)
    assert client.get(f"/bench/case/{case.pk}/").status_code == 302  # to log in
    client.force_login(case.requester)
    # session, user, case, deadlines, events, evidence, incidents, reminders, letters: the case
    # page's nine
    with django_assert_num_queries(9):
        response = client.get(f"/bench/case/{case.pk}/")
    assert response.status_code == 200 and b"a note on the timeline" in response.content
    client.force_login(UserFactory())
    assert client.get(f"/bench/case/{case.pk}/").status_code == 404


@pytest.mark.usefixtures("bench_templates")
def test_the_bare_case_page_shows_an_organisation_the_cases_it_holds_a_mandate_for(client):
    from tests.factories import MandateFactory, MembershipFactory

    case = CaseFactory(sent=True)
    mandate = MandateFactory(case=case)
    client.force_login(MembershipFactory(organisation=mandate.organisation).user)
    assert client.get(f"/bench/case/{case.pk}/").status_code == 200


def test_the_bare_api_list_has_exactly_the_rows_and_fields_an_organisations_key_sees(client):
    from tests.api_helpers import headers, organisation_case, organisation_key
    from tests.factories import MandateFactory, OrganisationFactory

    organisation = OrganisationFactory()
    held = [organisation_case(organisation) for _ in range(3)]
    revoked = MandateFactory(case=CaseFactory(), organisation=organisation)
    revoked.revoked_at = timezone.now()
    revoked.save(update_fields=["revoked_at"])
    CaseFactory()  # somebody else's
    _key, secret = organisation_key(organisation)
    api = client.get("/api/v1/cases/?page_size=200", **headers(secret)).json()
    bare = client.get(f"/bench/bare-cases/{organisation.pk}/?page_size=200").json()
    assert [c["id"] for c in bare["results"]] == [c.pk for c in reversed(held)]
    assert bare == api


@pytest.mark.usefixtures("bench_templates")
def test_the_bare_request_pages_list_vendors_and_render_a_form(client):
    vendor = VendorFactory()
    assert vendor.slug.encode() in client.get("/bench/vendors/").content
    response = client.get(f"/bench/form/{vendor.slug}/")
    assert response.status_code == 200 and b'name="requested_items"' in response.content
    assert client.get("/bench/form/nobody/").status_code == 404


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: anything written once per session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


@pytest.mark.usefixtures("bench_templates")
def test_each_bare_view_reads_as_much_as_the_page_it_stands_beside(client):
    from tests.factories import (
        CaseEventFactory,
        DeadlineFactory,
        EvidenceFactory,
        IncidentFactory,
        LetterFactory,
    )

    case = CaseFactory(sent=True)
    CaseEventFactory(case=case)
    DeadlineFactory(case=case)
    LetterFactory(case=case)
    IncidentFactory(case=case)
    EvidenceFactory(case=case)
    vendor = VendorFactory()
    client.force_login(case.requester)
    pairs = [
        (f"/cases/{case.pk}/", f"/bench/case/{case.pk}/"),
        ("/requests/new/", "/bench/vendors/"),
        (f"/requests/new/{vendor.slug}/", f"/bench/form/{vendor.slug}/"),
    ]
    for page, bare in pairs:
        assert _queries(client, page) == _queries(client, bare), (page, bare)
