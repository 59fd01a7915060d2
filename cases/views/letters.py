"""Letters on the case page: generate, follow the render, preview, download, retry, mark sent.

Every view reaches the letter through `selectors.cases_visible_to(request.user)`, so another
person's letter is a 404, whatever its id. Writes call one service each; a domain error becomes a
message on the case page.
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases import selectors, services
from cases.exceptions import CaseError
from cases.forms.common import show_error
from cases.forms.letters import LANGUAGE_CHOICES, LetterRequestForm, LetterSentForm, RegionForm
from cases.letters.bundle import complaint_bundle
from cases.letters.compose import access_request_text
from cases.letters.phrases import LAYOUT
from cases.letters.recipients import region_needed
from cases.models import Case, Letter, LetterKind, LetterStatus
from cases.views.letters_panel import authority_letter_panel, letter_row

# The preview shows text a user typed: nothing in it may load or run anything.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


def _editable(request: HttpRequest, case: Case) -> Case:
    """Writing letters is acting on the case: organisation viewers only read."""
    if not selectors.case_editable_by(request.user, case):
        raise PermissionDenied
    return case


def _letter(request: HttpRequest, case_id: int, letter_id: int) -> Letter:
    visible = Letter.objects.filter(case__in=selectors.cases_visible_to(request.user))
    return get_object_or_404(
        visible.select_related("case__vendor", "authority"), pk=letter_id, case_id=case_id
    )


def _back(case_id: int, letter_id: int | None = None) -> HttpResponse:
    anchor = f"#letter-{letter_id}" if letter_id else "#letters"
    return redirect(reverse("cases:case_detail", args=[case_id]) + anchor)


@login_required
@require_POST
def letter_generate(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _editable(request, selectors.case_for_page(request.user, case_id))
    form = LetterRequestForm(request.POST)
    if not form.is_valid():
        if "court_proceedings" in form.errors:  # asked on the complaint's own page
            messages.error(request, form.errors["court_proceedings"][0])
            return redirect(reverse("cases:letter_complaint", args=[case.pk]))
        messages.error(request, _("This letter could not be asked for: check the form."))
        return _back(case.pk)
    incident_id = form.cleaned_data.get("incident")
    incident = case.incidents.filter(pk=incident_id).first() if incident_id else None
    try:
        letter = services.letter_request(
            case=case,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            language=form.cleaned_data["language"] or None,
            authority=form.chosen_authority(),
            incident=incident,
            court_proceedings_pending=form.court_proceedings_pending(),
        )
    except CaseError as error:
        messages.error(request, error.message)
        return _back(case.pk)
    messages.success(request, _("The letter is being prepared; it will be ready in a moment."))
    return _back(case.pk, letter.pk)


@login_required
@require_GET
def letter_complaint(request: HttpRequest, case_id: int) -> HttpResponse:
    """The complaint's own page: the authority it goes to (the suggested ones, then the whole
    directory) and its language; the form posts to `letter_generate` like the case page's."""
    return _authority_letter_page(request, case_id, LetterKind.COMPLAINT)


@login_required
@require_GET
def letter_breach_report(request: HttpRequest, case_id: int) -> HttpResponse:
    """The breach report's own page: like the complaint's, for somebody else's data that reached
    the person, reported for the authority to act of its own motion."""
    return _authority_letter_page(request, case_id, LetterKind.BREACH_REPORT)


