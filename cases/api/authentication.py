"""Who is calling: an API key (`Authorization: Api-Key <prefix>.<secret>`) or the site's session.

Keys are djangorestframework-api-key keys (`cases.models.ApiKey`): looked up by their prefix,
checked against the stored SHA-512 hash, refused when revoked or expired. A request with a key
authenticates as the key's user, or as its organisation's service account; `request.auth` is the
key. Failing keys get a 401 with `WWW-Authenticate: Api-Key`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request
from rest_framework_api_key.permissions import KeyParser

from cases.models import ApiKey, User
from cases.services.api import api_key_touch, service_account_for


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"
    key_parser = KeyParser()

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        raw = self.key_parser.get(request)
        if raw is None:
            return None  # no key: the session may still authenticate
        prefix, dot, _secret = raw.strip().partition(".")
        key = (
            ApiKey.objects.select_related("user", "organisation__service_account__user")
            .filter(prefix=prefix)
            .first()
            if dot and prefix
            else None
        )
        if key is None or not key.is_valid(raw.strip()):
            raise exceptions.AuthenticationFailed(_("Invalid API key."), code="invalid_key")
        if key.revoked:
            raise exceptions.AuthenticationFailed(
                _("This API key has been revoked."), code="revoked_key"
            )
        if key.has_expired:
            raise exceptions.AuthenticationFailed(
                _("This API key has expired."), code="expired_key"
            )
        user = self._acting_user(key)
        api_key_touch(key=key)
        return user, key

    @staticmethod
    def _acting_user(key: ApiKey) -> User:
        if key.organisation is not None:
            account = getattr(key.organisation, "service_account", None)
            return account.user if account is not None else service_account_for(key.organisation)
        if key.user is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The account of this key is closed."), code="inactive_user"
            )
        return key.user

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
