"""Middleware of the site."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from cases.services import user_set_language
from cases.typography import one_full_stop


class RememberLanguageMiddleware:
    """The language of a page is the person's explicit choice, everywhere and every time.

    In order: the language picked on this browser (the cookie Django's set_language view at
    /i18n/setlang/ sets), then, for a signed-in person, the language kept on their account (their
    last choice on any browser, or the one they registered in), and only then the browser's
    Accept-Language. Django's LocaleMiddleware, which runs before authentication, knows only the
    cookie and Accept-Language, so a signed-in person without the cookie (a link opened in
    another browser or on another host name) would get the browser's language instead of theirs.

    When a signed-in person picks a language it is kept on their account, so that e-mails come
    in it too; a browser without the cookie gets it, so that the next page agrees.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        codes = {code for code, _name in settings.LANGUAGES}
        chosen_here = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in codes
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        from_account = ""
        if not chosen_here and signed_in and user.language in codes:
            from_account = user.language
            if from_account != getattr(request, "LANGUAGE_CODE", ""):
                translation.activate(from_account)
                request.LANGUAGE_CODE = from_account
        response = self.get_response(request)
        morsel = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        if morsel is not None and morsel.value:
            if signed_in and user.language != morsel.value:
                user_set_language(user=user, language=morsel.value)
        elif from_account:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                from_account,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class OneFullStopMiddleware:
    """Pages say "… Amazon Europe Core S.à r.l." and "… Digitale Rechte e.V.", not "S.à r.l..":
    a name ending with a full stop can close a sentence in any template or any translation, so
    the finished HTML goes through the one rule letters and e-mails use
    (`cases.typography.one_full_stop`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not response.has_header("Content-Encoding")
        ):
            charset = response.charset or "utf-8"
            text = response.content.decode(charset)
            fixed = one_full_stop(text)
            if fixed != text:
                response.content = fixed.encode(charset)
                if response.has_header("Content-Length"):
                    response["Content-Length"] = str(len(response.content))
        return response
