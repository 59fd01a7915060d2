"""Display helpers for the directory's pages."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from cases.forms.common import COUNTRY_CHOICES

register = template.Library()
COUNTRY_NAMES = dict(COUNTRY_CHOICES)


@register.filter
def country_names(codes: Iterable[str] | None) -> str:
    """Country names in the page's language ("DE" -> "Germany"), joined with commas."""
    return ", ".join(str(COUNTRY_NAMES.get(code.upper(), code.upper())) for code in codes or [])
