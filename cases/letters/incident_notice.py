"""The incident notice to the vendor: what happened to the data, what duty it raises (a breach
to notify, a review nobody was told of), with the evidence enclosed. For somebody else's data
that reached the person (`IncidentSide.OTHERS_DATA`) it says what arrived, that the person keeps
it secure and deletes it on the vendor's instruction, and asks the vendor to tell the person
concerned (Art. 34) and its authority (Art. 33): it claims nothing about the sender's own data."""

from __future__ import annotations

from datetime import date

from cases.letters.common import follow_up, heading
from cases.letters.parts import evidence_entries, incident_facts
from cases.letters.rules import letter_incident, missed_deadlines
from cases.models import IncidentKind, IncidentSide, Letter, LetterKind

BREACH_KINDS = (IncidentKind.MISDIRECTED_EXPORT, IncidentKind.OTHER_BREACH)
REVIEW_KINDS = (IncidentKind.UNDISCLOSED_REVIEW, IncidentKind.RECORDING_WITHOUT_WAKE_WORD)


def context(letter: Letter, on: date) -> dict[str, object]:
    incident = letter_incident(letter)
    if incident is None:
        raise ValueError("an incident notice needs its incident")
    missed = missed_deadlines(letter.case, today=on)
    return {
        **heading(letter, kind=LetterKind.INCIDENT_NOTICE, on=on, incident=incident),
        **follow_up(letter.case, language=letter.language, on=on, missed=missed),
        "incident": incident_facts(incident, letter.language),
        "is_breach": incident.kind in BREACH_KINDS,
        "is_review": incident.kind in REVIEW_KINDS,
        "is_misdirected": incident.kind == IncidentKind.MISDIRECTED_EXPORT,
        "is_others_data": incident.side == IncidentSide.OTHERS_DATA,
        "enclosures": evidence_entries(incident.evidence.all()),
    }
