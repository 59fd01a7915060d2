"""The export analyser in a real browser (Debian's Chromium driven by Playwright): upload a
generated Amazon export holding another household's device, watch the progress (polled by the
static script), read the report with its charts, record the misdirected export and the answer's
checklist with one click each, then generate the complaint."""

from __future__ import annotations

import io
import threading
import time

import pytest
from django.utils import timezone

from cases import services
from cases.models import ExportStatus, IncidentKind, Status, User, VoiceExport
from tests import make_exports as gen
from tests.browser_helpers import artifacts_on_failure
from tests.journey_helpers import case_in_status
from tests.test_browser import browser_settings, page  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a-long-Browser-passphrase-42"


def test_an_amazon_export_with_a_strangers_device_from_upload_to_complaint(
    page,  # noqa: F811
    live_server,
    tmp_path,
    request,
    monkeypatch,
):
    queued: list[int] = []
    # The worker is this test: it runs the analysis once the page shows the export waiting.
    monkeypatch.setattr(
        "tasks.exports.export_analyse.apply_async",
        lambda args, **options: queued.append(args[0]),
    )
    user = User.objects.create_user(email="exports@example.org", password=PASSWORD)
    user.email_verified_at = timezone.now()
    user.save()
    case = case_in_status(Status.AWAITING_RESPONSE, requester=user)
    export_file = tmp_path / "alexa-export.zip"
    truth = gen.amazon_export(export_file, n=120, stranger=30)

    def url(path: str) -> str:
        return live_server.url + path

    with artifacts_on_failure(page, request.node.name):
        page.goto(url("/account/login/"))
        page.get_by_label("E-mail address", exact=True).fill(user.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form").get_by_role("button", name="Log in").click()

        page.goto(url(f"/cases/{case.pk}/"))
        with page.expect_navigation():
            page.locator("#analyse-export").click()
        page.get_by_label("The export (ZIP, JSON, CSV or Excel)").set_input_files(str(export_file))
        page.get_by_label("Your devices and voice profiles").fill("Echo Dot\nEcho Show\nAlex")
        with page.expect_navigation():
            page.get_by_role("button", name="Upload and analyse").click()

        # Waiting: the progress box, polled by static/js/export_progress.js.
        progress = page.locator("#export-progress")
        assert progress.is_visible()
        assert "0 %" in progress.inner_text()
        assert len(queued) == 1
        export = VoiceExport.objects.get(pk=queued[0])
        worker = threading.Thread(target=lambda: services.export_run(export_id=export.pk))
        time.sleep(1.0)  # let the page poll once while the export waits
        worker.start()
        worker.join(60)
        assert VoiceExport.objects.get(pk=export.pk).status == ExportStatus.DONE
        # The script reloads the page when the analysis has finished.
        page.locator("#export-summary").wait_for(timeout=20_000)

        summary = page.locator("#export-summary")
        assert summary.locator("[data-field=interactions]").inner_text() == "120"
        assert summary.locator("[data-field=audio]").inner_text() == str(truth.audio)
        assert page.locator("section[aria-labelledby=charts] svg").count() >= 3
        foreign = page.locator("#foreign")
        assert gen.STRANGER_DEVICE in foreign.inner_text()
        assert "30 recordings" in foreign.inner_text()

        # One click: the misdirected export, with its count and the export's SHA-256.
        with page.expect_navigation():
            page.locator("#record-misdirected").click()
        incident = case.incidents.get()
        assert incident.kind == IncidentKind.MISDIRECTED_EXPORT
        assert incident.records_affected == 30
        assert export.evidence.sha256 in incident.description
        assert page.locator("section[aria-labelledby=incidents]").is_visible()

        # One click: the answer's checklist, pre-filled from the report, confirmed.
        page.goto(url(f"/cases/{case.pk}/exports/{export.pk}/"))
        assert page.locator("input[name=contains][value=audio]").is_checked()
        assert not page.locator("input[name=contains][value=annotations]").is_checked()
        with page.expect_navigation():
            page.locator("#record-checklist").click()
        case.refresh_from_db()
        assert case.status == Status.ANSWERED and "annotations" in case.missing_items

        # The complaint: the incomplete answer is its ground (the stranger's data are reported,
        # not complained of).
        page.locator("details#new-complaint summary").click()
        with page.expect_navigation():
            page.locator("details#new-complaint a[href$='/letters/complaint/']").click()
        complaint = page.locator("form#new-complaint")
        complaint.locator("input[name=authority]").first.check()
        complaint.locator("input[name=court_proceedings][value=no]").check()
        with page.expect_navigation():
            complaint.get_by_role("button").click()
        pdf_link = page.locator("#letters a[href$='/pdf/']")
        pdf_link.first.wait_for(timeout=30_000)
        with page.expect_download() as info:
            pdf_link.first.click()
        pdf = info.value.path().read_bytes()
        assert pdf.startswith(b"%PDF")
        from pypdf import PdfReader

        text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
        assert "Art" in text
