"""The request letter of each follow-up kind: erasure (Art. 17, 19), objection (Art. 21(1)),
withdrawal of consent (Art. 7(3)), restriction (Art. 18(1)(d)) and portability (Art. 20).

One builder per kind, behind `compose.letter_context`; each gives what its template
(`templates/letters/<language>/<kind>.html`) needs on top of the shared heading: the checklist
the answer must cover (the case's requested items, with their articles) and the facts of the
case family the letter may state, such as the day the access request was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from cases.letters.common import heading
from cases.letters.parts import item_entries, long_date
from cases.letters.phrases import ERASURE_GROUND_ARTICLES, ERASURE_GROUNDS, cite
from cases.models import Case, Letter, LetterKind, RequestKind


@dataclass(frozen=True)
class Ground:
    label: str
    citation: str


def _family(case: Case, kind: str) -> Case | None:
    """The case's sibling of `kind` in its family (the same access case), sent first."""
    if case.parent_id is None:
        return None
    return (
        Case.objects.filter(parent_id=case.parent_id, kind=kind, sent_on__isnull=False)
        .order_by("sent_on", "pk")
        .first()
    )


def _base(letter: Letter, on: date) -> dict[str, object]:
    case = letter.case
    parent = case.parent
    return {
        **heading(letter, kind=LetterKind.ACCESS_REQUEST, on=on),
        "items": item_entries([str(c) for c in case.requested_items or []], letter.language),
        # Only a request that was sent is recalled: a draft access request is no fact yet.
        "access_sent_on": long_date(parent.sent_on) if parent is not None else "",
    }


def erasure(letter: Letter, on: date) -> dict[str, object]:
    """Art. 17(1) on the grounds the person chose, in plain words; Art. 19 and 17(3) asks."""
    language = letter.language
    return {
        **_base(letter, on),
        "grounds": [
            Ground(ERASURE_GROUNDS[language][g], cite([ERASURE_GROUND_ARTICLES[g]], language))
            for g in letter.case.grounds or []
            if g in ERASURE_GROUNDS[language]
        ],
    }


def objection(letter: Letter, on: date) -> dict[str, object]:
    """Art. 21(1): stop unless compelling legitimate grounds are shown."""
    return _base(letter, on)


def withdrawal(letter: Letter, on: date) -> dict[str, object]:
    """Art. 7(3): as easy as giving it; effective from then on."""
    return _base(letter, on)


def restriction(letter: Letter, on: date) -> dict[str, object]:
    """Art. 18(1)(d): restricted while the objection is decided; the objection's date is stated
    only when the family holds one that was sent."""
    sibling = _family(letter.case, RequestKind.OBJECTION)
    return {
        **_base(letter, on),
        "objection_sent_on": long_date(sibling.sent_on) if sibling is not None else "",
    }


def portability(letter: Letter, on: date) -> dict[str, object]:
    """Art. 20(1): the data the person provided, structured and machine-readable."""
    return _base(letter, on)


BUILDERS: dict[str, Callable[[Letter, date], dict[str, object]]] = {
    RequestKind.ERASURE: erasure,
    RequestKind.OBJECTION: objection,
    RequestKind.WITHDRAWAL: withdrawal,
    RequestKind.RESTRICTION: restriction,
    RequestKind.PORTABILITY: portability,
}
