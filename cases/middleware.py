"""Middleware of the site."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from cases.services import user_set_language


class RememberLanguageMiddleware:
    """When a logged-in person picks a language (Django's set_language view at /i18n/setlang/
    sets the language cookie), keep it on their account, so that e-mails come in it too.

    Costs nothing on other responses: the user is only loaded when the cookie is being set.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        morsel = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        if morsel is not None and morsel.value:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and user.language != morsel.value:
                user_set_language(user=user, language=morsel.value)
        return response
