# Letters use typographic apostrophes, as printed French does.
# ruff: noqa: RUF001
"""Pieces several letters share, written out for the letter's language: dates, the place of the
date line, parties, Article 15 items, missed clocks, incidents, evidence, and the dates a letter
reads from a case's events and clocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.db.models import QuerySet
from django.utils import formats, timezone, translation

from cases.facts import breach_notice_due
from cases.letters.phrases import (
    DATA_CATEGORIES,
    DEADLINES,
    INCIDENTS,
    ITEM_ARTICLES,
    ITEMS,
    cite,
    incident_articles,
)
from cases.models import (
    ALL_ITEMS,
    Authority,
    Case,
    Deadline,
    Evidence,
    Incident,
    Letter,
    Vendor,
)

# --- Dates -----------------------------------------------------------------------------------


def letter_date(letter: Letter) -> date:
    """The date a letter bears: the day it was asked for, in the site's time zone."""
    return (
        timezone.localtime(letter.created_at).date() if letter.created_at else timezone.localdate()
    )


def long_date(day: date | None) -> str:
    """A date in the active language's long format ("30 September 2027", "30. September 2027")."""
    return _long_date(day, translation.get_language()) if day else ""


@lru_cache(maxsize=4096)
def _long_date(day: date, language: str) -> str:
    # A complaint formats the same few dates dozens of times; `language` is part of the key
    # because the format follows the active language.
    return formats.date_format(day, "DATE_FORMAT")


def first_event_on(case: Case, kind: str) -> date | None:
    event = case.events.filter(kind=kind).order_by("occurred_on", "pk").first()
    return event.occurred_on if event else None


def last_event_on(case: Case, kind: str) -> date | None:
    event = case.events.filter(kind=kind).order_by("-occurred_on", "-pk").first()
    return event.occurred_on if event else None


def due_on(case: Case, kind: str) -> date | None:
    """When the case's first clock of `kind` runs out."""
    deadline = case.deadlines.filter(kind=kind).order_by("due_on").first()
    return deadline.due_on if deadline else None


def number(value: int, language: str) -> str:
    """An integer with the language's thousands separator: 1,700 / 1 700 / 1.700."""
    grouped = f"{value:,}"
    if language == "fr":
        return grouped.replace(",", "\u202f")  # narrow no-break space, as French print does
    if language == "de":
        return grouped.replace(",", ".")
    return grouped


# --- Places and parties ----------------------------------------------------------------------

_POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}-)?\d{4,5}\b|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\bD\d{2}\s?[A-Z\d]{4}\b"
)


def place_of(address: str) -> str:
    """The town of a postal address, for the date line: the last line with a postcode, the
    postcode taken out ("L-1741 Luxembourg" -> "Luxembourg"). Empty when none is recognised."""
    for line in reversed([line.strip() for line in address.splitlines() if line.strip()]):
        if _POSTCODE.search(line):
            place = _POSTCODE.sub("", line).strip(" ,-")
            return place if place and not any(c.isdigit() for c in place) else ""
    return ""


def lines(text: str) -> list[str]:
    """The non-empty lines of what a user typed, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Party:
    name: str
    address: str = ""
    email: str = ""

    @property
    def address_lines(self) -> list[str]:
        return lines(self.address)

    @property
    def one_line(self) -> str:
        """Name and address on one line, for a mention in the text."""
        return ", ".join([self.name, *self.address_lines])


def requester_party(case: Case) -> Party:
    return Party(case.requester_name, case.requester_address, case.requester_email)


def vendor_party(vendor: Vendor) -> Party:
    return Party(vendor.legal_name, vendor.address, vendor.email)


def authority_party(authority: Authority | None) -> Party | None:
    if authority is None:
        return None
    return Party(authority.name, authority.address, authority.email)


@dataclass(frozen=True)
class AuthorityRef:
    """An authority's official name as a sentence needs it: `subject` ("la Commission nationale
    …", "die Data Protection Commission") and `after_preposition` ("de la …" after "auprès",
    "der …" after "bei"; English repeats `subject`)."""

    subject: str
    after_preposition: str
    name: str
    to: str = ""  # "à la …", "an die …", "to the …"


def authority_ref(authority: Authority | None, language: str) -> AuthorityRef | None:
    """The article French and German grammar needs before an authority's official name, from the
    gender the directory records; without one, the name stands in apposition to "autorité de
    contrôle" / "Aufsichtsbehörde" rather than behind a guessed article."""
    if authority is None:
        return None
    name = authority.name
    gender = (authority.name_gender or {}).get(language, "")
    if language == "fr":
        if not gender:
            apposition = f"l’autorité de contrôle « {name} »"
            return AuthorityRef(apposition, f"de {apposition}", name, f"à {apposition}")
        if name[:1].lower() in "aeiouyéèê":
            return AuthorityRef(f"l’{name}", f"de l’{name}", name, f"à l’{name}")
        if gender == "f":
            return AuthorityRef(f"la {name}", f"de la {name}", name, f"à la {name}")
        return AuthorityRef(f"le {name}", f"du {name}", name, f"au {name}")
    if language == "de":
        if not gender:
            return AuthorityRef(
                f"die Aufsichtsbehörde „{name}“",
                f"der Aufsichtsbehörde „{name}“",
                name,
                f"an die Aufsichtsbehörde „{name}“",
            )
        nominative = {"f": "die", "m": "der", "n": "das"}[gender]
        dative = {"f": "der", "m": "dem", "n": "dem"}[gender]
        accusative = {"f": "die", "m": "den", "n": "das"}[gender]
        return AuthorityRef(
            f"{nominative} {name}", f"{dative} {name}", name, f"an {accusative} {name}"
        )
    plain = name[4:] if name.startswith("The ") else name
    return AuthorityRef(f"the {plain}", f"the {plain}", name, f"to the {plain}")


