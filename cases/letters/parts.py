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

from cases.letters.phrases import (
    DEADLINES,
    INCIDENT_ARTICLES,
    INCIDENTS,
    ITEM_ARTICLES,
    ITEMS,
    cite,
)
from cases.models import (
    Article15Item,
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


@dataclass(frozen=True)
class EvidenceEntry:
    name: str
    description: str
    sha256: str
    size: int
    uploaded_on: str


def missing_codes(case: Case) -> list[str]:
    """The Article 15 items the vendor's answer was recorded as lacking."""
    return [str(c) for c in case.missing_items or []]


def item_entries(codes: list[str], language: str) -> list[Item]:
    """The known items among `codes`, in the order of Article 15, with their articles."""
    order = [i.value for i in Article15Item]
    known = sorted((c for c in codes if c in ITEMS[language]), key=order.index)
    return [Item(c, ITEMS[language][c], cite(ITEM_ARTICLES[c], language)) for c in known]


def missed_entries(missed: list[Deadline], language: str) -> list[MissedClock]:
    return [
        MissedClock(d.kind, DEADLINES[language][d.kind], long_date(d.due_on), long_date(d.met_on))
        for d in missed
    ]


def incident_facts(incident: Incident, language: str) -> IncidentFacts:
    return IncidentFacts(
        incident=incident,
        label=INCIDENTS[language][incident.kind],
        occurred_on=long_date(incident.occurred_on),
        discovered_on=long_date(incident.discovered_on),
        reported_on=long_date(incident.reported_to_vendor_on),
        authority_notified_on=long_date(incident.authority_notified_on),
        categories=[str(c) for c in incident.data_categories or []],
        citation=cite(INCIDENT_ARTICLES[incident.kind], language),
    )


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
