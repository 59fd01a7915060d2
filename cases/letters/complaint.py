"""The complaint to a supervisory authority (GDPR Art. 77): what was asked and when, the
timeline, the incidents, the legal grounds with their articles, the evidence."""

from __future__ import annotations

from datetime import date

from cases.letters.common import follow_up, heading
from cases.letters.grounds import grounds
from cases.letters.parts import (
    due_on,
    evidence_entries,
    incident_facts,
    item_entries,
    long_date,
    missing_codes,
)
from cases.letters.rules import missed_deadlines
from cases.letters.timeline import timeline
from cases.models import Article15Item, Authority, Case, DeadlineKind, Letter, LetterKind


def context(letter: Letter, on: date) -> dict[str, object]:
    case, language = letter.case, letter.language
    missed = missed_deadlines(case, today=on)
    incidents = list(case.incidents.order_by("discovered_on", "pk"))
    requested = [str(c) for c in case.requested_items or []]
    return {
        **heading(letter, kind=LetterKind.COMPLAINT, on=on),
        **follow_up(case, language=language, on=on, missed=missed),
        "timeline": timeline(case, language),
        "incidents": [incident_facts(i, language) for i in incidents],
        "grounds": grounds(
            missed=missed, missing=missing_codes(case), incidents=incidents, language=language
        ),
        "evidence": evidence_entries(case.evidence.all()),
        "authority_is_lead": _is_lead(case, letter.authority),
        "requested": item_entries(requested, language),
        "asked_everything": set(case.requested_items or []) >= set(Article15Item.values),
        "response_due": long_date(due_on(case, DeadlineKind.RESPONSE)),
        "extended_due": long_date(due_on(case, DeadlineKind.EXTENDED_RESPONSE)),
    }


def _is_lead(case: Case, authority: Authority | None) -> bool:
    """Whether the complaint goes to the vendor's lead authority (Art. 56(1))."""
    lead = case.vendor.lead_authority
    return lead is not None and authority is not None and lead.pk == authority.pk
