"""Uploading an export: kept as private, hashed evidence; analysed once in Celery whatever the
input; every bad input ends as a clear failure with the upload kept; deleted with its case and
its account."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.exceptions import CaseError
from cases.models import (
    Case,
    EventKind,
    Evidence,
    ExportStatus,
    IncidentKind,
    IncidentSide,
    Outcome,
    Status,
    VoiceExport,
)
from tests import make_exports as gen
from tests.journey_helpers import case_in_status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English, whatever an earlier test left active in this thread.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def eager(monkeypatch, django_capture_on_commit_callbacks):
    from dsar.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
    return django_capture_on_commit_callbacks


def upload(case: Case, data: bytes, eager, name: str = "export.zip", **kwargs) -> VoiceExport:
    with eager(execute=True):
        export = services.export_upload(
            case=case, actor=case.requester, file=io.BytesIO(data), name=name, **kwargs
        )
    export.refresh_from_db()
    return export


def amazon_bytes(**kwargs) -> bytes:
    out = io.BytesIO()
    gen.amazon_export(out, **kwargs)
    return out.getvalue()


def test_an_export_is_kept_as_hashed_private_evidence_and_analysed(eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    data = amazon_bytes(n=60, stranger=10)
    export = upload(case, data, eager, owned=["Echo Dot", "Echo Show", "Alex", ""])
    assert export.status == ExportStatus.DONE
    assert export.vendor == "amazon"
    assert export.report["interactions"] == 60
    assert export.owned == ["Echo Dot", "Echo Show", "Alex"]
    evidence = export.evidence
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.is_vendor_answer and evidence.content_type == "application/zip"
    assert Path(evidence.file.path).read_bytes() == data
    assert "media" in evidence.file.path  # MEDIA_ROOT: never served statically
    event = case.events.get(kind=EventKind.EVIDENCE_ADDED)
    assert event.data["sha256"] == evidence.sha256
    # Aggregates and flags only: no transcript text is stored.
    assert "alexa play" not in str(export.report)


def test_transcripts_are_stored_only_when_the_person_opts_in(eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    export = upload(case, amazon_bytes(n=10, stranger=0), eager, keep_transcripts=True)
    assert "alexa play" in str(export.report["transcripts_kept"])


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (gen.encrypted_zip(), "encrypted"),
        (gen.truncated_zip(), "damaged"),
        (gen.corrupt_zip(), "damaged"),
        (gen.not_a_zip(), "not_an_export"),
    ],
)
def test_a_bad_input_fails_with_its_code_and_the_upload_stays(eager, data, code):
    case = case_in_status(Status.AWAITING_RESPONSE)
    export = upload(case, data, eager)
    assert export.status == ExportStatus.FAILED
    assert export.error_code == code
    assert Path(export.evidence.file.path).read_bytes() == data


def test_a_zip_bomb_fails_and_stays_as_evidence(eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    bomb = io.BytesIO()
    gen.zip_bomb(bomb, megabytes=8)
    export = upload(case, bomb.getvalue(), eager)
    assert (export.status, export.error_code) == (ExportStatus.FAILED, "too_large")
    assert Evidence.objects.filter(pk=export.evidence_id).exists()


def test_an_unexpected_error_fails_the_export_without_reaching_the_worker(eager, monkeypatch):
    def explode(*args, **kwargs):
        raise MemoryError("hostile file")

    monkeypatch.setattr("cases.services.exports.analyse_file", explode)
    case = case_in_status(Status.AWAITING_RESPONSE)
    export = upload(case, amazon_bytes(n=5, stranger=0), eager)
    assert (export.status, export.error_code) == (ExportStatus.FAILED, "internal")


def test_the_task_is_safe_to_run_twice(eager):
    from tasks.exports import export_analyse

    case = case_in_status(Status.AWAITING_RESPONSE)
    export = upload(case, amazon_bytes(n=5, stranger=0), eager)
    finished = export.finished_at
    export_analyse(export.pk)
    export.refresh_from_db()
    assert export.attempts == 1 and export.finished_at == finished
    export_analyse(999_999)  # a deleted export: nothing happens


def test_the_export_has_its_own_size_limit(eager, settings):
    settings.DSAR_EXPORT_MAX_BYTES = 1000
    settings.UPLOAD_MAX_BYTES = 10
    case = case_in_status(Status.AWAITING_RESPONSE)
    with pytest.raises(CaseError, match="larger than"):
        services.export_upload(
            case=case, actor=case.requester, file=io.BytesIO(b"x" * 1001), name="e.zip"
        )
    export = upload(case, b'[{"time": "2026-03-01T10:00:00Z", "title": "Said hi"}]', eager)
    assert export.status == ExportStatus.DONE


def test_the_checklist_is_recorded_as_the_answer(eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    export = upload(case, amazon_bytes(n=20, stranger=0), eager)
    assert export.report["checklist"]["audio"] is True
    from django.utils import timezone

    services.export_record_checklist(
        export=export,
        actor=case.requester,
        contains=["audio", "transcripts"],
        received_on=timezone.localdate(),
    )
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert case.outcome == Outcome.PARTIAL
    assert "annotations" in case.missing_items and "audio" not in case.missing_items


def test_a_misdirected_export_is_recorded_with_its_count_dates_and_hash(eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    export = upload(case, amazon_bytes(n=60, stranger=12), eager, owned=["Echo", "Alex"])
    incident = services.export_record_misdirected(export=export, actor=case.requester)
    assert incident.kind == IncidentKind.MISDIRECTED_EXPORT
    assert incident.side == IncidentSide.OTHERS_DATA
    assert incident.records_affected == 12
    assert export.evidence.sha256 in incident.description
    suspicion = services.export_foreign(export)
    assert "holds 12 recordings" in incident.description
    assert suspicion["first"] in incident.description and suspicion["last"] in incident.description
    assert Evidence.objects.get(pk=export.evidence_id).incident == incident


def test_no_incident_without_foreign_devices(eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    export = upload(case, amazon_bytes(n=20, stranger=0), eager, owned=["Echo", "Alex"])
    with pytest.raises(CaseError):
        services.export_record_misdirected(export=export, actor=case.requester)


def test_an_evidence_already_on_the_case_can_be_analysed(eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    with eager(execute=True):
        evidence = services.evidence_add(
            case=case,
            actor=case.requester,
            upload=SimpleUploadedFile("x.zip", amazon_bytes(n=5, stranger=0)),
        )
        export = services.analyse_export(case=case, evidence=evidence)
        again = services.analyse_export(case=case, evidence=evidence)
    export.refresh_from_db()
    assert export.pk == again.pk and export.status == ExportStatus.DONE


def test_the_export_and_its_file_go_with_the_case(eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    export = upload(case, amazon_bytes(n=5, stranger=0), eager)
    path = Path(export.evidence.file.path)
    with eager(execute=True):
        services.case_erase(case=case)  # the one way a case goes (its events are append-only)
    assert not VoiceExport.objects.filter(pk=export.pk).exists()
    assert not path.exists()


def test_the_export_and_its_file_go_with_the_account(eager):
    case = case_in_status(Status.AWAITING_RESPONSE)
    export = upload(case, amazon_bytes(n=5, stranger=0), eager)
    path = Path(export.evidence.file.path)
    with eager(execute=True):
        services.user_delete(user=case.requester)
    assert not VoiceExport.objects.filter(pk=export.pk).exists()
    assert not path.exists()


def test_an_export_whose_task_was_lost_is_queued_again(eager, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    queued: list[int] = []
    monkeypatch.setattr(
        "tasks.exports.export_analyse.apply_async",
        lambda args, **options: queued.append(args[0]),
    )
    case = case_in_status(Status.AWAITING_RESPONSE)
    with eager(execute=True):
        export = services.export_upload(
            case=case, actor=case.requester, file=io.BytesIO(amazon_bytes(n=5)), name="e.zip"
        )
    assert queued == [export.pk]  # queued once on upload; the broker "lost" it
    assert services.exports_requeue_stuck() == 0  # too early to call it lost
    later = timezone.now() + timedelta(minutes=11)
    assert services.exports_requeue_stuck(now=later) == 1
    assert queued == [export.pk, export.pk]
    services.export_run(export_id=export.pk)
    assert services.exports_requeue_stuck(now=later) == 0  # done: never again
