"""Template helpers of the advocacy workspace, and the panel it adds to the case page."""

from __future__ import annotations

from typing import Any

from django import template

from cases import selectors
from cases.models import Case

register = template.Library()


@register.simple_tag
def lookup(mapping: Any, key: str, default: Any = "") -> Any:
    """`mapping[key]`, for keys built in the template (`"missing_"|add:item`)."""
    try:
        return mapping.get(key, default)
    except AttributeError:
        return default


@register.filter
def percent(value: float | None) -> str:
    return "" if value is None else f"{round(100 * value)} %"


@register.inclusion_tag("workspace/_case_panel.html", takes_context=True)
def workspace_panel(context: dict[str, Any], case: Case) -> dict[str, Any]:
    """What the case page shows about mandates: to the requester, who acts on the case and how
    to hand it over or take it back; to a member, the way into the organisation's workspace."""
    request = context["request"]
    user = request.user
    is_requester = user.is_authenticated and case.requester_id == user.pk
    # The case page's case (`selectors.case_for_page`) carries its active mandate and the
    # viewer's role: no query, unless the requester has ended mandates to list.
    mandate = selectors.page_mandate(case)
    past = (
        list(selectors.case_mandates(case).filter(revoked_at__isnull=False))
        if is_requester and case.earlier_mandates  # type: ignore[attr-defined]
        else []
    )
    role = case.viewer_role  # type: ignore[attr-defined]
    member = role if mandate is not None and not is_requester else None
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "is_requester": is_requester,
        "mandate": mandate,
        "member": member,
        "past": past,
    }
