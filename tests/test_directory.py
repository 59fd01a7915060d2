"""The directory: shipped reference data (`load_reference`) and datenanfragen imports."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.directory_import import (
    RecordError,
    common_name,
    derive_short_name,
    import_directory,
    parse_authority,
    parse_company,
)
from cases.models import Authority, Vendor
from cases.reference_data import load_reference

# A copy of the public-domain (CC0) datenanfragen.de records, shipped with the tests.
SNAPSHOT = Path(__file__).resolve().parent / "data" / "datenanfragen"

pytestmark = pytest.mark.django_db


# --- Fixture records, written by the tests themselves -------------------------------------------


def company(slug: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "slug": slug,
        "relevant-countries": ["de"],
        "name": f"{slug.title()} GmbH",
        "address": "Musterstraße 1\n10115 Berlin\nDeutschland",
        "email": f"privacy@{slug}.example",
        "web": f"https://www.{slug}.example/",
        "sources": [f"https://www.{slug}.example/privacy"],
        "quality": "verified",
    }
    record.update(fields)
    return record


def authority(slug: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "slug": slug,
        "relevant-countries": ["de"],
        "name": "Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit",
        "address": "Ludwig-Erhard-Str 22, 7. OG\n20459 Hamburg\nDeutschland",
        "email": "mailbox@datenschutz.hamburg.de",
        "webform": "https://datenschutz-hamburg.de/beschwerde/",
        "web": "https://datenschutz-hamburg.de/",
        "sources": ["https://datenschutz-hamburg.de/pages/dienststelle/"],
        "complaint-language": "de",
    }
    record.update(fields)
    return record


def write(folder: Path, name: str, content: dict[str, Any] | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def good_folder(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    write(root / "companies", "acme.json", company("acme"))
    write(
        root / "companies",
        "globex.json",
        company(
            "globex",
            **{
                "relevant-countries": ["all"],
                "name": "Globex Ireland Limited",
                "address": "1 Main Street\nDublin 2\nIreland",
                "request-language": "de",
                "suggested-transport-medium": "webform",
                "webform": "https://www.globex.example/privacy-request",
                "comments": ["Answers slowly."],
            },
        ),
    )
    write(root / "supervisory-authorities", "dehmbbfdi.json", authority("dehmbbfdi"))
    write(root, "schema.json", {"$schema": "http://json-schema.org/draft-07/schema#"})
    return root


def snapshot() -> list[dict[str, Any]]:
    rows = list(Authority.objects.order_by("slug").values())
    rows += list(Vendor.objects.order_by("slug").values())
    return rows


def writes(queries: CaptureQueriesContext) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(verbs)
    ]


# --- Shipped reference data ---------------------------------------------------------------------


def test_loading_the_reference_twice_gives_the_same_rows_and_writes_nothing_again() -> None:
    first = load_reference()
    assert (first.created, first.updated, first.unchanged) == (64, 0, 0)
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        second = load_reference()

    assert (second.created, second.updated, second.unchanged) == (0, 0, 64)
    assert writes(queries) == []
    assert snapshot() == before
    assert Authority.objects.count() == 57
    assert Vendor.objects.count() == 7


def test_loading_the_reference_puts_back_a_value_someone_changed() -> None:
    load_reference()
    Authority.objects.filter(slug="frcnil").update(short_name="X")

    report = load_reference()

    assert (report.created, report.updated) == (0, 1)
    assert Authority.objects.get(slug="frcnil").short_name == "CNIL"


def test_the_57_authorities_are_there_with_upper_case_countries() -> None:
    load_reference()
    countries = list(Authority.objects.values_list("country", flat=True))
    assert len(countries) == 57
    assert all(len(code) == 2 and code == code.upper() for code in countries)
    assert {"FR", "LU", "IE", "DE", "GB", "NO", "CH"} <= set(countries)


def test_german_state_authorities_carry_their_land_and_church_ones_none() -> None:
    load_reference()
    subdivisions = dict(Authority.objects.filter(country="DE").values_list("slug", "subdivision"))
    assert subdivisions["dehmbbfdi"] == "HH"
    assert subdivisions["debaylda"] == "BY"
    assert subdivisions["deberlbdi"] == "BE"
    assert subdivisions["denrwldi"] == "NW"
    assert subdivisions["desalbd"] == "ST"
    assert subdivisions["desaechsdsb"] == "SN"
    assert subdivisions["debfdi"] == ""
    assert subdivisions["dekathnordddsb"] == ""
    assert subdivisions["derf"] == ""


def test_cnil_takes_complaints_in_french() -> None:
    load_reference()
    cnil = Authority.objects.get(short_name="CNIL")
    assert cnil.country == "FR"
    assert cnil.complaint_languages == ["fr"]
    assert cnil.complaint_language == "fr"


def test_authorities_follow_legal_md_on_languages_and_addresses() -> None:
    load_reference()
    cnpd = Authority.objects.get(slug="lucnpd")
    assert cnpd.short_name == "CNPD"
    assert cnpd.complaint_languages == ["fr", "de", "en"]
    assert cnpd.address.startswith("15 Boulevard du Jazz\nL-4370 Belvaux")
    assert Authority.objects.get(slug="iedpc").complaint_languages == ["en", "ga"]
    assert Authority.objects.get(slug="beapd").complaint_languages == ["fr", "nl", "de"]
    assert Authority.objects.get(slug="beapd").short_name == "APD/GBA"


# An English gloss after a foreign name: "(Czech Office for Personal Data Protection)",
# "(... Data Protection Authority)", "(... of Malta)".
ENGLISH_GLOSS = re.compile(
    r"\([^()]*(?:Data Protection|Authority|Office|Commission|Inspectorate|Commissioner"
    r"|Agency|Ombudsman| of [A-Z][a-z]+)[^()]*\)"
)


def test_no_authority_name_carries_an_english_gloss_in_brackets() -> None:
    load_reference()
    glossed = [
        (slug, name)
        for slug, name in Authority.objects.values_list("slug", "name")
        if ENGLISH_GLOSS.search(name)
    ]
    assert glossed == []


def test_the_dpc_and_the_cnpd_go_by_their_official_names_with_the_gender_letters_need() -> None:
    load_reference()
    dpc = Authority.objects.get(slug="iedpc")
    cnpd = Authority.objects.get(slug="lucnpd")
    assert dpc.name == "Data Protection Commission"
    assert cnpd.name == "Commission nationale pour la protection des données"
    assert dpc.name_gender == {"fr": "f", "de": "f"}
    assert cnpd.name_gender == {"fr": "f", "de": "f"}
    assert Authority.objects.get(slug="frcnil").name_gender == {"fr": "f", "de": "f"}
    assert Authority.objects.get(slug="beapd").name_gender == {"fr": "f"}


def test_names_that_begin_with_an_article_or_decline_have_no_gender() -> None:
    """German letters put an article before a name only where the name stays as it is."""
    load_reference()
    for authority in Authority.objects.filter(country="DE"):
        assert "de" not in authority.name_gender, authority.slug
    assert Authority.objects.get(slug="chedoeb").name_gender == {}


def test_loading_the_reference_again_corrects_an_existing_install() -> None:
    load_reference()
    Authority.objects.filter(slug="iedpc").update(
        name="Irish Data Protection Commission", name_gender={}
    )
    Vendor.objects.filter(slug="samsung-bixby").update(subdivision="", countries=["DE"])

    load_reference()

    dpc = Authority.objects.get(slug="iedpc")
    assert (dpc.name, dpc.name_gender) == ("Data Protection Commission", {"fr": "f", "de": "f"})
    samsung = Vendor.objects.get(slug="samsung-bixby")
    assert (samsung.subdivision, samsung.countries) == ("ENG", [])


def test_irish_addresses_carry_their_eircode() -> None:
    load_reference()
    eircodes = {
        "google-assistant": "D04 E5W5",
        "apple-siri": "T23 YK84",
        "microsoft-cortana": "D18 P521",
        "meta-ai": "D04 X2K5",
    }
    for slug, eircode in eircodes.items():
        assert eircode in Vendor.objects.get(slug=slug).address.splitlines(), slug
    dpc = Authority.objects.get(slug="iedpc")
    assert dpc.address == "21 Fitzwilliam Square South\nDublin 2\nD02 RD28\nIreland"


@pytest.mark.parametrize(
    ("slug", "name", "country", "lead"),
    [
        ("amazon-alexa", "Amazon", "LU", "lucnpd"),
        ("google-assistant", "Google", "IE", "iedpc"),
        ("apple-siri", "Apple", "IE", "iedpc"),
        ("microsoft-cortana", "Microsoft", "IE", "iedpc"),
        ("samsung-bixby", "Samsung", "GB", None),
        ("samsung-bixby-de", "Samsung", "GB", None),
        ("meta-ai", "Meta", "IE", "iedpc"),
    ],
)
def test_each_voice_assistant_vendor_has_its_lead_authority(
    slug: str, name: str, country: str, lead: str | None
) -> None:
    load_reference()
    vendor = Vendor.objects.select_related("lead_authority").get(slug=slug)
    assert vendor.voice_assistant
    assert vendor.country == country
    assert name in str(vendor)
    if lead is None:
        assert vendor.lead_authority is None
        assert "lead authority" in vendor.notes.lower()
    else:
        assert vendor.lead_authority is not None
        assert vendor.lead_authority.slug == lead


def test_the_shipped_vendors_can_be_written_to() -> None:
    load_reference()
    for vendor in Vendor.objects.all():
        assert vendor.email or vendor.webform, vendor.slug
        assert vendor.preferred_channel in {"email", "webform", "post"}
        contact = vendor.email if vendor.preferred_channel == "email" else vendor.webform
        assert contact, vendor.slug


def test_load_reference_command_reports_what_it_did() -> None:
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    assert "64 created" in out.getvalue()


# --- Parsing single records ---------------------------------------------------------------------


def test_a_company_record_becomes_vendor_fields() -> None:
    values = parse_company(company("acme"))
    assert values["name"] == "Acme"
    assert values["legal_name"] == "Acme GmbH"
    assert values["country"] == "DE"
    assert values["voice_assistant"] is False
    assert values["request_language"] == "en"
    assert values["preferred_channel"] == "email"


def test_a_company_for_all_countries_takes_its_country_from_the_address() -> None:
    record = company("globex", **{"relevant-countries": ["all"], "address": "Hollyhill\nIreland"})
    assert parse_company(record)["country"] == "IE"


def test_an_unknown_country_for_all_countries_falls_back_with_a_warning() -> None:
    record = company("nowhere", **{"relevant-countries": ["all"], "address": "Somewhere\nAtlantis"})
    warnings: list[str] = []
    assert parse_company(record, warnings=warnings)["country"] == "DE"
    assert warnings and "relevant-countries" in warnings[0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"quality": None}, "quality"),
        ({"sources": None}, "sources"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"relevant-countries": "de"}, "relevant-countries"),
        ({"relevant-countries": [49]}, "relevant-countries"),
        ({"relevant-countries": ["deu"]}, "relevant-countries"),
        ({"relevant-countries": []}, "relevant-countries"),
        ({"email": "not-an-address"}, "email"),
        ({"web": "www.example.com"}, "web"),
        ({"webform": "javascript:alert(1)"}, "webform"),
        ({"sources": ["not a url"]}, "sources"),
        ({"quality": "excellent"}, "quality"),
        ({"name": 7}, "name"),
        ({"request-language": "english"}, "request-language"),
    ],
)
def test_a_malformed_company_record_names_the_field_at_fault(
    change: dict[str, Any], field: str
) -> None:
    record = company("acme")
    for key, value in change.items():
        if value is None:
            del record[key]
        else:
            record[key] = value
    with pytest.raises(RecordError) as error:
        parse_company(record)
    assert error.value.field == field


def test_an_authority_record_becomes_authority_fields() -> None:
    values = parse_authority(authority("dehmbbfdi"))
    assert values["country"] == "DE"
    assert values["subdivision"] == "HH"
    assert values["complaint_languages"] == ["de"]
    assert values["short_name"] == "HMBBFDI"


def test_an_authority_record_needs_an_address() -> None:
    record = authority("dehmbbfdi")
    del record["address"]
    with pytest.raises(RecordError) as error:
        parse_authority(record)
    assert error.value.field == "address"


def test_a_record_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(RecordError):
        parse_company(["not", "a", "record"])  # type: ignore[arg-type]


def test_short_names_come_from_acronyms_in_the_name_or_the_slug() -> None:
    cnil = "Commission Nationale de l'Informatique et des Libertés \u2013 CNIL (French ...)"
    assert derive_short_name(cnil, "frcnil", "FR") == "CNIL"
    assert derive_short_name("Bayerisches Landesamt (BayLDA)", "debaylda", "DE") == "BayLDA"
    assert derive_short_name("Katholisches Datenschutzzentrum (KdöR)", "dekathdsz") == "DEKATHDSZ"
    assert derive_short_name("The Information Commissioner's Office", "gbico", "GB") == "ICO"


def test_common_names_drop_the_legal_form() -> None:
    assert common_name("Google LLC") == "Google"
    assert common_name("Huawei Technologies Co. Ltd.") == "Huawei Technologies"
    assert common_name("Spotify AB") == "Spotify"


# --- Importing folders --------------------------------------------------------------------------


def test_importing_good_records_creates_vendors_and_authorities(good_folder: Path) -> None:
    report = import_directory(good_folder)

    assert (report.created, report.updated, report.unchanged, report.failed) == (3, 0, 0, 0)
    assert report.ignored == ["schema.json"]
    acme = Vendor.objects.get(slug="acme")
    assert (acme.name, acme.legal_name, acme.country) == ("Acme", "Acme GmbH", "DE")
    assert acme.voice_assistant is False
    assert acme.lead_authority is None
    globex = Vendor.objects.get(slug="globex")
    assert (globex.country, globex.request_language) == ("IE", "de")
    assert globex.preferred_channel == "webform"
    assert globex.notes == "Answers slowly."
    hamburg = Authority.objects.get(slug="dehmbbfdi")
    assert (hamburg.country, hamburg.subdivision) == ("DE", "HH")


def test_importing_the_same_records_again_changes_nothing(good_folder: Path) -> None:
    import_directory(good_folder)
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        report = import_directory(good_folder)

    assert (report.created, report.updated, report.unchanged, report.failed) == (0, 0, 3, 0)
    assert writes(queries) == []
    assert snapshot() == before


def test_a_changed_record_updates_its_row(good_folder: Path) -> None:
    import_directory(good_folder)
    write(good_folder / "companies", "acme.json", company("acme", email="dpo@acme.example"))

    report = import_directory(good_folder)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Vendor.objects.get(slug="acme").email == "dpo@acme.example"


def test_bad_records_are_reported_with_file_and_field_and_skipped(good_folder: Path) -> None:
    companies = good_folder / "companies"
    nameless = company("nameless")
    del nameless["name"]
    write(companies, "nameless.json", nameless)
    write(companies, "bad-country.json", company("bad-country", **{"relevant-countries": "de"}))
    write(companies, "broken.json", '{"slug": "broken", ')
    write(companies, "bad-email.json", company("bad-email", email="privacy at example"))

    report = import_directory(good_folder)

    assert {(f.file, f.field) for f in report.failures} == {
        ("companies/nameless.json", "name"),
        ("companies/bad-country.json", "relevant-countries"),
        ("companies/broken.json", "(json)"),
        ("companies/bad-email.json", "email"),
    }
    assert (report.created, report.failed) == (3, 4)
    assert set(Vendor.objects.values_list("slug", flat=True)) == {"acme", "globex"}


def test_the_import_command_lists_failures_on_stderr_and_exits_with_1(good_folder: Path) -> None:
    write(good_folder / "companies", "bad-email.json", company("bad-email", email="nope"))
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(SystemExit) as exit_:
        call_command("import_directory", str(good_folder), stdout=out, stderr=err)

    assert exit_.value.code == 1
    assert "companies/bad-email.json: email: " in err.getvalue()
    assert "3 created" in out.getvalue()
    assert "1 failed" in out.getvalue()
    assert Vendor.objects.filter(slug="acme").exists()


def test_the_import_command_exits_quietly_when_all_records_load(good_folder: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_directory", str(good_folder), stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert "0 failed" in out.getvalue()


def test_the_import_command_refuses_a_path_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("import_directory", str(tmp_path / "missing"))


def test_an_import_never_clobbers_a_curated_voice_assistant_vendor(tmp_path: Path) -> None:
    load_reference()
    record = company(
        "amazon-alexa",
        name="Amazon Europe Core SARL",
        address="38 avenue John F. Kennedy\nL-1855, Luxembourg\nLuxembourg",
        email="eu-privacy@amazon.fr",
        runs=["amazon.fr"],
        **{"relevant-countries": ["fr"]},
    )
    write(tmp_path / "companies", "amazon-alexa.json", record)

    report = import_directory(tmp_path / "companies")

    assert (report.updated, report.failed) == (1, 0)
    alexa = Vendor.objects.get(slug="amazon-alexa")
    assert alexa.voice_assistant is True
    assert alexa.lead_authority is not None and alexa.lead_authority.slug == "lucnpd"
    assert alexa.name == "Amazon"
    assert alexa.products == ["Alexa", "Echo"]
    assert alexa.email == "eu-privacy@amazon.fr"


def test_an_import_keeps_an_authoritys_curated_short_name_and_languages(tmp_path: Path) -> None:
    load_reference()
    record = authority(
        "lucnpd",
        name="Commission nationale pour la protection des données",
        address="15, Boulevard du Jazz\nL-4370 Belvaux\nLuxembourg",
        **{"relevant-countries": ["lu"]},
    )
    del record["complaint-language"]
    write(tmp_path / "supervisory-authorities", "lucnpd.json", record)

    report = import_directory(tmp_path)

    assert (report.updated, report.failed) == (1, 0)
    cnpd = Authority.objects.get(slug="lucnpd")
    assert cnpd.short_name == "CNPD"
    assert cnpd.complaint_languages == ["fr", "de", "en"]


def test_a_flat_folder_tells_authorities_from_companies_by_their_content(tmp_path: Path) -> None:
    write(tmp_path, "acme.json", company("acme"))
    write(tmp_path, "dehmbbfdi.json", authority("dehmbbfdi"))
    write(tmp_path, "schema.json", {"$schema": "http://json-schema.org/draft-07/schema#"})

    report = import_directory(tmp_path)

    assert (report.created, report.failed, report.ignored) == (2, 0, ["schema.json"])
    assert Vendor.objects.filter(slug="acme").exists()
    assert Authority.objects.filter(slug="dehmbbfdi").exists()


def test_the_whole_datenanfragen_snapshot_imports_without_failures() -> None:
    report = import_directory(SNAPSHOT)

    assert report.failures == []
    assert report.created == 57 + 14
    assert Authority.objects.count() == 57
    assert Vendor.objects.count() == 14
    assert Vendor.objects.get(slug="apple").country == "IE"
    assert Authority.objects.get(slug="frcnil").complaint_languages == ["fr"]
