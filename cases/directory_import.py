"""Import datenanfragen.de records (https://github.com/datenanfragen/data, CC0) into the directory.

`parse_company` and `parse_authority` turn one record into `Vendor` / `Authority` field values and
raise `RecordError(field, message)` when the record is malformed; they touch no database.
`import_directory` walks a folder and upserts every record in its own transaction.

Which files are records (the rule `import_directory` follows):

- Every ``*.json`` file under PATH, recursively, skipping hidden folders and ``node_modules``.
- A file whose nearest folder (up to and including PATH itself) is named ``companies`` is a company
  record, ``supervisory-authorities`` an authority record. If any file sits in such a folder, files
  outside those folders (schemas, ``package.json`` ...) are ignored, as in a clone of the
  datenanfragen repository.
- Otherwise (a flat folder of records) every ``*.json`` file is a record except JSON Schemas (an
  object with a ``$schema`` key, which records never have). A record with ``complaint-language`` is
  an authority, any other is a company; an authority record without ``complaint-language`` must
  therefore sit in a ``supervisory-authorities`` folder.

What an import changes:

- Companies become vendors with ``voice_assistant=False`` on creation. An import never changes a
  vendor's ``voice_assistant`` or ``lead_authority`` (nor ``dpo_contact`` and ``subdivision``,
  which records do not carry); for a curated voice-assistant vendor with the same slug it also
  keeps ``name``, ``products`` and ``notes`` and refreshes only the contact data. The curated
  vendors in ``cases/reference/vendors.json`` have slugs of their own ("amazon-alexa", ...), so a
  datenanfragen record ("amazon-de", "google" ...) never meets them anyway.
- A vendor's ``country`` (whose public holidays count) is the first of ``relevant-countries``; for
  "all" it is read from the address's last line, else ``FALLBACK_COUNTRY`` with a warning.
  ``request_language`` is ``request-language`` or "en"; ``preferred_channel`` the record's
  ``suggested-transport-medium`` (letter -> post), else e-mail, web form, post, whichever exists
  first; ``runs`` become ``products`` and ``comments`` the ``notes``.
- A file that is not JSON, or not a JSON object, is a failure like a malformed record: reported
  with its name and skipped; the rest still loads.
- An authority keeps its ``short_name`` once it exists (the derived one is a guess), and keeps the
  complaint languages it has beyond the record's single ``complaint-language``.
- Sources accumulate: the record's first, then the ones the row already had.
- ``verified_on`` is never written: an import verifies nothing.
- The curated reference (``load_reference``) corrects a few addresses that the records spell
  differently; an import brings the record's spelling back until ``load_reference`` runs again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import DatabaseError, models, transaction

from cases.models import Authority, Vendor

Kind = Literal["company", "authority"]
UpsertOutcome = Literal["created", "updated", "unchanged"]

KIND_FOLDERS: dict[str, Kind] = {"companies": "company", "supervisory-authorities": "authority"}
SKIPPED_FOLDERS = {"node_modules", "__pycache__"}

# A company record for "all" countries whose address does not name a country we know gets this
# holiday country (with a warning): datenanfragen.de is a German project and most of its records
# are German companies.
FALLBACK_COUNTRY = "DE"

COMPANY_QUALITIES = ("tested", "verified", "imported", "scraped")
_SLUG = re.compile(r"^[a-z0-9-]+$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_validate_url = URLValidator(schemes=["http", "https"])

# datenanfragen `suggested-transport-medium` -> Vendor.Channel; fax has no channel here.
_CHANNELS = {"email": "email", "webform": "webform", "letter": "post"}


class RecordError(Exception):
    """A record that does not follow the datenanfragen schema."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# --- Reading single values --------------------------------------------------------------------


def _max_length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length


