"""The complaint to a supervisory authority (GDPR Art. 77): what was asked and when, the
timeline, the incidents about the complainant's own data, the legal grounds with their articles,
the evidence, and every document the app holds enclosed: the letters marked sent, the company's
answer, and for a case under mandate the Art. 80(1) mandate itself.

Everything is stated as of the letter's day: a time limit still running is said to run, not to
have been missed (`rules.missed_deadlines`, by `facts.clock_state`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from cases.letters.common import follow_up, heading, subject_key
from cases.letters.grounds import grounds
from cases.letters.parts import (
    evidence_entries,
    first_event_on,
    incident_facts,
    is_lead_authority,
    item_entries,
    long_date,
    missing_codes,
)
from cases.letters.phrases import COMPLAINT_WORDS, LETTER_NAMES
from cases.letters.rules import LEGAL_CLOCKS, missed_deadlines, own_incidents
from cases.letters.timeline import timeline
from cases.models import (
    Article15Item,
    Case,
    Deadline,
    DeadlineKind,
    EventKind,
    IncidentKind,
    Letter,
    LetterKind,
    Mandate,
    Outcome,
    RequestKind,
)
from cases.models.workspace import MandateScope, consent_text

BREACH_KINDS = (IncidentKind.MISDIRECTED_EXPORT, IncidentKind.OTHER_BREACH)
REVIEW_KINDS = (IncidentKind.UNDISCLOSED_REVIEW, IncidentKind.RECORDING_WITHOUT_WAKE_WORD)
# The letters of the case that a complaint encloses once they were marked sent.
ENCLOSED_LETTER_KINDS = (
    LetterKind.ACCESS_REQUEST,
    LetterKind.REMINDER,
    LetterKind.INCIDENT_NOTICE,
)


@dataclass(frozen=True)
class Enclosure:
    label: str  # the letter's kind in the letter's language, or the file's name
    on: str  # the day it was sent or uploaded
    description: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class MandateDocument:
    """The Art. 80(1) mandate as the complaint's last annex: who gave it, to whom, for what."""

    giver: str
    organisation: str
    granted_on: str
    scope: list[str]
    text: str


def context(letter: Letter, on: date) -> dict[str, object]:
    case, language = letter.case, letter.language
    clocks = list(case.deadlines.order_by("due_on", "pk"))
    missed = missed_deadlines(case, today=on, deadlines=clocks)
    incidents = own_incidents(case.incidents.order_by("discovered_on", "pk"))
    requested = [str(c) for c in case.requested_items or []]
    missed_legal = [d for d in missed if d.kind in LEGAL_CLOCKS]
    missing = missing_codes(case)
    response = _first(clocks, DeadlineKind.RESPONSE)
    extended = _first(clocks, DeadlineKind.EXTENDED_RESPONSE)
    mandate = _mandate(case) if case.organisation_id else None
    return {
        **heading(letter, kind=LetterKind.COMPLAINT, on=on),
        **follow_up(case, language=language, on=on, missed=missed),
        "timeline": timeline(case, language, today=on),
        "incidents": [incident_facts(i, language) for i in incidents],
        "grounds": grounds(
            missed=missed, missing=missing, incidents=incidents, language=language, kind=case.kind
        ),
        # A follow-up (erasure, objection...) names what the controller did not do in its own
        # words; an access case keeps the template's.
        "kind_words": COMPLAINT_WORDS[language].get(case.kind, {}),
        "evidence": evidence_entries(case.evidence.filter(is_vendor_answer=False)),
        "authority_is_lead": is_lead_authority(case, letter.authority),
        "requested": item_entries(requested, language),
        "asked_everything": case.kind == RequestKind.ACCESS
        and set(case.requested_items or []) >= set(Article15Item.values),
        # The answer's time limit, as of the letter's day.
        "response_due": long_date(response.due_on if response else None),
        "response_due_with_pause": long_date(
            response.due_on_with_disputed_pause if response else None
        ),
        "identity_requested_on": long_date(first_event_on(case, EventKind.IDENTITY_REQUESTED)),
        "extended_due": long_date(extended.due_on if extended else None),
        "response_missed": any(
            d.kind in (DeadlineKind.RESPONSE, DeadlineKind.EXTENDED_RESPONSE) and d.met_on is None
            for d in missed_legal
        ),
        "refused": case.outcome == Outcome.REFUSED,
        "access_not_given": bool(missed_legal or missing)
        or case.outcome in (Outcome.REFUSED, Outcome.PARTIAL),
        "breach_incidents": [i for i in incidents if i.kind in BREACH_KINDS],
        "review_incidents": [i for i in incidents if i.kind in REVIEW_KINDS],
        "court_proceedings_pending": letter.court_proceedings_pending,
        "enclosed_letters": _enclosed_letters(case, letter, language, on),
        "vendor_answers": evidence_entries(case.evidence.filter(is_vendor_answer=True)),
        "mandate": mandate,
    }


def _first(clocks: list[Deadline], kind: str) -> Deadline | None:
    return next((d for d in clocks if d.kind == kind), None)


def enclosed_letters(complaint: Letter, on: date) -> list[Letter]:
    """The letters a complaint encloses: every one the app wrote for the case and the person
    marked sent by the complaint's day, oldest first (the request, reminders, incident
    notices). `bundle.complaint_bundle` packs the same ones."""
    return list(
        complaint.case.letters.filter(
            kind__in=ENCLOSED_LETTER_KINDS, sent_on__isnull=False, sent_on__lte=on
        )
        .exclude(pk=complaint.pk)
        .order_by("sent_on", "pk")
    )


def _enclosed_letters(case: Case, letter: Letter, language: str, on: date) -> list[Enclosure]:
    return [
        Enclosure(
            label=LETTER_NAMES[language][subject_key(case, s.kind)]
            if s.kind == LetterKind.ACCESS_REQUEST
            else LETTER_NAMES[language][s.kind],
            on=long_date(s.sent_on),
            sha256=s.sha256,
        )
        for s in enclosed_letters(letter, on)
    ]


def _mandate(case: Case) -> MandateDocument | None:
    """The data subject's active mandate to the organisation running the case (Art. 80(1))."""
    mandate = (
        Mandate.objects.active()
        .filter(case=case, organisation=case.organisation_id)
        .select_related("organisation")
        .order_by("-granted_at")
        .first()
    )
    if mandate is None:
        return None
    scope_labels = dict(MandateScope.choices)
    return MandateDocument(
        giver=case.requester_name,
        organisation=mandate.organisation.name,
        granted_on=long_date(timezone.localtime(mandate.granted_at).date()),
        scope=[str(scope_labels.get(code, code)) for code in mandate.scope],
        text=consent_text(mandate.consent_text_version, mandate.organisation.name),
    )
