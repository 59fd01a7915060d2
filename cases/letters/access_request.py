"""The access request (GDPR Art. 15): the copies it asks for, in their own section, and the
information it asks for."""

from __future__ import annotations

from datetime import date

from cases.letters.common import heading
from cases.letters.parts import item_entries
from cases.models import Letter, LetterKind

# What the access request asks a copy of, in its own section; the rest is information.
COPY_ITEMS = ("audio", "transcripts", "annotations")
# Items whose answer shows whether people reviewed the recordings.
REVIEW_ITEMS = {"annotations", "recipients"}


def context(letter: Letter, on: date) -> dict[str, object]:
    asked = set(letter.case.requested_items or [])
    return {
        **heading(letter, kind=LetterKind.ACCESS_REQUEST, on=on),
        "asked": asked,
        "asks_copy": bool(asked & set(COPY_ITEMS)),
        "asks_review": bool(asked & REVIEW_ITEMS),
        "items": item_entries([c for c in asked if c not in COPY_ITEMS], letter.language),
    }
