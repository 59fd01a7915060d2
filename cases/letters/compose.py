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

from cases.letters import (
    access_request,
    breach_report,
    complaint,
    follow_up,
    incident_notice,
    reminder,
)
from cases.letters.parts import letter_date
from cases.letters.render import html_to_text
from cases.models import Letter, LetterKind, RequestKind
from cases.typography import one_full_stop

BUILDERS: dict[str, Callable[[Letter, date], dict[str, object]]] = {
    LetterKind.ACCESS_REQUEST: access_request.context,
    LetterKind.REMINDER: reminder.context,
    LetterKind.INCIDENT_NOTICE: incident_notice.context,
    LetterKind.COMPLAINT: complaint.context,
    LetterKind.BREACH_REPORT: breach_report.context,
}


def _is_follow_up_request(letter: Letter) -> bool:
    """The request letter of an erasure, objection... case: the letter kind "access_request" is
    a case's request letter, whatever the case asks (stored letters keep their kind)."""
    return letter.kind == LetterKind.ACCESS_REQUEST and letter.case.kind != RequestKind.ACCESS


def letter_context(letter: Letter) -> dict[str, object]:
    """Everything the letter's template needs; call inside `translation.override(language)`.
    A case's request letter is built for the case's kind (`follow_up.BUILDERS`)."""
    if _is_follow_up_request(letter):
        return follow_up.BUILDERS[letter.case.kind](letter, letter_date(letter))
    return BUILDERS[letter.kind](letter, letter_date(letter))


def template_name(letter: Letter) -> str:
    """`letters/<language>/<kind>.html`; a follow-up's request letter by the case's kind."""
    kind = letter.case.kind if _is_follow_up_request(letter) else letter.kind
    return f"letters/{letter.language}/{kind}.html"


def letter_html(letter: Letter) -> str:
    """The letter as a complete HTML document, ready for `cases.letters.render.render_pdf`."""
    with translation.override(letter.language):
        context = letter_context(letter)
        return one_full_stop(render_to_string(template_name(letter), context))


def _follow_up_text(letter: Letter) -> tuple[str, str]:
    """A follow-up's request as (subject, body): the words of its PDF between the markers that
    `letters/base.html` sets around the body and the signature, so that the e-mail and the PDF
    say the same thing without a second template per kind and language."""
    with translation.override(letter.language):
        context = letter_context(letter)
        html = render_to_string(template_name(letter), context)
    _head, _sep, rest = html.partition("<!--text-->")
    body = html_to_text(rest.partition("<!--/text-->")[0])
    return str(context["subject"]), one_full_stop(body)


def access_request_text(letter: Letter) -> tuple[str, str]:
    """The request as (subject, body) in plain text, for an e-mail or a web form; a follow-up's
    (erasure, objection...) from its letter's words."""
    if _is_follow_up_request(letter):
        return _follow_up_text(letter)
    with translation.override(letter.language):
        context = access_request.context(letter, letter_date(letter))
        body = render_to_string(f"letters/{letter.language}/access_request.txt", context)
    body = one_full_stop(re.sub(r"\n{3,}", "\n\n", body).strip()) + "\n"
    return str(context["subject"]), body