def _string(
    record: dict[str, Any],
    key: str,
    *,
    required: bool = False,
    max_length: int | None = None,
    pattern: re.Pattern[str] | None = None,
) -> str:
    """The stripped string under `key`, or "" when it is absent and optional."""
    if key not in record:
        if required:
            raise RecordError(key, "is required")
        return ""
    value = record[key]
    if not isinstance(value, str):
        raise RecordError(key, f"must be a string, not {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise RecordError(key, "must not be empty")
    if max_length is not None and len(value) > max_length:
        raise RecordError(key, f"is longer than {max_length} characters")
    if value and pattern is not None and not pattern.match(value):
        raise RecordError(key, f"{value!r} does not match {pattern.pattern}")
    return value


def _string_list(
    record: dict[str, Any], key: str, *, required: bool = False, min_items: int = 0
) -> list[str]:
    """The list of strings under `key`."""
    if key not in record:
        if required:
            raise RecordError(key, "is required")
        return []
    value = record[key]
    if not isinstance(value, list):
        raise RecordError(key, f"must be a list, not {type(value).__name__}")
    for item in value:
        if not isinstance(item, str):
            raise RecordError(key, f"must hold strings only, not {type(item).__name__}")
    if len(value) < min_items:
        raise RecordError(key, f"needs at least {min_items} item(s)")
    return [item.strip() for item in value]


def _email(record: dict[str, Any], key: str, max_length: int | None) -> str:
    value = _string(record, key, max_length=max_length)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise RecordError(key, f"{value!r} is not a valid e-mail address") from None
    return value


def _url(value: str, key: str) -> str:
    try:
        _validate_url(value)
    except ValidationError:
        raise RecordError(key, f"{value!r} is not a valid http(s) URL") from None
    return value


def _url_field(record: dict[str, Any], key: str, max_length: int | None) -> str:
    value = _string(record, key, max_length=max_length)
    return _url(value, key) if value else ""


def _sources(record: dict[str, Any], *, min_items: int) -> list[str]:
    sources = _string_list(record, "sources", required=True, min_items=min_items)
    for source in sources:
        _url(source, "sources")
    return sources


def _countries(record: dict[str, Any], *, min_items: int) -> list[str]:
    """`relevant-countries`, lower-case: two-letter codes or "all"."""
    countries = _string_list(record, "relevant-countries", required=True, min_items=min_items)
    for code in countries:
        if code.lower() != "all" and not _COUNTRY.match(code):
            raise RecordError("relevant-countries", f"{code!r} is not a two-letter country code")
    return [code.lower() for code in countries]


def _record_object(record: object) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise RecordError("(record)", f"must be a JSON object, not {type(record).__name__}")
    return record


# --- Countries from addresses -----------------------------------------------------------------

# The schema asks for the country on an address's last line, in English or the local language.
_COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "AT": ("austria", "österreich"),
    "BE": ("belgium", "belgique", "belgië", "belgien"),
    "BG": ("bulgaria", "българия"),
    "HR": ("croatia", "hrvatska"),
    "CY": ("cyprus", "κύπρος"),
    "CZ": ("czech republic", "czechia", "česká republika", "česko"),
    "DK": ("denmark", "danmark"),
    "EE": ("estonia", "eesti"),
    "FI": ("finland", "suomi"),
    "FR": ("france",),
    "DE": ("germany", "deutschland"),
    "GR": ("greece", "ελλάδα", "hellas"),
    "HU": ("hungary", "magyarország"),
    "IE": ("ireland", "éire", "republic of ireland"),
    "IT": ("italy", "italia"),
    "LV": ("latvia", "latvija"),
    "LT": ("lithuania", "lietuva"),
    "LU": ("luxembourg", "luxemburg", "lëtzebuerg"),
    "MT": ("malta",),
    "NL": ("netherlands", "the netherlands", "nederland", "holland"),
    "PL": ("poland", "polska"),
    "PT": ("portugal",),
    "RO": ("romania", "românia"),
    "SK": ("slovakia", "slovak republic", "slovensko"),
    "SI": ("slovenia", "slovenija"),
    "ES": ("spain", "españa"),
    "SE": ("sweden", "sverige"),
    "GB": ("united kingdom", "uk", "great britain", "england", "scotland", "wales"),
    "NO": ("norway", "norge"),
    "IS": ("iceland", "ísland"),
    "LI": ("liechtenstein",),
    "CH": ("switzerland", "schweiz", "suisse", "svizzera"),
    "US": ("united states", "united states of america", "usa", "u.s.a.", "u.s.", "us"),
    "CA": ("canada",),
    "CN": ("china", "people's republic of china", "pr china"),
    "HK": ("hong kong",),
    "TW": ("taiwan",),
    "JP": ("japan",),
    "KR": ("south korea", "korea", "republic of korea"),
    "SG": ("singapore",),
    "IN": ("india",),
    "IL": ("israel",),
    "AU": ("australia",),
    "NZ": ("new zealand",),
    "AE": ("united arab emirates",),
    "TR": ("turkey", "türkiye"),
    "UA": ("ukraine",),
    "RU": ("russia", "russian federation"),
    "RS": ("serbia",),
    "MC": ("monaco",),
    "AD": ("andorra",),
    "SM": ("san marino",),
    "GI": ("gibraltar",),
    "IM": ("isle of man",),
    "JE": ("jersey",),
    "GG": ("guernsey",),
    "BR": ("brazil",),
    "MX": ("mexico",),
    "ZA": ("south africa",),
}
_COUNTRY_BY_NAME = {name: code for code, names in _COUNTRY_NAMES.items() for name in names}


