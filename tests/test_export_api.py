"""The export analyser through the API: upload for a case, read status, progress and report; bad
inputs end with a code and a message; another principal's export is a 404; in the schema."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Status
from tests import make_exports as gen
from tests.api_helpers import headers, personal_key
from tests.factories import UserFactory
from tests.journey_helpers import case_in_status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]


@pytest.fixture
def eager(monkeypatch, django_capture_on_commit_callbacks):
    from dsar.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
    return django_capture_on_commit_callbacks


def _upload(client, case, secret, data: bytes, eager, **fields):
    with eager(execute=True):
        return client.post(
            reverse("api:case_exports", args=[case.pk]),
            {"file": SimpleUploadedFile("export.zip", data), **fields},
            **headers(secret),
        )


def test_an_export_uploaded_through_the_api_is_analysed_and_its_report_read(client, eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    _, secret = personal_key(case.requester)
    out = io.BytesIO()
    gen.amazon_export(out, n=50, stranger=10)
    response = _upload(
        client, case, secret, out.getvalue(), eager, owned=["Echo Dot", "Echo Show", "Alex"]
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(out.getvalue()).hexdigest()
    url = reverse("api:case_export", args=[case.pk, body["id"]])
    export = client.get(url, **headers(secret)).json()
    assert export["status"] == "done" and export["percent"] == 100
    assert export["report"]["interactions"] == 50
    assert export["foreign"]["count"] == 10
    assert export["error"] is None
    listed = client.get(reverse("api:case_exports", args=[case.pk]), **headers(secret)).json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]


def test_a_bad_export_reads_as_failed_with_its_code_and_message(client, eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    _, secret = personal_key(case.requester)
    body = _upload(client, case, secret, gen.truncated_zip(), eager).json()
    export = client.get(
        reverse("api:case_export", args=[case.pk, body["id"]]), **headers(secret)
    ).json()
    assert export["status"] == "failed"
    assert export["error"]["code"] == "damaged" and "damaged" in export["error"]["message"]
    assert export["report"] is None


def test_another_principals_export_is_not_found(client, eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    _, secret = personal_key(case.requester)
    body = _upload(client, case, secret, gen.not_a_zip(), eager).json()
    _, other = personal_key(UserFactory())
    url = reverse("api:case_export", args=[case.pk, body["id"]])
    assert client.get(url, **headers(other)).status_code == 404
    response = client.post(
        reverse("api:case_exports", args=[case.pk]),
        {"file": SimpleUploadedFile("e.zip", b"PK")},
        **headers(other),
    )
    assert response.status_code == 404


def test_an_export_past_its_limit_is_refused(client, settings):
    settings.DSAR_EXPORT_MAX_BYTES = 100
    case = case_in_status(Status.AWAITING_RESPONSE)
    _, secret = personal_key(case.requester)
    response = client.post(
        reverse("api:case_exports", args=[case.pk]),
        {"file": SimpleUploadedFile("e.zip", b"x" * 1000)},
        **headers(secret),
    )
    assert response.status_code == 400
    assert "file" in str(response.json())


def test_the_export_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/cases/{case_id}/exports/"]
    assert "get" in paths["/api/v1/cases/{case_id}/exports/{export_id}/"]
    assert "VoiceExport" in schema["components"]["schemas"]
