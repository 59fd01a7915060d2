"""The breach report to a supervisory authority: somebody else's personal data reached the person
(a misdirected export). The person is not the data subject of that breach, so this is no
complaint under Art. 77 but a report for the authority to act on of its own motion (Art. 57(1)(a)
and (h), 58(1)); it asks the authority to check whether and when the controller notified the
breach (Art. 33) and told the person concerned (Art. 34), and asserts neither."""

from __future__ import annotations

from datetime import date

from cases.letters.common import follow_up, heading
from cases.letters.parts import evidence_entries, incident_facts, is_lead_authority
from cases.letters.rules import letter_incident, missed_deadlines
from cases.models import Letter, LetterKind


def context(letter: Letter, on: date) -> dict[str, object]:
    incident = letter_incident(letter)
    if incident is None:
        raise ValueError("a breach report needs its incident")
    case = letter.case
    return {
        **heading(letter, kind=LetterKind.BREACH_REPORT, on=on, incident=incident),
        **follow_up(case, language=letter.language, on=on, missed=missed_deadlines(case, today=on)),
        "incident": incident_facts(incident, letter.language),
        "authority_is_lead": is_lead_authority(case, letter.authority),
        "enclosures": evidence_entries(incident.evidence.all()),
    }