def country_from_address(address: str) -> str | None:
    """The ISO code of the country named on the address's last line, if we know the name."""
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    if not lines:
        return None
    last = lines[-1]
    for candidate in (last, last.rsplit(",", 1)[-1]):
        name = candidate.strip().lower()
        code = _COUNTRY_BY_NAME.get(name) or _COUNTRY_BY_NAME.get(name.rstrip("."))
        if code:
            return code
    return None


# --- Names ------------------------------------------------------------------------------------

_LEGAL_FORM = re.compile(
    r"[\s,]+(?:ltd\.?|limited|llc|l\.l\.c\.|inc\.?|incorporated|corp\.?|corporation|co\.?"
    r"|gmbh(?: & co\.? kg)?|ag|kg|kgaa|se|sa|s\.a\.|sas|s\.a\.s\.|sarl|s\.à r\.l\.|s\.a r\.l\."
    r"|s\.à\.r\.l\.|bv|b\.v\.|nv|n\.v\.|ab|asa|as|a/s|aps|oy|oyj|plc|s\.p\.a\.|spa|s\.r\.l\.|srl"
    r"|sp\. z o\.o\.|e\.v\.|eg|ug(?: \(haftungsbeschränkt\))?|kdör|aör)$",
    re.IGNORECASE,
)


def common_name(legal_name: str) -> str:
    """The name people know: the legal name without its legal form ("Google LLC" -> "Google")."""
    name = legal_name.strip()
    while True:
        shorter = _LEGAL_FORM.sub("", name).strip(" ,")
        if shorter == name or not shorter:
            return name
        name = shorter


_NOT_ACRONYMS = {"KdöR", "AöR", "KdÖR", "GmbH", "SARL", "LLC"}


def _looks_like_acronym(token: str) -> bool:
    token = token.strip()
    return (
        2 <= len(token) <= 16
        and " " not in token
        and token[0].isupper()
        and sum(char.isupper() for char in token) >= 2
        and token not in _NOT_ACRONYMS
    )


def derive_short_name(name: str, slug: str, country: str = "") -> str:
    """An acronym from the authority's name ("... - CNIL (...)", "(BayLDA)"), else the slug
    upper-cased without its country prefix ("gbico" -> "ICO")."""
    for inner in re.findall(r"\(([^()]*)\)", name):
        if _looks_like_acronym(inner):
            return inner.strip()
    without_brackets = re.sub(r"\([^()]*\)", "", name)
    for part in re.split(r"\s+[\u2013\u2014-]\s+", without_brackets):
        if _looks_like_acronym(part):
            return part.strip()
    prefix = country.lower()
    if prefix and slug.startswith(prefix) and len(slug) - len(prefix) >= 2:
        slug = slug[len(prefix) :]
    return slug.upper()


