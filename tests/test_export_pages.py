"""The export analyser's pages: upload from the case page, progress, the report with SVG charts and
downloads, the one-click records; only for those who may see the case."""

from __future__ import annotations

import hashlib
import io
import json
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import Evidence, ExportStatus, IncidentKind, Status, VoiceExport
from tests import make_exports as gen
from tests.factories import UserFactory
from tests.journey_helpers import case_in_status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]


@pytest.fixture
def eager(monkeypatch, django_capture_on_commit_callbacks):
    from dsar.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
    return django_capture_on_commit_callbacks


def amazon_bytes(**kwargs) -> bytes:
    out = io.BytesIO()
    gen.amazon_export(out, **kwargs)
    return out.getvalue()


def post_export(client, case, data: bytes, eager, owned: str = "Echo Dot\nEcho Show\nAlex"):
    with eager(execute=True):
        return client.post(
            reverse("cases:export_new", args=[case.pk]),
            {"file": SimpleUploadedFile("alexa.zip", data), "owned": owned},
        )


def test_the_case_page_offers_to_analyse_the_export(client):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert reverse("cases:export_new", args=[case.pk]) in page


def test_an_upload_is_hashed_on_the_way_and_shows_the_report(client, eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    data = amazon_bytes(n=80, stranger=15)
    response = post_export(client, case, data, eager)
    export = VoiceExport.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:export_detail", args=[case.pk, export.pk])
    assert export.evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert export.status == ExportStatus.DONE
    page = client.get(response["Location"]).content.decode()
    assert page.count("<svg") >= 3
    assert 'data-field="interactions">80<' in page
    assert gen.STRANGER_DEVICE in page and 'id="record-misdirected"' in page
    assert "<script>" not in page  # no inline script (CSP)
    status = client.get(reverse("cases:export_status", args=[case.pk, export.pk])).json()
    assert status["finished"] is True and status["percent"] == 100
    case_page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert response["Location"] in case_page


def test_a_running_analysis_shows_its_progress_polled_by_a_static_script(client):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    evidence = Evidence.objects.create(
        case=case, original_name="x.zip", content_type="application/zip", size=1, sha256="0" * 64
    )
    export = VoiceExport.objects.create(
        case=case,
        evidence=evidence,
        status=ExportStatus.RUNNING,
        progress_done=30,
        progress_total=120,
    )
    page = client.get(reverse("cases:export_detail", args=[case.pk, export.pk])).content.decode()
    assert 'id="export-progress"' in page and "js/export_progress.js" in page
    assert "25 %" in page
    status = client.get(reverse("cases:export_status", args=[case.pk, export.pk])).json()
    assert status == {**status, "finished": False, "percent": 25, "status": "running"}


def test_a_bad_export_ends_with_a_clear_message_and_stays_as_evidence(client, eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    response = post_export(client, case, gen.encrypted_zip(), eager)
    page = client.get(response["Location"]).content.decode()
    assert 'data-code="encrypted"' in page and "password" in page
    export = VoiceExport.objects.get(case=case)
    assert export.evidence.file.size == len(gen.encrypted_zip())


def test_an_export_past_its_limit_is_refused_while_it_arrives(client, settings):
    settings.DSAR_EXPORT_MAX_BYTES = 1000
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    response = client.post(
        reverse("cases:export_new", args=[case.pk]),
        {"file": SimpleUploadedFile("big.zip", b"x" * 5000)},
    )
    assert response.status_code == 200
    assert "larger than the limit" in response.content.decode()
    assert not Evidence.objects.filter(case=case).exists()


def test_the_report_downloads_as_csv_and_json(client, eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    post_export(client, case, amazon_bytes(n=30, stranger=5), eager)
    export = VoiceExport.objects.get(case=case)
    as_json = client.get(reverse("cases:export_download", args=[case.pk, export.pk, "json"]))
    body = json.loads(as_json.content)
    assert body["interactions"] == 30 and body["foreign"]["count"] == 5
    assert "attachment" in as_json["Content-Disposition"]
    as_csv = client.get(reverse("cases:export_download", args=[case.pk, export.pk, "csv"]))
    assert "summary,interactions,30" in as_csv.content.decode()


def test_another_users_export_is_not_found(client, eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    post_export(client, case, amazon_bytes(n=5, stranger=0), eager)
    export = VoiceExport.objects.get(case=case)
    client.force_login(UserFactory())
    for name, extra in (
        ("export_detail", []),
        ("export_status", []),
        ("export_download", ["json"]),
    ):
        url = reverse(f"cases:{name}", args=[case.pk, export.pk, *extra])
        assert client.get(url).status_code == 404
    for name in ("export_misdirected", "export_checklist", "export_owned"):
        assert client.post(reverse(f"cases:{name}", args=[case.pk, export.pk])).status_code == 404
    assert client.get(reverse("cases:export_new", args=[case.pk])).status_code == 404


def test_one_click_records_the_checklist_and_the_misdirected_export(client, eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    post_export(client, case, amazon_bytes(n=60, stranger=20), eager)
    export = VoiceExport.objects.get(case=case)
    page = client.get(reverse("cases:export_detail", args=[case.pk, export.pk])).content.decode()
    # Pre-filled from what the export shows: audio and transcripts ticked, annotations not.
    assert re.search(r'value="audio"[^>]*checked', page)
    assert not re.search(r'value="annotations"[^>]*checked', page)
    response = client.post(
        reverse("cases:export_misdirected", args=[case.pk, export.pk]),
    )
    assert response.status_code == 302
    incident = case.incidents.get()
    assert incident.kind == IncidentKind.MISDIRECTED_EXPORT and incident.records_affected == 20
    response = client.post(
        reverse("cases:export_checklist", args=[case.pk, export.pk]),
        {"received_on": timezone.localdate().isoformat(), "contains": ["audio", "transcripts"]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ANSWERED and "annotations" in case.missing_items


def test_the_owned_devices_can_be_corrected_after_the_analysis(client, eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    post_export(client, case, amazon_bytes(n=30, stranger=5), eager, owned="")
    export = VoiceExport.objects.get(case=case)
    url = reverse("cases:export_detail", args=[case.pk, export.pk])
    assert 'id="record-misdirected"' not in client.get(url).content.decode()
    client.post(reverse("cases:export_owned", args=[case.pk, export.pk]), {"owned": "Echo\nAlex"})
    assert 'id="record-misdirected"' in client.get(url).content.decode()


@pytest.mark.parametrize(("language", "text"), [("fr", "Analyser l"), ("de", "Export analysieren")])
def test_the_pages_speak_french_and_german(client, eager, language, text):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the browser's choice wins
    page = client.get(
        reverse("cases:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert text in page
