"""Pages for mail with the vendor: send a letter by e-mail, read and confirm the vendor's
messages on the case, upload a saved message, the organisation's queue. Thin: each view checks
who may act and calls one function of cases.mail."""

from __future__ import annotations

from collections.abc import Sequence
from email import message_from_bytes
from email.policy import default as default_policy
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from cases import selectors
from cases.exceptions import CaseError
from cases.forms.mail import MessageConfirmForm, MessageFileForm, MessageUploadForm
from cases.mail import selectors as mail_selectors
from cases.mail.parsing import looks_like_msg
from cases.mail.pipeline import message_ingest
from cases.mail.sending import letter_send_email
from cases.mail.services import CONFIRMABLE, message_confirm, message_dismiss, message_file
from cases.models import (
    Case,
    CaseEvent,
    InboundMessage,
    Letter,
    Membership,
    MessageSource,
    MessageState,
    User,
)
from cases.uploads import SizeLimitUploadHandler
from cases.views.workspace import _context, _member

Role = Membership.Role


def _editable_case(request: HttpRequest, case_id: int) -> Case:
    case = selectors.case_for_page(request.user, case_id)
    if not selectors.case_editable_by(request.user, case):
        raise PermissionDenied
    return case


def _back(case: Case, anchor: str = "mail") -> HttpResponse:
    return redirect(reverse("cases:case_detail", args=[case.pk]) + f"#{anchor}")


def case_mail_context(
    case: Case, user: User, *, can_edit: bool, events: Sequence[CaseEvent]
) -> dict[str, Any]:
    """What the case page shows of mail: the messages with a confirm form for each waiting one,
    and whether the request bounced. Read only when the case has mail (`has_inbound_mail` from
    `case_for_page`), so a page without any costs no query."""
    has_mail = getattr(case, "has_inbound_mail", True)
    found = list(mail_selectors.case_messages(case)) if has_mail else []
    rows = []
    for message in found:
        form = None
        if can_edit and message.state == MessageState.SUGGESTED:
            initial = {
                "kind": message.suggestion if message.suggestion in CONFIRMABLE else "",
                "contains": list(case.requested_items),
                "reason": message.extension_reason,
            }
            form = MessageConfirmForm(case=case, initial=initial, prefix=f"m{message.pk}")
        rows.append({"message": message, "form": form})
    return {
        "mail_rows": rows,
        "mail_bounced": mail_selectors.bounced_since_sent(found, events),
        "mail_upload_form": MessageUploadForm() if can_edit and case.is_open else None,
    }


@login_required
@require_POST
def letter_send(request: HttpRequest, case_id: int, letter_id: int) -> HttpResponse:
    case = _editable_case(request, case_id)
    letter = get_object_or_404(Letter, pk=letter_id, case=case)
    try:
        letter_send_email(letter=letter, actor=request.user)
    except CaseError as error:
        messages.error(request, error.message)
    except OSError:
        # The mail server refused or could not be reached: nothing was recorded.
        messages.error(
            request, _("The e-mail could not be sent; nothing was recorded. Try again later.")
        )
    else:
        messages.success(request, _("Sent by e-mail; the clock it starts is on the page."))
    return _back(case, f"letter-{letter.pk}")


def _case_message(case: Case, message_id: int) -> InboundMessage:
    return get_object_or_404(InboundMessage, pk=message_id, case=case)


@login_required
@require_POST
def message_confirm_view(request: HttpRequest, case_id: int, message_id: int) -> HttpResponse:
    case = _editable_case(request, case_id)
    message = _case_message(case, message_id)
    form = MessageConfirmForm(request.POST, case=case, prefix=f"m{message.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose what the message is."))
        return _back(case)
    data = form.cleaned_data
    try:
        message_confirm(
            message=message,
            actor=request.user,
            kind=data["kind"],
            contains=data["contains"],
            reason=data["reason"],
        )
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Recorded on the date the company wrote."))
    return _back(case, "timeline")


@login_required
@require_POST
def message_dismiss_view(request: HttpRequest, case_id: int, message_id: int) -> HttpResponse:
    case = _editable_case(request, case_id)
    try:
        message_dismiss(message=_case_message(case, message_id), actor=request.user)
    except CaseError as error:
        messages.error(request, error.message)
    return _back(case)


