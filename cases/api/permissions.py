"""What a caller may do: anybody authenticated may read what their principal sees; writing
needs a read-write key (or a session). Which cases, and whether the principal may change one,
is decided by `cases.selectors.access`, not here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request

from cases.models import ApiKey
from cases.selectors import Principal


def principal_of(request: Request) -> Principal:
    """The request's principal, built once per request."""
    principal = getattr(request, "_dsar_principal", None)
    if principal is None:
        key = request.auth if isinstance(request.auth, ApiKey) else None
        if key is not None:
            principal = Principal(
                user=request.user, organisation=key.organisation, key=key, can_write=key.can_write
            )
        else:
            principal = Principal(user=request.user)
        request._dsar_principal = principal
    return principal


class IsPrincipal(permissions.BasePermission):
    """Authenticated, and writing only with the right to write."""

    message = _("This API key may only read.")
    code = "read_only_key"

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return principal_of(request).can_write


class OrganisationKeyOnly(permissions.BasePermission):
    """Endpoints that belong to an organisation (its webhooks): only its keys."""

    message = _("Only an organisation's API key may do this.")
    code = "organisation_key_required"

    def has_permission(self, request: Request, view: Any) -> bool:
        return principal_of(request).organisation is not None
