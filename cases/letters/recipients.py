"""Who a letter goes to and in which language: rules the services and the case page call.

- Language (`recipient_language`): a letter is written in its recipient's language unless the
  user chooses another: to an authority in the person's own language where the authority
  accepts it, else in the first of its languages that we write (`authority_letter_language`);
  to a vendor in the language chosen for the case; English otherwise.
- Which authorities a complaint is suggested for (`suggested_authorities`), see there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from cases.letters.phrases import LANGUAGES
from cases.models import Authority, Case, LetterKind

# Where a country has several authorities without a region, the one with general competence.
# Germany: besides the federal BfDI there are church and broadcasting authorities; private
# companies fall to the 16 Land authorities, which have a subdivision.
GENERAL_AUTHORITY_SLUGS = {"DE": "debfdi"}


# --- Languages -------------------------------------------------------------------------------


def supported_language(code: str | None) -> str:
    """`code` if letters exist in it ("de-AT" counts as "de"), else English."""
    base = (code or "").lower().split("-")[0]
    return base if base in LANGUAGES else "en"


TO_AUTHORITY = (LetterKind.COMPLAINT, LetterKind.BREACH_REPORT)


def recipient_language(*, case: Case, kind: str, authority: Authority | None = None) -> str:
    """The language a letter is written in unless the user chooses another: for a letter to an
    authority, `authority_letter_language`; else the one chosen for the case when it was filed
    (which offers the vendor's language first)."""
    if kind in TO_AUTHORITY and authority is not None:
        return authority_letter_language(case, authority)[0]
    return supported_language(case.language or case.vendor.request_language)


def person_language(case: Case) -> str:
    """The data subject's own language: the one their account uses, else the case's."""
    requester = case.requester
    return supported_language(getattr(requester, "language", "") or case.language)


def authority_letter_language(case: Case, authority: Authority) -> tuple[str, bool]:
    """The language of a letter to `authority`, and whether it is the person's own: theirs where
    the authority takes complaints in it (they sign what they can read), else the first of the
    authority's languages that letters are written in, else English."""
    accepted = [code.lower() for code in authority.complaint_languages or []]
    own = person_language(case)
    if own in accepted:
        return own, True
    written = [code for code in accepted if code in LANGUAGES]
    return (written[0] if written else "en"), False


# --- Authorities -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthoritySuggestion:
    authority: Authority
    residence: bool = False  # of the requester's country (Art. 77(1))
    lead: bool = False  # the vendor's lead authority (Art. 56(1))
    # True where the authority for private companies depends on a region we do not know
    # (Germany's Länder): the suggestion is then the federal authority, competent for a few
    # sectors only (telecoms, post), and the user may choose their Land's authority instead.
    regional: bool = False


def residence_authority(country: str) -> tuple[Authority | None, bool]:
    """The authority of a country of residence, and whether a regional one may be competent.

    Rule: the authorities of `country` without a subdivision. One of them: that one. Several
    (Germany): the one with general competence named in GENERAL_AUTHORITY_SLUGS, flagged
    regional, because the competent Land authority cannot be chosen without the requester's
    Land; the user may choose it among the country's authorities. None: no suggestion.
    """
    national = list(Authority.objects.filter(country=country.upper(), subdivision=""))
    if len(national) == 1:
        return national[0], False
    slug = GENERAL_AUTHORITY_SLUGS.get(country.upper())
    chosen = next((a for a in national if a.slug == slug), None)
    return chosen, chosen is not None


def suggested_authorities(case: Case) -> list[AuthoritySuggestion]:
    """Where a complaint may go: the authority of the requester's residence (Art. 77(1)) and the
    vendor's lead authority (Art. 56(1)); one entry when they are the same. The first is the
    default: residence (the requester's own language and a local contact, which cooperates with
    the lead authority under Art. 56 and 60), unless only a national stand-in was found, then
    the lead authority."""
    residence, regional = residence_authority(case.requester_country)
    lead = case.vendor.lead_authority
    if residence is not None and lead is not None and residence.pk == lead.pk:
        return [AuthoritySuggestion(residence, residence=True, lead=True)]
    suggestions = []
    if residence is not None:
        suggestions.append(AuthoritySuggestion(residence, residence=True, regional=regional))
    if lead is not None:
        suggestions.append(AuthoritySuggestion(lead, lead=True))
    if len(suggestions) == 2 and suggestions[0].regional:
        suggestions.reverse()
    return suggestions


def authorities_of_country(country: str) -> QuerySet[Authority]:
    return Authority.objects.filter(country=country.upper()).order_by("subdivision", "short_name")


def authorities_for_choice(country: str) -> list[Authority]:
    """Every authority, the requester's country first: Art. 77(1) lets a complainant go to the
    authority where they live, where they work, or where the infringement took place."""
    home = list(authorities_of_country(country))
    abroad = Authority.objects.exclude(country=country.upper()).order_by(
        "country", "subdivision", "short_name"
    )
    return home + list(abroad)
