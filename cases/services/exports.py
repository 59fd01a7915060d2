"""Services for vendors' data exports (issue 18): keep the upload as evidence, analyse it in
Celery, and turn what the report shows into the case's records (the answer's checklist, a
misdirected-export incident).

For other parts of the app (e.g. an export that arrives as an e-mail attachment):
`analyse_export(case=..., evidence=...)` or `analyse_export(case=..., file=..., name=...)`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import actions
from cases.exceptions import CaseError
from cases.exports.analysis import analyse_file
from cases.exports.errors import ExportError
from cases.exports.limits import Limits
from cases.exports.report import foreign
from cases.models import (
    Case,
    EventKind,
    Evidence,
    ExportStatus,
    Incident,
    IncidentKind,
    IncidentSide,
    User,
    VoiceExport,
)
from cases.queue import enqueue, enqueue_on_commit
from cases.services.cases import case_record_response, incident_record
from cases.services.events import event_record
from cases.uploads import safe_filename

logger = logging.getLogger(__name__)

# A run that has not finished after this long is taken to be lost (worker killed) and may be
# claimed again.
STALE_AFTER = timedelta(hours=2)
MAX_OWNED = 50


def _content_type(head: bytes, name: str) -> str:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "application/zip"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"[", b"{"):
        return "application/json"
    if name.lower().endswith(".csv"):
        return "text/csv"
    return "application/octet-stream"


def _clean_owned(owned: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for line in owned:
        name = " ".join(str(line).split())[:120]
        if name and name.casefold() not in (s.casefold() for s in seen):
            seen.append(name)
    return seen[:MAX_OWNED]


def export_upload(
    *,
    case: Case,
    actor: User | None,
    file: IO[bytes],
    name: str,
    size: int | None = None,
    sha256: str | None = None,
    owned: Iterable[str] = (),
    keep_transcripts: bool = False,
) -> VoiceExport:
    """Keep an export as evidence on `case` (private, hashed: what a complaint encloses as the
    company's answer) and queue its analysis. Any file is kept, even one the analysis will
    refuse: the upload itself proves what the company sent. `sha256` is the hash computed while
    the upload arrived (cases.exports.upload); without it the file is hashed here, in chunks."""
    current = Case.objects.get(pk=case.pk)
    events = list(current.events.order_by("occurred_on", "recorded_at", "pk"))
    actions.require_allowed(actions.EVIDENCE, current, events)
    if size is None:
        size = file.seek(0, 2)
    limit = settings.DSAR_EXPORT_MAX_BYTES
    if size > limit:
        raise CaseError(
            _("The export is larger than %(limit)s.") % {"limit": filesizeformat(limit)},
            field="file",
        )
    if size == 0:
        raise CaseError(_("The file is empty."), field="file")
    file.seek(0)
    head = file.read(64)
    if sha256 is None:
        digest = hashlib.sha256()
        file.seek(0)
        while chunk := file.read(1 << 20):
            digest.update(chunk)
        sha256 = digest.hexdigest()
    file.seek(0)
    stored_name = safe_filename(name or "export.zip")
    evidence = Evidence(
        case=case,
        original_name=stored_name,
        content_type=_content_type(head, stored_name),
        size=size,
        sha256=sha256,
        description=_("The company's data export"),
        is_vendor_answer=True,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    # Saved before the rows, under a random name; removed again if the rows cannot be written.
    # A temporary upload is moved into place, not copied (FileSystemStorage).
    evidence.file.save(stored_name, file if isinstance(file, File) else File(file), save=False)
    try:
        with transaction.atomic():
            evidence.save()
            export = VoiceExport.objects.create(
                case=case,
                evidence=evidence,
                file_name=evidence.file.name,
                owned=_clean_owned(owned),
                keep_transcripts=keep_transcripts,
                created_by=evidence.uploaded_by,
            )
            event_record(
                case,
                actor,
                EventKind.EVIDENCE_ADDED,
                on=timezone.localdate(),
                note=evidence.description,
                evidence_id=evidence.pk,
                file_name=stored_name,
                sha256=sha256,
                voice_export_id=export.pk,
            )
            _enqueue(export)
    except Exception:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return export


ANALYSE_TASK = "tasks.exports.export_analyse"


def _enqueue(export: VoiceExport) -> None:
    enqueue_on_commit(ANALYSE_TASK, export.pk)


def analyse_export(
    *,
    case: Case,
    evidence: Evidence | None = None,
    file: IO[bytes] | None = None,
    name: str = "",
    actor: User | None = None,
    owned: Iterable[str] = (),
    keep_transcripts: bool = False,
) -> VoiceExport:
    """Analyse an export for `case`: an Evidence already on the case (e.g. an e-mail's
    attachment), or a `file` to keep as evidence first. Returns the VoiceExport whose analysis
    is queued (or the existing one for that evidence)."""
    if evidence is None:
        if file is None:
            raise CaseError(_("Choose a file."), field="file")
        return export_upload(
            case=case,
            actor=actor,
            file=file,
            name=name,
            owned=owned,
            keep_transcripts=keep_transcripts,
        )
    if evidence.case_id != case.pk:
        raise CaseError(_("This file belongs to another case."), field="file")
    with transaction.atomic():
        export, created = VoiceExport.objects.get_or_create(
            evidence=evidence,
            defaults={
                "case": case,
                "file_name": evidence.file.name,
                "owned": _clean_owned(owned),
                "keep_transcripts": keep_transcripts,
                "created_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        if created:
            _enqueue(export)
    return export


# How long an export may wait in the queue before the scan below queues it again.
REQUEUE_AFTER = timedelta(minutes=10)


def exports_requeue_stuck(*, now: datetime | None = None, batch_size: int = 100) -> int:
    """Queue again the exports whose task was lost: still waiting after REQUEUE_AFTER (broker
    down when uploaded), or running past STALE_AFTER (worker killed). The run claims the row,
    so an export queued twice is analysed once."""
    now = now or timezone.now()
    stuck = (
        VoiceExport.objects.filter(
            Q(status=ExportStatus.QUEUED, created_at__lt=now - REQUEUE_AFTER)
            | Q(status=ExportStatus.RUNNING, started_at__lt=now - STALE_AFTER)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    queued = 0
    for export_id in stuck:
        if not enqueue(ANALYSE_TASK, export_id):
            break  # broker still down: the next beat tick tries again
        queued += 1
    return queued


def _claim(export_id: int) -> VoiceExport | None:
    """Take the export for one run: a finished one, or one another worker runs (and has not
    abandoned), is left alone, so that a second delivery of the task does nothing."""
    with transaction.atomic():
        export = (
            VoiceExport.objects.select_for_update(skip_locked=True)
            .select_related("evidence")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.finished:
            return None
        now = timezone.now()
        if (
            export.status == ExportStatus.RUNNING
            and export.started_at
            and now - export.started_at < STALE_AFTER
        ):
            return None
        export.status = ExportStatus.RUNNING
        export.started_at = now
        export.attempts += 1
        export.progress_done = 0
        export.save(update_fields=["status", "started_at", "attempts", "progress_done"])
    return export


def export_run(*, export_id: int) -> VoiceExport | None:
    """Run the analysis of one export (the Celery task calls this). Every failure ends as a
    FAILED export with a code the page and the API explain; nothing escapes to the worker."""
    export = _claim(export_id)
    if export is None:
        return None

    def progress(done: int, total: int) -> None:
        VoiceExport.objects.filter(pk=export.pk).update(progress_done=done, progress_total=total)

    report: dict[str, Any] = {}
    code = ""
    try:
        with export.evidence.file.open("rb") as handle:
            report = analyse_file(
                handle,
                name=export.evidence.original_name,
                tz=ZoneInfo(settings.TIME_ZONE),
                keep_transcripts=export.keep_transcripts,
                limits=Limits.from_settings(),
                progress=progress,
            )
    except ExportError as exc:
        code = exc.code
        logger.info("export %s not analysed: %s (%s)", export.pk, exc.code, exc.detail)
    except FileNotFoundError:
        code = "missing_file"
    except Exception:  # the worker must survive whatever a hostile file does
        code = "internal"
        logger.exception("export %s: analysis failed", export.pk)
    fields = {
        "status": ExportStatus.FAILED if code else ExportStatus.DONE,
        "error_code": code,
        "report": report,
        "vendor": report.get("vendor", ""),
        "finished_at": timezone.now(),
    }
    VoiceExport.objects.filter(pk=export.pk).update(**fields)
    export.refresh_from_db()
    return export


def export_set_owned(
    *, export: VoiceExport, actor: User | None, owned: Iterable[str]
) -> VoiceExport:
    """Record the devices and voice profiles the person owns; the report's suspicion of a
    misdirected export is read against them (cases.exports.report.foreign)."""
    export.owned = _clean_owned(owned)
    export.save(update_fields=["owned"])
    return export


def export_foreign(export: VoiceExport) -> dict[str, Any] | None:
    """What in the export belongs to devices or profiles the person does not own (the one rule
    is cases.exports.report.foreign)."""
    if export.status != ExportStatus.DONE:
        return None
    return foreign(export.report, export.owned)


def export_record_checklist(
    *,
    export: VoiceExport,
    actor: User | None,
    contains: Iterable[str],
    received_on: date,
) -> Case:
    """Record the company's answer with the checklist the person confirmed, pre-filled from the
    report (Art. 15(1)-(3): every requested item the answer lacks becomes a ground for a
    reminder and a complaint, through `case_record_response`)."""
    if export.status != ExportStatus.DONE:
        raise CaseError(_("The export has not been analysed."), field="contains")
    return case_record_response(
        case=export.case,
        actor=actor,
        received_on=received_on,
        contains=list(contains),
        note=_("Checked against the analysis of the export %(name)s (SHA-256 %(sha)s).")
        % {"name": export.evidence.original_name, "sha": export.evidence.sha256},
    )


def export_record_misdirected(
    *, export: VoiceExport, actor: User | None, discovered_on: date | None = None
) -> Incident:
    """Record that the export holds somebody else's data: a misdirected export, a personal data
    breach (Art. 4(12)), with the number of recordings from devices or profiles the person does
    not own, their date range, and the export itself (its SHA-256) as evidence. The person
    received a stranger's data, so it is reported, not complained of (`others_data`, LEGAL.md 1;
    Art. 77 covers the person's own data only)."""
    suspicion = export_foreign(export)
    if not suspicion or not suspicion["count"]:
        raise CaseError(
            _("The export holds nothing from devices or profiles you do not own."), field="owned"
        )
    discovered = discovered_on or timezone.localdate()
    names = ", ".join([*suspicion["devices"], *suspicion["profiles"]])
    description = _(
        "The export the company sent (%(file)s, SHA-256 %(sha)s) holds %(count)s recordings "
        "from devices or voice profiles that are not mine (%(names)s), made between %(first)s "
        "and %(last)s."
    ) % {
        "file": export.evidence.original_name,
        "sha": export.evidence.sha256,
        "count": suspicion["count"],
        "names": names,
        "first": suspicion["first"] or "?",
        "last": suspicion["last"] or "?",
    }
    incident = incident_record(
        case=export.case,
        actor=actor,
        kind=IncidentKind.MISDIRECTED_EXPORT,
        discovered_on=discovered,
        # When the export left the company is not known; the recordings' dates are above.
        records_affected=suspicion["count"],
        data_categories=["audio", "transcripts"],
        description=description,
        side=IncidentSide.OTHERS_DATA,
    )
    Evidence.objects.filter(pk=export.evidence_id).update(incident=incident)
    return incident


__all__ = [
    "analyse_export",
    "export_foreign",
    "export_record_checklist",
    "export_record_misdirected",
    "export_run",
    "export_set_owned",
    "export_upload",
    "exports_requeue_stuck",
]
