"""`{% letters_panel case as panel %}`: what the letters panel of a case page shows."""

from __future__ import annotations

from django import template

from cases import letter_content
from cases.models import Case

register = template.Library()


@register.simple_tag
def letters_panel(case: Case) -> dict[str, object]:
    return letter_content.letters_panel(case)
