"""The role check every workspace, API-key and webhook service makes itself, so that a view, a
task or the admin that forgets to cannot grant more than the role allows. Roles rank viewer <
caseworker < admin (`selectors.ROLE_RANK`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cases.exceptions import NotPermitted
from cases.models import Organisation, User
from cases.selectors import ROLE_RANK, membership_role


def require_role(user: User | None, organisation: Organisation, minimum: str) -> str:
    """The user's role if it is at least `minimum`; NotPermitted otherwise."""
    role = membership_role(user, organisation) if user is not None else None
    if role is None or ROLE_RANK[role] < ROLE_RANK[minimum]:
        raise NotPermitted(_("Your role in this organisation does not allow this."))
    return role


__all__ = ["require_role"]
