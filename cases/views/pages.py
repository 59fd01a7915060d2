"""Web pages: thin views that read through selectors and write through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases import selectors, services
from cases.calendar import deadlines_ics
from cases.health import service_health
from cases.mail.imap import mailbox_health
from cases.models import User


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/landing.html", {"vendors": selectors.voice_vendors()})


@require_GET
def vendor_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/vendor_list.html", {"vendors": selectors.vendor_directory()})


@require_GET
def authority_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "cases/authority_list.html", {"authorities": selectors.authority_directory()}
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer; 503 naming what is down."""
    checks = service_health()
    healthy = all(check["ok"] for check in checks.values())
    body: dict[str, object] = {"status": "ok" if healthy else "unavailable", "checks": checks}
    # The inbound mailbox is shown, not counted: a mailbox that fails backs off and retries
    # (cases.mail.imap), and the site itself still serves.
    if (mailbox := mailbox_health()) is not None:
        body["mailbox"] = mailbox
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and tools ask for /favicon.ico whatever the page links to: send them to the small
    static icon rather than a 404 page."""
    return redirect(static("img/favicon.ico"), permanent=True)


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret calendar URL: whoever holds it sees the owner's open deadlines, nothing more."""
    user = get_object_or_404(User, calendar_token=token, is_active=True)
    with translation.override(user.language):
        body = deadlines_ics(selectors.open_deadlines_for(user), host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    services.user_calendar_reset(user=request.user)
    messages.success(request, _("Your calendar link was replaced; the old one no longer works."))
    return redirect("cases:account")


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    feed_url = request.build_absolute_uri(
        reverse("cases:calendar_feed", args=[request.user.calendar_token])
    )
    return render(
        request,
        "cases/account.html",
        {"calendar_url": feed_url, "case_count": selectors.cases_owned_by(request.user).count()},
    )