# German Länder (ISO 3166-2:DE suffixes), looked up in an authority's name; order matters:
# "Sachsen-Anhalt" and "Niedersachsen" before "Sachsen".
_LAENDER: tuple[tuple[str, str], ...] = (
    ("Baden-Württemberg", "BW"),
    ("Bayer", "BY"),
    ("Berlin", "BE"),
    ("Brandenburg", "BB"),
    ("Bremen", "HB"),
    ("Hamburg", "HH"),
    ("Hess", "HE"),
    ("Mecklenburg-Vorpommern", "MV"),
    ("Niedersachsen", "NI"),
    ("Nordrhein-Westfalen", "NW"),
    ("Rheinland-Pfalz", "RP"),
    ("Saarland", "SL"),
    ("Sachsen-Anhalt", "ST"),
    ("Sachsen", "SN"),
    ("Sächsisch", "SN"),
    ("Schleswig-Holstein", "SH"),
    ("Thüring", "TH"),
)
# Church and public-broadcasting authorities are not a Land's: no subdivision.
_NOT_A_LAND = re.compile(r"Bistum|Bistümer|Diözes|Katholisch|Kirch|EKD|Rundfunk|Bundes")


def german_subdivision(name: str) -> str:
    """The Land of a German state authority from its name; "" for federal/church/broadcast ones."""
    if _NOT_A_LAND.search(name):
        return ""
    for needle, code in _LAENDER:
        if needle in name:
            return code
    return ""


# --- Parsing records --------------------------------------------------------------------------


def parse_authority(record: dict[str, Any]) -> dict[str, Any]:
    """`Authority` field values from a datenanfragen supervisory-authority record."""
    record = _record_object(record)
    slug = _string(record, "slug", required=True, max_length=_max_length(Authority, "slug"))
    if not _SLUG.match(slug):
        raise RecordError("slug", f"{slug!r} may hold only a-z, 0-9 and '-'")
    countries = _countries(record, min_items=1)
    name = _string(record, "name", required=True, max_length=_max_length(Authority, "name"))
    address = _string(record, "address", required=True)
    sources = _sources(record, min_items=0)
    codes = [code for code in countries if code != "all"]
    country = codes[0].upper() if codes else country_from_address(address)
    if not country:
        raise RecordError("relevant-countries", "names no country and the address names none")
    language = _string(record, "complaint-language", pattern=_LANGUAGE)
    short_name_length = _max_length(Authority, "short_name")
    _string_list(record, "comments")
    return {
        "slug": slug,
        "short_name": derive_short_name(name, slug, country)[:short_name_length],
        "name": name,
        "country": country,
        "subdivision": german_subdivision(name) if country == "DE" else "",
        "address": address,
        "email": _email(record, "email", _max_length(Authority, "email")),
        "phone": _string(record, "phone", max_length=_max_length(Authority, "phone")),
        "complaint_webform": _url_field(
            record, "webform", _max_length(Authority, "complaint_webform")
        ),
        "website": _url_field(record, "web", _max_length(Authority, "website")),
        "complaint_languages": [language] if language else [],
        "sources": sources,
    }


