"""The bare views bench/web.py measures the app against do what their names say, and no more."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.utils import timezone

from bench.webapp.views import BENCH_MARKER
from cases.models import Case, CaseEvent, EventKind
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


def test_the_bare_case_writes_are_those_of_filing_a_request(client):
    vendor = VendorFactory()
    assert client.post("/bench/case-writes/", {"vendor": vendor.pk}).status_code == 403
    user = UserFactory()
    client.force_login(user)
    assert client.post("/bench/case-writes/", {"vendor": vendor.pk}).status_code == 201
    case = Case.objects.get(requester=user, vendor=vendor)
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        EventKind.CREATED
    ]
    assert LogEntry.objects.get_for_object(case).count() == 1
