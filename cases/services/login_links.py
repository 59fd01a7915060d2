"""One-time login links by e-mail: how the owner of an account gets in while someone else is
guessing its password (issue 15.5). Password attempts are limited per address and per
(account, address), so an attacker elsewhere cannot lock the owner out; and if the owner's own
address is the one being limited, a link sent to the account's e-mail still lets them in.

A link is signed with Django's token generator, names the account, expires after
LOGIN_LINK_SECONDS and works once: logging in changes `last_login`, which the signature covers.
It is built from SITE_URL, never from the request's Host header.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from cases.models import User

logger = logging.getLogger(__name__)

__all__ = ["login_link_send", "login_link_url", "login_link_user"]


class LoginLinkTokenGenerator(PasswordResetTokenGenerator):
    """Signed with its own salt; spent by logging in (last_login) or by a new password."""

    key_salt = "cases.services.login_links.LoginLinkTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:  # type: ignore[override]
        last_login = "" if user.last_login is None else user.last_login.isoformat()
        return f"{user.pk}{user.password}{last_login}{user.email}{timestamp}"

    def check_token(self, user: User | None, token: str | None) -> bool:  # type: ignore[override]
        if not (user and token) or not super().check_token(user, token):
            return False
        try:
            issued = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        return self._num_seconds(self._now()) - issued <= settings.LOGIN_LINK_SECONDS


login_link_token = LoginLinkTokenGenerator()


def login_link_url(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = login_link_token.make_token(user)
    return settings.SITE_URL + reverse("cases:login_link_use", args=[uidb64, token])


def login_link_send(*, email: str) -> bool:
    """E-mail a login link to the active account with this address, if there is one. The
    caller answers the same either way, so nobody learns which addresses have accounts."""
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
    if user is None:
        return False
    codes = {code for code, _name in settings.LANGUAGES}
    language = user.language if user.language in codes else settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "url": login_link_url(user),
            "minutes": settings.LOGIN_LINK_SECONDS // 60,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("emails/login_link_subject.txt", context).strip()
        body = render_to_string("emails/login_link_body.txt", context)
    try:
        EmailMessage(subject=subject, body=body, to=[user.email]).send()
    except Exception:
        logger.exception("login link to user %s not sent", user.pk)
        return False
    return True


def login_link_user(*, uidb64: str, token: str) -> User | None:
    """The account a genuine, fresh, unused link logs in; None otherwise."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    return user if login_link_token.check_token(user, token) else None
