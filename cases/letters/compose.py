"""A letter's template filled in: `letter_context` picks the builder of the letter's kind.

`letter_html(letter)` renders `templates/letters/<language>/<kind>.html` (all four kinds share
`templates/letters/base.html`); `access_request_text(letter)` gives the access request as plain
text for an e-mail or a vendor's web form. Everything is read from the database at render time,
so a failed letter retried later shows the case as it then is; the letter's date is the day it
was asked for, so it does not move.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from django.template.loader import render_to_string
from django.utils import translation

from cases.letters import access_request, breach_report, complaint, incident_notice, reminder
from cases.letters.parts import letter_date
from cases.models import Letter, LetterKind
from cases.typography import one_full_stop

BUILDERS: dict[str, Callable[[Letter, date], dict[str, object]]] = {
    LetterKind.ACCESS_REQUEST: access_request.context,
    LetterKind.REMINDER: reminder.context,
    LetterKind.INCIDENT_NOTICE: incident_notice.context,
    LetterKind.COMPLAINT: complaint.context,
    LetterKind.BREACH_REPORT: breach_report.context,
}


def letter_context(letter: Letter) -> dict[str, object]:
    """Everything the letter's template needs; call inside `translation.override(language)`."""
    return BUILDERS[letter.kind](letter, letter_date(letter))


def letter_html(letter: Letter) -> str:
    """The letter as a complete HTML document, ready for `cases.letters.render.render_pdf`."""
    with translation.override(letter.language):
        context = letter_context(letter)
        return one_full_stop(
            render_to_string(f"letters/{letter.language}/{letter.kind}.html", context)
        )


def access_request_text(letter: Letter) -> tuple[str, str]:
    """The access request as (subject, body) in plain text, for an e-mail or a web form."""
    with translation.override(letter.language):
        context = access_request.context(letter, letter_date(letter))
        body = render_to_string(f"letters/{letter.language}/access_request.txt", context)
    body = one_full_stop(re.sub(r"\n{3,}", "\n\n", body).strip()) + "\n"
    return str(context["subject"]), body