@login_required
@require_GET
def message_raw(request: HttpRequest, case_id: int, message_id: int) -> FileResponse:
    """The message exactly as it arrived (its SHA-256 is on the page), as a download: never
    shown inline, so no HTML of the sender's is ever rendered by the browser."""
    case = selectors.case_for_page(request.user, case_id)
    message = _case_message(case, message_id)
    name = f"message-{message.pk}.{message.raw_format}"
    response = FileResponse(
        message.raw.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _readable_upload(data: bytes, name: str) -> bool:
    """An Outlook .msg (OLE2 file) or an e-mail with at least one of its usual headers. Not
    `cases.uploads.sniff`: it wants UTF-8 without defects, and real mail is often 8-bit or
    slightly malformed, which the pipeline keeps and reads as far as it can."""
    if name.lower().endswith(".msg"):
        return looks_like_msg(data)
    if not name.lower().endswith(".eml"):
        return False
    parsed = message_from_bytes(data[:200_000], policy=default_policy)
    return any(parsed.get(h) for h in ("From", "Subject", "Date", "Message-ID"))


@login_required
@csrf_protect
def _upload(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _editable_case(request, case_id)
    if not case.is_open:
        raise PermissionDenied
    handler = next(
        (h for h in request.upload_handlers if isinstance(h, SizeLimitUploadHandler)), None
    )
    form = MessageUploadForm(request.POST, request.FILES)
    if handler is not None and handler.exceeded:
        messages.error(
            request,
            _("The file is larger than the limit of %(size)s.")
            % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)},
        )
        return _back(case)
    if not form.is_valid():
        messages.error(request, _("Choose a saved e-mail (.eml) or Outlook message (.msg)."))
        return _back(case)
    upload = form.cleaned_data["file"]
    data = upload.read()
    if not _readable_upload(data, upload.name or ""):
        messages.error(
            request, _("This file is not a saved e-mail (.eml) or Outlook message (.msg).")
        )
        return _back(case)
    message_ingest(raw=data, source=MessageSource.UPLOAD, case=case, actor=request.user)
    messages.success(request, _("The message is on the case; confirm what it is below."))
    return _back(case)


@csrf_exempt  # only to install the size limit before the body is read; checked in _upload
@require_POST
def message_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    request.upload_handlers.insert(
        0, SizeLimitUploadHandler(settings.UPLOAD_MAX_BYTES, request=request)
    )
    return _upload(request, case_id)


# --- The organisation's queue ----------------------------------------------------------------


@login_required
@require_GET
def organisation_queue(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _member(request, slug)
    queue = list(mail_selectors.organisation_mail_queue(membership.organisation)[:500])
    return render(
        request,
        "mail/queue.html",
        _context(membership, queue=queue, file_form=MessageFileForm()),
    )


def _queued(membership: Any, message_id: int) -> InboundMessage:
    return get_object_or_404(
        mail_selectors.organisation_mail_queue(membership.organisation), pk=message_id
    )


@login_required
@require_POST
def organisation_queue_file(request: HttpRequest, slug: str, message_id: int) -> HttpResponse:
    membership = _member(request, slug, Role.CASEWORKER)
    message = _queued(membership, message_id)
    form = MessageFileForm(request.POST)
    back = redirect("cases:org_mail_queue", slug=slug)
    if not form.is_valid():
        messages.error(request, _("Enter the number of one of the organisation's cases."))
        return back
    case = (
        selectors.organisation_cases(membership.organisation)
        .filter(pk=form.cleaned_data["case"])
        .first()
    )
    if case is None:
        messages.error(request, _("Enter the number of one of the organisation's cases."))
        return back
    try:
        message_file(message=message, case=case, actor=request.user)
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Filed on the case; confirm what it is there."))
    return back


@login_required
@require_POST
def organisation_queue_dismiss(request: HttpRequest, slug: str, message_id: int) -> HttpResponse:
    membership = _member(request, slug, Role.CASEWORKER)
    try:
        message_dismiss(message=_queued(membership, message_id), actor=request.user)
    except CaseError as error:
        messages.error(request, error.message)
    return redirect("cases:org_mail_queue", slug=slug)
