"""The legal grounds a complaint relies on, with their articles: one per missed clock, one for
the Article 15 items missing from the answer, one per incident about the complainant's own data.
An incident that repeats a ground already given (a late extension, an incomplete answer) is not
given twice, and "no answer" is a ground only as the missed clock, once it has passed."""

from __future__ import annotations

from dataclasses import dataclass

from cases.letters.parts import item_entries, long_date
from cases.letters.phrases import (
    GROUND_ARTICLES,
    GROUNDS,
    INCIDENTS,
    ITEM_ARTICLES,
    KIND_ARTICLES,
    SPECIAL_CATEGORIES,
    article_order,
    cite,
    incident_articles,
)
from cases.models import Deadline, DeadlineKind, Incident, IncidentKind, RequestKind


@dataclass(frozen=True)
class Ground:
    code: str
    title: str
    explanation: str
    citation: str
    detail: str = ""  # what the ground is about: the missing item, the incident's date


def grounds(
    *,
    missed: list[Deadline],
    missing: list[str],
    incidents: list[Incident],
    language: str,
    kind: str = RequestKind.ACCESS,
) -> list[Ground]:
    """The legal ground for each issue, with its articles, in the letter's language; `incidents`
    are those about the complainant's own data (`rules.own_incidents`). A follow-up (`kind`
    erasure, objection...) cites its own article for an unanswered request and Art. 12(3) with
    the articles of its missing items (Art. 12(3): the controller informs of the action taken
    on a request under Articles 15 to 22)."""
    found: dict[str, Ground] = {}
    follow_up = kind != RequestKind.ACCESS
    for code in _missed_clock_grounds(missed):
        if follow_up and code == "no_answer":
            refs = tuple(
                sorted(
                    {*GROUND_ARTICLES["no_answer_follow_up"], *KIND_ARTICLES[kind]},
                    key=article_order,
                )
            )
            _add(found, language, code, "no_answer_follow_up", refs)
            continue
        _add(found, language, code, code, GROUND_ARTICLES[code])
    # Every missing item breaks the same rule; the items are listed with their articles in
    # their own section, so the ground cites them all at once instead of repeating each.
    item_refs = _missing_item_articles(missing, language)
    if item_refs and follow_up:
        refs = tuple(sorted({"12(3)", *item_refs}, key=article_order))
        _add(found, language, "items", "items_follow_up", refs)
    elif item_refs:
        _add(found, language, "items", "items", item_refs)
    for incident in incidents:
        if _repeats_a_ground(incident, found):
            continue
        _add(
            found,
            language,
            f"incident:{incident.pk}",
            incident.kind,
            incident_articles(incident),
            title=INCIDENTS[language][incident.kind],
            detail=long_date(incident.occurred_on or incident.discovered_on),
            addition=SPECIAL_CATEGORIES[language] if incident.special_categories else "",
        )
    return list(found.values())


def _add(
    found: dict[str, Ground],
    language: str,
    code: str,
    key: str,
    refs: tuple[str, ...],
    *,
    title: str = "",
    detail: str = "",
    addition: str = "",
) -> None:
    """Give the ground `code` (worded as GROUNDS[language][key]) unless it was given already."""
    if code not in found:
        default_title, explanation = GROUNDS[language][key]
        explanation = f"{explanation} {addition}" if addition else explanation
        found[code] = Ground(
            code, title or default_title, explanation, cite(refs, language), detail
        )


def _missed_clock_grounds(missed: list[Deadline]) -> list[str]:
    """The ground each missed clock gives; the 14 days of a reminder are custom, not a rule, and
    the vendor's 72 hours to notify its authority are not a clock of the data subject's."""
    codes = []
    for deadline in missed:
        if deadline.kind in (DeadlineKind.RESPONSE, DeadlineKind.EXTENDED_RESPONSE):
            codes.append("late_answer" if deadline.met_on else "no_answer")
        elif deadline.kind == DeadlineKind.EXTENSION_NOTICE:
            codes.append("late_extension")
    return codes


def _missing_item_articles(missing: list[str], language: str) -> tuple[str, ...]:
    refs = {ref for item in item_entries(missing, language) for ref in ITEM_ARTICLES[item.code]}
    return tuple(sorted(refs, key=article_order))


def _repeats_a_ground(incident: Incident, found: dict[str, Ground]) -> bool:
    """No answer is a ground only as the missed clock (a recorded "no answer" before the time
    limit ran out is none); a late extension or an incomplete answer already given is not
    given twice."""
    if incident.kind == IncidentKind.NO_ANSWER:
        return True
    if incident.kind == IncidentKind.LATE_EXTENSION_NOTICE:
        return "late_extension" in found
    if incident.kind == IncidentKind.INCOMPLETE_ANSWER:
        return "items" in found
    return False
