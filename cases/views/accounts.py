"""Accounts: register, log in and out, verify the e-mail address, reset a password, and the
person's own data (download everything, delete everything)."""

from __future__ import annotations

import tempfile
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import ratelimit, services
from cases.exceptions import CaseError
from cases.forms.accounts import (
    DeleteAccountForm,
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    RegistrationForm,
)
from cases.forms.common import show_error

MODEL_BACKEND = settings.AUTHENTICATION_BACKENDS[0]


def _safe_next(request: HttpRequest) -> str:
    """The `next` parameter if it stays on this site, else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _next_url(request: HttpRequest) -> str:
    """Where to go after registering or logging in."""
    return _safe_next(request) or reverse(settings.LOGIN_REDIRECT_URL)


def _apply_language(request: HttpRequest, response: HttpResponse) -> None:
    """After logging in: a language picked on this browser wins and is kept on the account;
    otherwise the account's language becomes this browser's."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    codes = {code for code, _name in settings.LANGUAGES}
    if chosen in codes:
        services.user_set_language(user=request.user, language=chosen)
    elif request.user.language in codes:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            request.user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """E-mail and password; the account works at once, the address is verified by a link."""
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    if request.method == "POST":
        verdict = ratelimit.hit("register", f"ip:{ratelimit.client_ip(request)}")
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict)
        form = RegistrationForm(request.POST)
        if form.is_valid():
            try:
                user = services.user_register(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                    language=request.LANGUAGE_CODE,
                )
            except CaseError as error:
                show_error(form, error, fields={"password": "password1"})
            else:
                login(request, user, backend=MODEL_BACKEND)
                messages.success(
                    request,
                    _(
                        "Welcome! Your account is ready. We sent you an e-mail with a link to "
                        "confirm your address."
                    ),
                )
                return redirect(_next_url(request))
    else:
        form = RegistrationForm()
    return render(request, "accounts/register.html", {"form": form, "next": _safe_next(request)})


class LoginView(auth_views.LoginView):
    """Django's login, with the e-mail address, a rate limit, and the person's language."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Per address, and per account from this address; never per account alone, or anyone
        # could lock its owner out (issue 15.5). The 429 page offers a login link by e-mail.
        email = (request.POST.get("username") or "").strip().lower()
        ip = ratelimit.client_ip(request)
        verdict = ratelimit.hit("login", f"ip:{ip}")
        if verdict.allowed:
            verdict = ratelimit.hit("login_account", f"email-ip:{email or '-'}|{ip}")
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict, login_link=True)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        _apply_language(self.request, response)
        return response


logout_view = auth_views.LogoutView.as_view(next_page=settings.LOGOUT_REDIRECT_URL)


@never_cache
@require_http_methods(["GET", "POST"])
def login_link_request(request: HttpRequest) -> HttpResponse:
    """Ask for a one-time login link by e-mail; the answer is the same for any address."""
    if request.method == "POST":
        email = (request.POST.get("email") or "").strip().lower()
        verdict = ratelimit.hit(
            "login_link", f"ip:{ratelimit.client_ip(request)}", f"email:{email or '-'}"
        )
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict)
        services.login_link_send(email=email)
        messages.success(
            request,
            _(
                "If an account uses this address, we sent it a link to log in. It works "
                "once, for %(minutes)s minutes."
            )
            % {"minutes": settings.LOGIN_LINK_SECONDS // 60},
        )
        return redirect("cases:login")
    return render(request, "accounts/login_link_request.html")


@never_cache
@require_http_methods(["GET", "POST"])
def login_link_use(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the e-mail: a page with a button (a mail scanner that opens the link does
    not spend it), whose POST logs in and so spends the link."""
    user = services.login_link_user(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/login_link_failed.html", status=400)
    if request.method == "POST":
        login(request, user, backend=MODEL_BACKEND)
        response = redirect(reverse(settings.LOGIN_REDIRECT_URL))
        _apply_language(request, response)
        return response
    return render(request, "accounts/login_link_use.html", {"email": user.email})


@require_GET
def verify_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the verification e-mail."""
    user = services.user_verify_email(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/verify_failed.html", status=400)
    messages.success(request, _("Thank you: your e-mail address is confirmed."))
    target = "cases:my_cases" if request.user.is_authenticated else "cases:login"
    return redirect(target)


@login_required
@require_POST
def verification_resend(request: HttpRequest) -> HttpResponse:
    verdict = ratelimit.hit("password_reset", f"user:{request.user.pk}")
    if not verdict.allowed:
        return ratelimit.too_many_requests(request, verdict)
    if request.user.email_verified_at is None:
        services.user_verification_send(user=request.user)
        messages.success(
            request, _("We sent a new link to %(email)s.") % {"email": request.user.email}
        )
    return HttpResponseRedirect(_next_url(request))


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "emails/password_reset_body.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    form_class = EmailPasswordResetForm
    success_url = reverse_lazy("cases:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = (request.POST.get("email") or "").strip().lower()
        verdict = ratelimit.hit(
            "password_reset", f"ip:{ratelimit.client_ip(request)}", f"email:{email or '-'}"
        )
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: EmailPasswordResetForm) -> HttpResponse:
        # The link is built from SITE_URL, like every other e-mailed link, never from the
        # request's Host header: a forged Host would send the reset token to another server.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        self.domain_override = urlsplit(settings.SITE_URL).netloc
        return super().form_valid(form)


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("cases:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


# --- The person's own data -------------------------------------------------------------------


@login_required
@require_POST
def account_export(request: HttpRequest) -> FileResponse:
    """Everything we hold about the person, as one ZIP (data.json and their files)."""
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    services.user_export_zip(user=request.user, out=spool)
    spool.seek(0)
    stamp = timezone.localdate().isoformat()
    response = FileResponse(
        spool,
        as_attachment=True,
        filename=f"voice-data-tracker-{stamp}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@sensitive_post_parameters("confirm")
@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account, its cases and their files, after the password."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_delete(user=request.user)
        logout(request)
        messages.success(request, _("Your account, your cases and your files are deleted."))
        return redirect("cases:landing")
    return render(request, "accounts/delete.html", {"form": form})
