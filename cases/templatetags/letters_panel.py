"""`{% letters_panel case as panel %}`: what the letters panel of a case page shows."""

from __future__ import annotations

from django import template

from cases.models import Case
from cases.views import letters_panel as panel

register = template.Library()


@register.simple_tag
def letters_panel(case: Case) -> dict[str, object]:
    return panel.letters_panel(case)
