"""Pages for mail with the vendor: send a letter by e-mail, read and confirm the vendor's
messages on the case, upload a saved message, the organisation's queue. Thin: each view checks
who may act and calls one function of cases.mail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import selectors
from cases.exceptions import CaseError
from cases.mail.sending import letter_send_email
from cases.models import Case, Letter


def _editable_case(request: HttpRequest, case_id: int) -> Case:
    case = selectors.case_for_page(request.user, case_id)
    if not selectors.case_editable_by(request.user, case):
        raise PermissionDenied
    return case


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
    return redirect(reverse("cases:case_detail", args=[case.pk]) + f"#letter-{letter.pk}")