def parse_company(record: dict[str, Any], *, warnings: list[str] | None = None) -> dict[str, Any]:
    """`Vendor` field values from a datenanfragen company record.

    `country` is the first relevant country; for "all" it is read from the address's last line,
    else FALLBACK_COUNTRY with a warning appended to `warnings`.
    """
    record = _record_object(record)
    slug = _string(record, "slug", required=True, max_length=_max_length(Vendor, "slug"))
    if not _SLUG.match(slug):
        raise RecordError("slug", f"{slug!r} may hold only a-z, 0-9 and '-'")
    countries = _countries(record, min_items=1)
    legal_name_length = _max_length(Vendor, "legal_name")
    legal_name = _string(record, "name", required=True, max_length=legal_name_length)
    address = _string(record, "address", required=True)
    sources = _sources(record, min_items=1)
    quality = _string(record, "quality", required=True)
    if quality not in COMPANY_QUALITIES:
        raise RecordError("quality", f"{quality!r} is not one of {', '.join(COMPANY_QUALITIES)}")

    codes = [code for code in countries if code != "all"]
    country = codes[0].upper() if codes else country_from_address(address)
    if not country:
        country = FALLBACK_COUNTRY
        if warnings is not None:
            warnings.append(
                f"relevant-countries: 'all' and no known country on the address's last line; "
                f"assumed {FALLBACK_COUNTRY}"
            )

    email = _email(record, "email", _max_length(Vendor, "email"))
    webform = _url_field(record, "webform", _max_length(Vendor, "webform"))
    medium = _string(record, "suggested-transport-medium")
    channel = _CHANNELS.get(medium) or ("email" if email else "webform" if webform else "post")
    name = common_name(legal_name)[: _max_length(Vendor, "name")]
    _string_list(record, "categories")
    return {
        "slug": slug,
        "name": name,
        "legal_name": legal_name,
        "products": _string_list(record, "runs"),
        "voice_assistant": False,
        "address": address,
        "country": country,
        "subdivision": "",
        "email": email,
        "webform": webform,
        "dpo_contact": "",
        "website": _url_field(record, "web", _max_length(Vendor, "website")),
        "request_language": _string(record, "request-language", pattern=_LANGUAGE) or "en",
        "preferred_channel": channel,
        "notes": "\n\n".join(_string_list(record, "comments")),
        "sources": sources,
    }


# --- Importing a folder -----------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """A record that was skipped, with the file (relative to the imported folder) and field."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    """What `import_directory` did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def count(self, outcome: UpsertOutcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed, {len(self.ignored)} ignored"
        )