def _authority_letter_page(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    case = _editable(request, selectors.case_for_page(request.user, case_id))
    panel = authority_letter_panel(case, kind)
    if not panel.available:
        messages.error(request, panel.refusal)  # what the service would answer
        return redirect(reverse("cases:case_detail", args=[case.pk]) + "#letters")
    asks_region = kind == LetterKind.COMPLAINT and request.GET.get("region") != "skip"
    if asks_region and region_needed(case.requester_country, case.requester_region):
        return _region_question(request, case, RegionForm())
    context = {"case": case, "k": panel, "letter_languages": LANGUAGE_CHOICES}
    return render(request, "letters/web/complaint.html", context)


def _region_question(request: HttpRequest, case: Case, form: RegionForm) -> HttpResponse:
    """The complaint's page for a requester in Germany whose Land is not known: which Land, as
    its authority is the one for companies (§ 40 BDSG)."""
    status = 400 if form.is_bound else 200
    return render(
        request, "cases/complaint_region.html", {"case": case, "form": form}, status=status
    )


@login_required
@require_POST
def letter_complaint_region(request: HttpRequest, case_id: int) -> HttpResponse:
    """Save the requester's Land (`services.case_set_region`), then back to the complaint's page,
    which now suggests that Land's authority."""
    case = _editable(request, selectors.case_for_page(request.user, case_id))
    form = RegionForm(request.POST)
    if form.is_valid():
        try:
            services.case_set_region(
                case=case, actor=request.user, region=form.cleaned_data["region"]
            )
        except CaseError as error:
            show_error(form, error, fields={"requester_region": "region"})
        else:
            return redirect("cases:letter_complaint", case_id=case.pk)
    return _region_question(request, case, form)


@never_cache
@login_required
@require_GET
def letter_status(request: HttpRequest, case_id: int, letter_id: int) -> HttpResponse:
    """The letter's row of the panel, for the page to poll while the letter is prepared."""
    letter = _letter(request, case_id, letter_id)
    context = {
        "row": letter_row(letter),
        "case": letter.case,
        "today": timezone.localdate(),
        "can_edit": selectors.case_editable_by(request.user, letter.case),
    }
    return render(request, "letters/web/_row.html", context)


@never_cache
@login_required
@require_GET
def letter_preview(request: HttpRequest, case_id: int, letter_id: int) -> HttpResponse:
    """The letter's text as rendered, on a page that can load and run nothing."""
    letter = _letter(request, case_id, letter_id)
    if letter.status != LetterStatus.READY:
        raise Http404("This letter is not ready.")
    response = render(request, "letters/web/preview.html", {"letter": letter})
    response["Content-Security-Policy"] = PREVIEW_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
@require_GET
def letter_download(request: HttpRequest, case_id: int, letter_id: int) -> FileResponse:
    letter = _letter(request, case_id, letter_id)
    if letter.status != LetterStatus.READY or not letter.pdf:
        raise Http404("This letter is not ready.")
    filename = f"{letter.kind}-case{letter.case_id}-v{letter.version}-{letter.language}.pdf"
    response = FileResponse(
        letter.pdf.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@never_cache
@login_required
@require_GET
def letter_bundle(request: HttpRequest, case_id: int, letter_id: int) -> FileResponse:
    """A complaint with every enclosure the app holds, as one ZIP file."""
    letter = _letter(request, case_id, letter_id)
    if letter.kind != LetterKind.COMPLAINT or letter.status != LetterStatus.READY or not letter.pdf:
        raise Http404("Only a ready complaint comes with its enclosures.")
    # Spills to disk past 16 MiB: evidence files can be large.
    out = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115 (FileResponse closes it)
    complaint_bundle(letter, out)
    out.seek(0)
    filename = f"complaint-case{letter.case_id}-v{letter.version}-with-enclosures.zip"
    response = FileResponse(
        out, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def letter_text(request: HttpRequest, case_id: int, letter_id: int) -> HttpResponse:
    """The access request as plain text, to paste into an e-mail or a vendor's web form."""
    letter = _letter(request, case_id, letter_id)
    if letter.kind != LetterKind.ACCESS_REQUEST:
        raise Http404("Only the access request comes as plain text.")
    subject, body = access_request_text(letter)
    layout = LAYOUT[letter.language]
    response = HttpResponse(
        f"{layout['subject']}{layout['colon']}{subject}\n\n{body}",
        content_type="text/plain; charset=utf-8",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def letter_retry(request: HttpRequest, case_id: int, letter_id: int) -> HttpResponse:
    letter = _letter(request, case_id, letter_id)
    _editable(request, letter.case)
    try:
        services.letter_retry(letter=letter, actor=request.user)
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The letter is being prepared again."))
    return _back(case_id, letter.pk)


@login_required
@require_POST
def letter_mark_sent(request: HttpRequest, case_id: int, letter_id: int) -> HttpResponse:
    letter = _letter(request, case_id, letter_id)
    _editable(request, letter.case)
    form = LetterSentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date the letter was sent."))
        return _back(case_id, letter.pk)
    try:
        services.letter_mark_sent(
            letter=letter,
            actor=request.user,
            sent_on=form.cleaned_data["sent_on"],
            channel=form.cleaned_data["channel"] or None,
        )
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Recorded as sent; the clock it starts is on the page."))
    return _back(case_id, letter.pk)
