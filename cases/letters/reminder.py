"""The reminder to the vendor: the clocks it let run out and the items its answer lacked."""

from __future__ import annotations

from datetime import date

from cases.letters.common import follow_up, heading
from cases.letters.rules import missed_deadlines
from cases.models import Letter, LetterKind


def context(letter: Letter, on: date) -> dict[str, object]:
    missed = missed_deadlines(letter.case, today=on)
    return {
        **heading(letter, kind=LetterKind.REMINDER, on=on),
        **follow_up(letter.case, language=letter.language, on=on, missed=missed),
    }