def _visible(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return not any(part.startswith(".") or part in SKIPPED_FOLDERS for part in parts[:-1])


def _kind_from_folders(path: Path, root: Path) -> Kind | None:
    """The kind named by the nearest folder between `path` and `root` (inclusive)."""
    for folder in path.parents:
        kind = KIND_FOLDERS.get(folder.name)
        if kind:
            return kind
        if folder == root:
            break
    return None


def discover(root: Path) -> tuple[list[tuple[Path, Kind | None]], list[Path]]:
    """The record files under `root` with their kind (None: decide by content), and ignored ones."""
    if root.is_file():
        return [(root, KIND_FOLDERS.get(root.parent.name))], []
    files = sorted(p for p in root.rglob("*.json") if p.is_file() and _visible(p, root))
    kinds = [(p, _kind_from_folders(p, root)) for p in files]
    if any(kind for _, kind in kinds):
        return [(p, k) for p, k in kinds if k], [p for p, k in kinds if not k]
    return kinds, []


def _differs(obj: models.Model, values: dict[str, Any]) -> bool:
    return any(getattr(obj, name) != value for name, value in values.items())


def _upsert(
    model: type[models.Model],
    slug: str,
    create: dict[str, Any],
    update: dict[str, Any],
    existing: dict[str, Any],
) -> UpsertOutcome:
    """Create or update one row in its own transaction; no write when nothing differs."""
    current = existing.get(slug)
    if current is not None and not _differs(current, update):
        return "unchanged"
    with transaction.atomic():
        obj, created = model.objects.update_or_create(
            slug=slug, defaults=update, create_defaults=create
        )
    existing[slug] = obj
    return "created" if created else "updated"


# Set only when a vendor is created: records carry no DPO or subdivision, and an import never
# decides whether a vendor is a voice assistant (nor its lead authority, which it never sets).
VENDOR_CREATE_ONLY = ("slug", "voice_assistant", "dpo_contact", "subdivision")
# What a curated voice-assistant vendor also keeps when a record with its slug is imported.
CURATED_VENDOR_FIELDS = ("name", "products", "notes")


def _merged(first: list[str], then: list[str]) -> list[str]:
    """`first`, then the items of `then` that it lacks."""
    return first + [item for item in then if item not in first]


def _import_company(values: dict[str, Any], vendors: dict[str, Vendor]) -> UpsertOutcome:
    current = vendors.get(values["slug"])
    create = {k: v for k, v in values.items() if k != "slug"}
    keep = VENDOR_CREATE_ONLY
    if current is not None and current.voice_assistant:
        keep += CURATED_VENDOR_FIELDS
    update = {k: v for k, v in values.items() if k not in keep}
    if current is not None:
        update["sources"] = _merged(values["sources"], current.sources)
    return _upsert(Vendor, values["slug"], create, update, vendors)


def _import_authority(values: dict[str, Any], authorities: dict[str, Authority]) -> UpsertOutcome:
    current = authorities.get(values["slug"])
    create = {k: v for k, v in values.items() if k != "slug"}
    update = {k: v for k, v in create.items() if k != "short_name"}
    if current is not None:
        update["complaint_languages"] = _merged(
            values["complaint_languages"], current.complaint_languages
        )
        update["sources"] = _merged(values["sources"], current.sources)
    return _upsert(Authority, values["slug"], create, update, authorities)


def _kind_from_content(record: dict[str, Any]) -> Kind:
    return "authority" if "complaint-language" in record else "company"


def _records(root: Path, report: ImportReport) -> list[tuple[str, Kind, dict[str, Any]]]:
    """(file name, kind, record) for each record file; unreadable ones go to the report."""
    files, ignored = discover(root)
    base = root.parent if root.is_file() else root
    report.ignored.extend(p.relative_to(base).as_posix() for p in ignored)
    decoded: list[tuple[str, Kind, dict[str, Any]]] = []
    for path, folder_kind in files:
        name = path.relative_to(base).as_posix()
        try:
            record = json.loads(path.read_bytes())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            report.failures.append(Failure(name, "(json)", f"not valid JSON: {exc}"))
            continue
        except OSError as exc:
            report.failures.append(Failure(name, "(file)", f"cannot be read: {exc.strerror}"))
            continue
        if not isinstance(record, dict):
            message = f"must be a JSON object, not {type(record).__name__}"
            report.failures.append(Failure(name, "(record)", message))
            continue
        if folder_kind is None and "$schema" in record:
            report.ignored.append(name)
            continue
        decoded.append((name, folder_kind or _kind_from_content(record), record))
    # Authorities first, then companies; each in file-name order.
    decoded.sort(key=lambda item: (item[1] != "authority", item[0]))
    return decoded


def import_directory(path: Path) -> ImportReport:
    """Upsert every datenanfragen record under `path`; bad records are reported and skipped."""
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(root)
    report = ImportReport()
    authorities = {a.slug: a for a in Authority.objects.all()}
    vendors = {v.slug: v for v in Vendor.objects.all()}
    for name, kind, record in _records(root, report):
        warnings: list[str] = []
        try:
            if kind == "authority":
                outcome = _import_authority(parse_authority(record), authorities)
            else:
                outcome = _import_company(parse_company(record, warnings=warnings), vendors)
        except RecordError as exc:
            report.failures.append(Failure(name, exc.field, exc.message))
            continue
        except DatabaseError as exc:
            report.failures.append(Failure(name, "(database)", str(exc).strip()))
            continue
        report.warnings.extend(f"{name}: {warning}" for warning in warnings)
        report.count(outcome)
    return report


def failures_text(failures: Iterable[Failure]) -> str:
    """One "FILE: field: message" line per failure."""
    return "\n".join(str(failure) for failure in failures)