def is_lead_authority(case: Case, authority: Authority | None) -> bool:
    """Whether a letter to `authority` goes to the vendor's lead authority (Art. 56(1))."""
    return authority is not None and case.vendor.lead_authority_id == authority.pk


def brand(case: Case) -> str:
    """The vendor's name with up to three of its products: "Amazon (Alexa, Echo)"."""
    products = ", ".join(str(p) for p in (case.vendor.products or [])[:3])
    return f"{case.vendor.name} ({products})" if products else case.vendor.name


# --- Items, clocks, incidents, evidence ------------------------------------------------------


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    citation: str


@dataclass(frozen=True)
class MissedClock:
    kind: str
    label: str
    due_on: str
    met_on: str  # the late answer's date, if one came
    # The last day counting an identity pause the person disputes (Art. 12(6)), shown beside it.
    due_with_disputed_pause: str = ""


@dataclass(frozen=True)
class IncidentFacts:
    incident: Incident
    label: str
    occurred_on: str
    discovered_on: str
    reported_on: str
    authority_notified_on: str
    categories: list[str] = field(default_factory=list)
    citation: str = ""
    records: str = ""  # the number of records affected, written for the language
    # The end of the vendor's 72 hours (Art. 33(1)) from when it was told, for information only.
    breach_notice_due: str = ""


@dataclass(frozen=True)
class EvidenceEntry:
    name: str
    description: str
    sha256: str
    size: int
    uploaded_on: str


def missing_codes(case: Case) -> list[str]:
    """The checklist items (of the case's kind) the vendor's answer was recorded as lacking."""
    return [str(c) for c in case.missing_items or []]


def item_entries(codes: list[str], language: str) -> list[Item]:
    """The known items among `codes`, in the order of their article, with their articles."""
    known = sorted((c for c in codes if c in ITEMS[language]), key=ALL_ITEMS.index)
    return [Item(c, ITEMS[language][c], cite(ITEM_ARTICLES[c], language)) for c in known]


def missed_entries(missed: list[Deadline], language: str) -> list[MissedClock]:
    return [
        MissedClock(
            d.kind,
            DEADLINES[language][d.kind],
            long_date(d.due_on),
            long_date(d.met_on),
            long_date(d.due_on_with_disputed_pause),
        )
        for d in missed
    ]


def incident_facts(incident: Incident, language: str) -> IncidentFacts:
    records = incident.records_affected
    return IncidentFacts(
        incident=incident,
        label=INCIDENTS[language][incident.kind],
        occurred_on=long_date(incident.occurred_on),
        discovered_on=long_date(incident.discovered_on),
        reported_on=long_date(incident.reported_to_vendor_on),
        authority_notified_on=long_date(incident.authority_notified_on),
        categories=category_words(incident.data_categories or [], language),
        citation=cite(incident_articles(incident), language),
        records=number(records, language) if records is not None else "",
        breach_notice_due=long_date(breach_notice_due(incident)),
    )


def category_words(codes: list[str], language: str) -> list[str]:
    """The data categories of an incident in the letter's language; what the person typed in
    their own words stays as typed."""
    words = DATA_CATEGORIES[language]
    return [words.get(str(c), str(c)) for c in codes]


def evidence_entries(evidence: QuerySet[Evidence]) -> list[EvidenceEntry]:
    return [
        EvidenceEntry(
            name=e.original_name,
            description=e.description,
            sha256=e.sha256,
            size=e.size,
            uploaded_on=long_date(timezone.localtime(e.uploaded_at).date())
            if e.uploaded_at
            else "",
        )
        for e in evidence.order_by("uploaded_at", "pk")
    ]
