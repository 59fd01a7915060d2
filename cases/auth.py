"""The authentication backend: Django's ModelBackend, whose signed-in user also knows whether
they belong to an organisation, which every page's navigation asks ("Your organisations")."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from cases.models import Membership, User


class UserWithMembershipsBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        """Django's check; a failure ends the login there, so that ModelBackend, listed after this
        one only for sessions signed in before it existed, never checks a password again."""
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            raise PermissionDenied
        return user

    def get_user(self, user_id: Any) -> User | None:
        """The session's user with `in_an_organisation` read in the same query (else the
        property asks in a query of its own)."""
        member = Membership.objects.filter(user_id=OuterRef("pk"))
        user = (
            User._default_manager.annotate(in_an_organisation=Exists(member))
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
