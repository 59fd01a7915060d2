"""The case page cache: a page is served again only while nothing it shows has changed, never to
anybody else, and always with the visitor's own CSRF token.

Freshness rests on `Case.page_version`, which database triggers move (migration 0005); the first
tests prove the triggers catch writes that bypass the services (queryset updates, deletes).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import page_cache, services
from cases.models import (
    Case,
    CaseEvent,
    Deadline,
    EventKind,
    Evidence,
    Incident,
    Letter,
    LetterStatus,
    Mandate,
)
from tests.factories import (
    CaseEventFactory,
    CaseFactory,
    CaseNoteFactory,
    EvidenceFactory,
    IncidentFactory,
    LetterFactory,
    MandateFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def version(case: Case) -> int:
    return Case.objects.values_list("page_version", flat=True).get(pk=case.pk)


def page(client: Client, case: Case):
    return client.get(reverse("cases:case_detail", args=[case.pk]))


# --- The version moves on every write ------------------------------------------------------


def test_updating_the_case_row_moves_its_version_even_through_a_queryset_update():
    case = CaseFactory()
    before = version(case)
    Case.objects.filter(pk=case.pk).update(vendor_reference="AMZ-1")
    assert version(case) == before + 1
    case.refresh_from_db()
    case.save()  # a save that writes a stale page_version still moves it
    assert version(case) == before + 2
    CaseEventFactory(case=case, kind=EventKind.NOTE)  # `case` now holds an old version
    case.save()
    assert version(case) == before + 4


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda case: CaseEventFactory(case=case, kind=EventKind.NOTE), id="event"),
        pytest.param(lambda case: EvidenceFactory(case=case), id="evidence"),
        pytest.param(lambda case: IncidentFactory(case=case), id="incident"),
        pytest.param(lambda case: LetterFactory(case=case), id="letter"),
        pytest.param(lambda case: CaseNoteFactory(case=case), id="note"),
    ],
)
def test_adding_a_row_the_page_shows_moves_the_case_version(write):
    case = CaseFactory()
    before = version(case)
    write(case)
    assert version(case) > before


def test_changing_or_deleting_rows_the_page_shows_moves_the_case_version():
    case = CaseFactory(sent=True)
    services.deadlines_refresh(case=case)
    letter = LetterFactory(case=case)
    evidence = EvidenceFactory(case=case)
    incident = IncidentFactory(case=case)
    steps = [
        lambda: Deadline.objects.filter(case=case).update(due_on=timezone.localdate()),
        lambda: Letter.objects.filter(pk=letter.pk).update(status=LetterStatus.READY),
        lambda: Incident.objects.filter(pk=incident.pk).update(records_affected=12),
        lambda: Evidence.objects.filter(pk=evidence.pk).delete(),
    ]
    for step in steps:
        before = version(case)
        step()
        assert version(case) > before


def test_a_mandate_moves_the_version_of_its_case():
    organisation = OrganisationFactory()
    case = CaseFactory()
    before = version(case)
    mandate = MandateFactory(case=case, organisation=organisation)
    assert version(case) > before
    before = version(case)
    Mandate.objects.filter(pk=mandate.pk).update(revoked_at=timezone.now())
    assert version(case) > before


def test_a_write_to_one_case_leaves_the_others_alone():
    case, other = CaseFactory(), CaseFactory()
    before = version(other)
    CaseEventFactory(case=case, kind=EventKind.NOTE)
    assert version(other) == before


# --- The page --------------------------------------------------------------------------------


def test_a_second_visit_is_served_from_the_cache_with_few_queries(client):
    case = CaseFactory(sent=True)
    services.deadlines_refresh(case=case)
    client.force_login(case.requester)
    with CaptureQueriesContext(connection) as first:
        assert page(client, case).status_code == 200
    with CaptureQueriesContext(connection) as second:
        response = page(client, case)
    assert response.status_code == 200
    # session, user, the case's version: nothing of what the page shows is read again
    assert len(second) <= 3 < len(first)


def test_what_changed_shows_at_once_whatever_wrote_it(client):
    case = CaseFactory(sent=True)
    services.deadlines_refresh(case=case)
    client.force_login(case.requester)
    assert "Called the hotline" not in page(client, case).content.decode()
    # A write that no service made, as a worker or the admin might: the trigger still sees it.
    CaseEvent.objects.create(
        case=case, kind=EventKind.NOTE, occurred_on=timezone.localdate(), note="Called the hotline"
    )
    assert "Called the hotline" in page(client, case).content.decode()
    Case.objects.filter(pk=case.pk).update(requester_name="Anna Q. Müller-Lüdenscheidt")
    assert "Anna Q. Müller-Lüdenscheidt" in page(client, case).content.decode()


def test_days_left_follow_the_calendar_not_the_cache(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    case = CaseFactory(sent=True)
    services.deadlines_refresh(case=case)
    client.force_login(case.requester)
    due = case.deadlines.get(kind="response").due_on
    left = (due - timezone.localdate()).days
    assert f"{left} days left" in page(client, case).content.decode()
    time_machine.move_to(timezone.now() + timedelta(days=1), tick=False)
    assert f"{left - 1} days left" in page(client, case).content.decode()


def test_a_cached_page_is_never_shown_to_another_person(client):
    case = CaseFactory()
    client.force_login(case.requester)
    assert page(client, case).status_code == 200
    stranger = Client()
    stranger.force_login(UserFactory())
    assert page(stranger, case).status_code == 404


def test_an_organisation_member_gets_their_own_page_and_loses_it_with_the_mandate(client):
    organisation = OrganisationFactory()
    case = CaseFactory(organisation=organisation)
    mandate = MandateFactory(case=case, organisation=organisation)
    member = MembershipFactory(organisation=organisation).user
    client.force_login(case.requester)
    page(client, case)
    caseworker = Client()
    caseworker.force_login(member)
    assert page(caseworker, case).status_code == 200
    Mandate.objects.filter(pk=mandate.pk).update(revoked_at=timezone.now())
    assert page(caseworker, case).status_code == 404


def tokens(response) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()))


def test_every_visitor_gets_a_working_csrf_token_of_their_own_on_a_cached_page():
    case = CaseFactory()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(case.requester)
    second.force_login(case.requester)  # the same person on another device
    page(first, case)
    cached = page(second, case)
    found = tokens(cached)
    assert found and page_cache.CSRF_PLACEHOLDER not in cached.content.decode()
    # The token on the cached page is accepted with this visitor's cookie.
    response = second.post(
        reverse("cases:case_mark_sent", args=[case.pk]),
        {
            "sent_on": timezone.localdate().isoformat(),
            "channel": "email",
            "csrfmiddlewaretoken": found.pop(),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.sent_on == timezone.localdate()


def test_a_message_is_shown_once_and_not_kept_in_the_cache(client):
    case = CaseFactory()
    client.force_login(case.requester)
    page(client, case)
    client.post(
        reverse("cases:case_mark_sent", args=[case.pk]),
        {"sent_on": timezone.localdate().isoformat(), "channel": "email"},
    )
    shown = page(client, case).content.decode()
    assert 'class="messages"' in shown
    assert 'class="messages"' not in page(client, case).content.decode()


def test_expired_pages_are_dropped_when_the_next_page_is_kept(client, monkeypatch):
    first, second = CaseFactory(), CaseFactory()
    client.force_login(first.requester)
    page(client, first)
    assert page_cache.size() == 1
    later = page_cache._clock() + page_cache.TTL_SECONDS + 1
    monkeypatch.setattr(page_cache, "_clock", lambda: later)
    other = Client()
    other.force_login(second.requester)
    page(other, second)
    assert page_cache.size() == 1  # the first person's page is gone, not only out of date
