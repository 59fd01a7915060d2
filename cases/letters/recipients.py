"""Who a letter goes to and in which language: rules the services and the case page call.

- Language (`recipient_language`): a letter is written in its recipient's language unless the
  user chooses another: to an authority in the person's own language where the authority
  accepts it, else in the first of its languages that we write (`authority_letter_language`);
  to a vendor in the language chosen for the case; English otherwise.
- Which authorities a complaint is suggested for (`suggested_authorities`), see there; in
  Germany the Land's (§ 40 BDSG), once the requester's Land is known (`region_needed`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from cases.letters.phrases import LANGUAGES
from cases.models import TO_AUTHORITY, Authority, Case
from cases.regions import is_known_region, regions_of

# Where a country has several authorities without a region, the one with general competence for
# companies. None for Germany: its federal BfDI is competent for federal bodies, telecoms and
# postal firms only, and the church and broadcasting authorities for their own bodies; private
# companies fall to the authority of the Land (§ 40 BDSG), see PRIVATE_SECTOR_AUTHORITY_SLUGS.
GENERAL_AUTHORITY_SLUGS: dict[str, str] = {}

# Where a region (`Case.requester_region`) has several authorities, the one for private
# companies: Bavaria's BayLDA (the BayLfD supervises Bavarian public bodies).
PRIVATE_SECTOR_AUTHORITY_SLUGS = {("DE", "BY"): "debaylda"}


# --- Languages -------------------------------------------------------------------------------


def supported_language(code: str | None) -> str:
    """`code` if letters exist in it ("de-AT" counts as "de"), else English."""
    base = (code or "").lower().split("-")[0]
    return base if base in LANGUAGES else "en"


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
    residence: bool = False  # of the requester's country or region (Art. 77(1))
    lead: bool = False  # the vendor's lead authority (Art. 56(1))


def region_needed(country: str, region: str = "") -> bool:
    """Whether the authority of residence for a complaint about a company depends on a region
    (Germany's Land, § 40 BDSG) that is not known yet."""
    return bool(regions_of(country)) and not is_known_region(country, region)


def residence_authority(country: str, region: str = "") -> tuple[Authority | None, bool]:
    """The authority of a place of residence for a complaint about a company (Art. 77(1)), and
    whether a region is needed to choose it.

    Rule: where the region decides (`cases.regions`: Germany, § 40 BDSG), the authority of
    `region` (PRIVATE_SECTOR_AUTHORITY_SLUGS where it has several), or none and True while the
    region is not known; the federal BfDI, competent only for federal bodies, telecoms and postal
    firms, is never the answer. Elsewhere the authorities of `country` without a subdivision: one
    of them, that one; several, the one named in GENERAL_AUTHORITY_SLUGS; else none.
    """
    code = country.strip().upper()
    if regions_of(code):
        if not is_known_region(code, region):
            return None, True
        sub = region.strip().upper()
        regional = list(Authority.objects.filter(country=code, subdivision=sub))
        slug = PRIVATE_SECTOR_AUTHORITY_SLUGS.get((code, sub))
        if slug is not None:
            regional = [a for a in regional if a.slug == slug]
        return (regional[0] if len(regional) == 1 else None), False
    national = list(Authority.objects.filter(country=code, subdivision=""))
    if len(national) == 1:
        return national[0], False
    slug = GENERAL_AUTHORITY_SLUGS.get(code)
    return next((a for a in national if a.slug == slug), None), False


def suggested_authorities(case: Case) -> list[AuthoritySuggestion]:
    """Where a complaint may go: the authority of the requester's residence (Art. 77(1)) and the
    vendor's lead authority (Art. 56(1)); one entry when they are the same. The first is the
    default: residence (the requester's own language and a local contact, which cooperates with
    the lead authority under Art. 56 and 60). In Germany the residence authority is the Land's
    (§ 40 BDSG); while the Land is not known only the lead authority is suggested
    (`region_needed` tells the page to ask)."""
    residence, _needs_region = residence_authority(case.requester_country, case.requester_region)
    lead = case.vendor.lead_authority
    if residence is not None and lead is not None and residence.pk == lead.pk:
        return [AuthoritySuggestion(residence, residence=True, lead=True)]
    suggestions = []
    if residence is not None:
        suggestions.append(AuthoritySuggestion(residence, residence=True))
    if lead is not None:
        suggestions.append(AuthoritySuggestion(lead, lead=True))
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
