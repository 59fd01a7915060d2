"""Regions of residence that decide which supervisory authority is competent.

Germany: § 40 BDSG gives the supervision of private companies to the authority of each Land (the
federal BfDI is competent for federal bodies, telecoms and postal firms only), so a complaint
about a company goes to the authority of the Land the requester lives in. The codes are the
ISO 3166-2:DE suffixes that `Authority.subdivision` and `Case.requester_region` hold; the names are
the Länder's own, the same in every language of the site.
"""

from __future__ import annotations

GERMAN_LAENDER: tuple[tuple[str, str], ...] = (
    ("BW", "Baden-Württemberg"),
    ("BY", "Bayern"),
    ("BE", "Berlin"),
    ("BB", "Brandenburg"),
    ("HB", "Bremen"),
    ("HH", "Hamburg"),
    ("HE", "Hessen"),
    ("MV", "Mecklenburg-Vorpommern"),
    ("NI", "Niedersachsen"),
    ("NW", "Nordrhein-Westfalen"),
    ("RP", "Rheinland-Pfalz"),
    ("SL", "Saarland"),
    ("SN", "Sachsen"),
    ("ST", "Sachsen-Anhalt"),
    ("SH", "Schleswig-Holstein"),
    ("TH", "Thüringen"),
)

# The countries where the competent authority for a company depends on the region of residence.
REGIONS: dict[str, tuple[tuple[str, str], ...]] = {"DE": GERMAN_LAENDER}


def regions_of(country: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of the regions that decide the authority in `country`; none elsewhere."""
    return REGIONS.get(country.strip().upper(), ())


def is_known_region(country: str, region: str) -> bool:
    return region.strip().upper() in dict(regions_of(country))
