"""The export analyser's pages: upload, progress, report (charts, downloads) and its one-click
actions. Thin: every case comes through the selectors (another user's is a 404), every write is
one service call (cases.services.exports)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import selectors, services
from cases.exceptions import ActionNotAvailable, CaseError
from cases.exports.charts import report_charts
from cases.exports.notes import error_message, warning_messages
from cases.exports.upload import HashingUploadHandler
from cases.forms.common import show_error
from cases.forms.exports import ExportChecklistForm, ExportUploadForm, OwnedForm
from cases.models import Article15Item, ExportStatus, VoiceExport


def _editable_case(request: HttpRequest, case_id: int):
    case = selectors.case_for_page(request.user, case_id)
    if not selectors.case_editable_by(request.user, case):
        raise PermissionDenied
    return case


@login_required
@require_http_methods(["GET", "POST"])
@csrf_protect
def _upload(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _editable_case(request, case_id)
    form = ExportUploadForm()
    if request.method == "POST":
        form = ExportUploadForm(request.POST, request.FILES)
        handler = request.upload_handlers[0]
        valid = form.is_valid()
        if isinstance(handler, HashingUploadHandler) and handler.exceeded:
            form.errors.pop("file", None)
            form.add_error(
                "file",
                _("The file is larger than the limit of %(size)s.")
                % {"size": filesizeformat(settings.DSAR_EXPORT_MAX_BYTES)},
            )
            valid = False
        if valid:
            upload = form.cleaned_data["file"]
            try:
                export = services.export_upload(
                    case=case,
                    actor=request.user,
                    file=upload,
                    name=upload.name or "",
                    size=upload.size,
                    sha256=getattr(upload, "sha256", None),
                    owned=form.cleaned_data["owned"],
                    keep_transcripts=form.cleaned_data["keep_transcripts"],
                )
            except ActionNotAvailable:
                messages.error(request, _("This cannot be recorded on this case any more."))
                return redirect("cases:case_detail", case_id=case.pk)
            except CaseError as error:
                show_error(form, error)
            else:
                return redirect("cases:export_detail", case_id=case.pk, export_id=export.pk)
    context = {
        "case": case,
        "form": form,
        "max_bytes": settings.DSAR_EXPORT_MAX_BYTES,
    }
    return render(request, "exports/upload.html", context)


@csrf_exempt  # only to install the upload handler before the body is read; checked just below
def export_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """Upload an export (GET: its page). The handler streams the file to a temporary file,
    hashing it on the way and stopping at DSAR_EXPORT_MAX_BYTES; CSRF is checked right after."""
    request.upload_handlers = [
        HashingUploadHandler(settings.DSAR_EXPORT_MAX_BYTES, request=request)
    ]
    return _upload(request, case_id)


def _status(export: VoiceExport) -> dict[str, Any]:
    return {
        "status": export.status,
        "label": str(export.get_status_display()),
        "finished": export.finished,
        "percent": export.percent,
        "done": export.progress_done,
        "total": export.progress_total,
        "error_code": export.error_code,
        "error": error_message(export.error_code),
    }


def _report_context(export: VoiceExport) -> dict[str, Any]:
    report = export.report
    if export.status != ExportStatus.DONE:
        return {}
    checklist = report.get("checklist", {})
    labels = dict(Article15Item.choices)
    suspicion = services.export_foreign(export)
    busiest = sorted(report.get("per_day", {}).items(), key=lambda kv: -kv[1])[:10]
    return {
        "report": report,
        "charts": report_charts(report),
        "warnings": warning_messages(report.get("warnings", [])),
        "foreign": suspicion,
        "busiest_days": busiest,
        "hours": round(report["audio"]["seconds"] / 3600, 2),
        "checklist_rows": [(code, labels[code], checklist.get(code, False)) for code in labels],
    }


@login_required
@require_GET
def export_detail(request: HttpRequest, case_id: int, export_id: int) -> HttpResponse:
    export = selectors.voice_export_for(request.user, case_id, export_id)
    case = selectors.case_for_page(request.user, case_id)
    can_edit = selectors.case_editable_by(request.user, case)
    context: dict[str, Any] = {
        "case": case,
        "export": export,
        "state": _status(export),
        "can_edit": can_edit,
        **_report_context(export),
    }
    if export.status == ExportStatus.DONE and can_edit:
        initial = [c for c, present in export.report.get("checklist", {}).items() if present]
        context["checklist_form"] = ExportChecklistForm(
            initial={"contains": initial}, auto_id="id_checklist_%s"
        )
        context["owned_form"] = OwnedForm(
            initial={"owned": "\n".join(export.owned)}, auto_id="id_owned_%s"
        )
    return render(request, "exports/detail.html", context)


@login_required
@require_GET
def export_status(request: HttpRequest, case_id: int, export_id: int) -> JsonResponse:
    """The progress, polled by static/js/export_progress.js."""
    export = selectors.voice_export_for(request.user, case_id, export_id)
    response = JsonResponse(_status(export))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export_download(request: HttpRequest, case_id: int, export_id: int, fmt: str) -> HttpResponse:
    """The report as JSON (all of it) or CSV (section, key, value), as a download."""
    export = selectors.voice_export_for(request.user, case_id, export_id)
    if export.status != ExportStatus.DONE or fmt not in ("json", "csv"):
        raise Http404
    name = f"export-report-{export.case_id}-{export.pk}.{fmt}"
    if fmt == "json":
        body = json.dumps(
            {**export.report, "foreign": services.export_foreign(export)},
            ensure_ascii=False,
            indent=2,
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(_csv(export), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _csv(export: VoiceExport) -> str:
    report = export.report
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "value"])
    for key in ("vendor", "interactions", "undated", "first", "last", "night"):
        writer.writerow(["summary", key, report.get(key)])
    for key, value in report["audio"].items():
        if not isinstance(value, list | dict):
            writer.writerow(["audio", key, value])
    for key, value in report["transcripts"].items():
        writer.writerow(["transcripts", key, value])
    for section in ("long_clips", "missing_audio", "unindexed_audio"):
        writer.writerow([section, "count", report[section]["count"]])
    for day, count in report["per_day"].items():
        writer.writerow(["day", day, count])
    for month, count in report["per_month"].items():
        writer.writerow(["month", month, count])
    for hour, count in enumerate(report["per_hour"]):
        writer.writerow(["hour", f"{hour:02d}", count])
    for device in report["devices"]:
        writer.writerow(["device", device["name"], device["count"]])
    for profile in report["profiles"]:
        writer.writerow(["profile", profile["name"], profile["count"]])
    for code, present in report["checklist"].items():
        writer.writerow(["checklist", code, int(present)])
    return out.getvalue()


def _back(export: VoiceExport) -> HttpResponse:
    return redirect(reverse("cases:export_detail", args=[export.case_id, export.pk]) + "#actions")


@login_required
@require_POST
def export_owned(request: HttpRequest, case_id: int, export_id: int) -> HttpResponse:
    _editable_case(request, case_id)
    export = selectors.voice_export_for(request.user, case_id, export_id)
    form = OwnedForm(request.POST)
    if form.is_valid():
        services.export_set_owned(
            export=export, actor=request.user, owned=form.cleaned_data["owned"]
        )
        messages.success(request, _("Your devices and voice profiles are saved."))
    return _back(export)


@login_required
@require_POST
def export_checklist(request: HttpRequest, case_id: int, export_id: int) -> HttpResponse:
    case = _editable_case(request, case_id)
    export = selectors.voice_export_for(request.user, case_id, export_id)
    form = ExportChecklistForm(request.POST, auto_id="id_checklist_%s")
    if form.is_valid():
        try:
            services.export_record_checklist(
                export=export,
                actor=request.user,
                contains=form.cleaned_data["contains"],
                received_on=form.cleaned_data["received_on"],
            )
        except ActionNotAvailable:
            messages.error(request, _("This cannot be recorded on this case any more."))
        except CaseError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Recorded: the company's answer."))
            return redirect(reverse("cases:case_detail", args=[case.pk]) + "#timeline")
    else:
        messages.error(request, _("Check the date of the answer."))
    return _back(export)


@login_required
@require_POST
def export_misdirected(request: HttpRequest, case_id: int, export_id: int) -> HttpResponse:
    case = _editable_case(request, case_id)
    export = selectors.voice_export_for(request.user, case_id, export_id)
    try:
        services.export_record_misdirected(export=export, actor=request.user)
    except ActionNotAvailable:
        messages.error(request, _("This cannot be recorded on this case any more."))
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Recorded: the incident."))
        return redirect(reverse("cases:case_detail", args=[case.pk]) + "#incidents")
    return _back(export)
