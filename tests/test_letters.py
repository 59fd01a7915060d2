# French letters use typographic apostrophes and dashes.
# ruff: noqa: RUF001
"""Letters: what each kind says in each language, how it is rendered, who may fetch it, and the
clocks that sending it starts.

The 12 kind x language PDFs are rendered once per module (`rendered`) from one case that has
everything a letter can mention: a late and incomplete answer, a reminder whose 14 days ran out,
a misdirected export and an undisclosed review, and evidence files.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import formats, translation
from pypdf import PdfReader

from cases import deadlines, services
from cases.exceptions import CaseError
from cases.facts import breach_notice_due
from cases.letters.compose import access_request_text, letter_html
from cases.letters.parts import place_of
from cases.letters.phrases import DEADLINES, GROUNDS, INCIDENTS, ITEMS, cite
from cases.letters.recipients import suggested_authorities
from cases.letters.render import LetterHTML, html_to_text, render_pdf
from cases.letters.rules import letter_incident
from cases.models import (
    Deadline,
    DeadlineKind,
    EventKind,
    Letter,
    LetterKind,
    LetterStatus,
    Status,
)
from cases.views.letters_panel import authority_letter_panel, letter_row, mailto_link
from tests.factories import (
    AuthorityFactory,
    CaseFactory,
    EvidenceFactory,
    OrganisationFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
LETTER_DAY = date(2027, 10, 26)
# Letters about the person's own case; the breach report has its own tests (test_letter_truth.py).
KINDS = [k.value for k in LetterKind if k != LetterKind.BREACH_REPORT]
LANGS = ["en", "fr", "de"]
MISSING = ["annotations", "recipients", "retention"]
CNPD_ADDRESS = "15, Boulevard du Jazz\nL-4370 Belvaux\nLuxembourg"
VENDOR_ADDRESS = "38 avenue John F. Kennedy\nL-1855 Luxembourg"


def at(day: date, hour: int = 12):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=BRUSSELS))


def words(text: str) -> str:
    """Text with every run of white space made one space: line breaks fall anywhere."""
    return " ".join(text.split())


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def long_date(day: date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


@dataclass
class Rich:
    """A case with everything a letter can mention, and the rows tests look at."""

    case: object
    cnpd: object
    export: object
    review: object
    evidence: list


def build_rich_case(*, organisation=None) -> Rich:
    """Anna asked Amazon on 31 August 2027 (due 30 September); the answer came late on 5 October
    and lacked three items; she found a misdirected export and an undisclosed review, reminded
    Amazon on 8 October (14 days: 22 October) and heard nothing more."""
    cnpd = AuthorityFactory(slug="lucnpd", short_name="CNPD", address=CNPD_ADDRESS)
    amazon = VendorFactory(
        slug="amazon",
        name="Amazon",
        legal_name="Amazon Europe Core S.à r.l.",
        products=["Alexa", "Echo"],
        address=VENDOR_ADDRESS,
        lead_authority=cnpd,
        request_language="en",
    )
    anna = UserFactory(email="anna@example.org", full_name="Anna Müller")
    case = CaseFactory(
        requester=anna,
        vendor=amazon,
        requester_name="Anna Müller",
        organisation=organisation,
        account_identifiers="Customer ID A1B2C3",
        device_serials="G090LF1234567890",
        vendor_reference="AMZ-2027-0815",
        status=Status.DRAFT,
    )
    with at(date(2027, 8, 31)):
        services.case_mark_sent(case=case, actor=anna, sent_on=date(2027, 8, 31), channel="email")
    with at(date(2027, 10, 5)):
        services.case_record_response(
            case=case, actor=anna, received_on=date(2027, 10, 5), missing_items=MISSING
        )
    with at(date(2027, 10, 7)):
        export = services.incident_record(
            case=case,
            actor=anna,
            kind="misdirected_export",
            occurred_on=date(2027, 10, 5),
            discovered_on=date(2027, 10, 6),
            records_affected=1700,
            data_categories=["audio recordings", "transcripts"],
            description="The download held 1,700 WAV files of a stranger.",
        )
        review = services.incident_record(
            case=case,
            actor=anna,
            kind="undisclosed_review",
            discovered_on=date(2027, 10, 7),
            description="Contractors listened to the recordings.",
        )
        evidence = [
            EvidenceFactory(case=case, incident=export, original_name=f"export-{i}.zip")
            for i in range(2)
        ]
    with at(date(2027, 10, 8)):
        services.case_record_reminder_sent(case=case, actor=anna, sent_on=date(2027, 10, 8))
    with at(LETTER_DAY):
        services.deadlines_refresh(case=case)
    case.refresh_from_db()
    return Rich(case, cnpd, export, review, evidence)


def ready(letter: Letter) -> Letter:
    """Mark a letter rendered without rendering it, for tests about what comes after."""
    Letter.objects.filter(pk=letter.pk).update(status=LetterStatus.READY)
    letter.refresh_from_db()
    return letter


def ask(rich: Rich, kind: str, language: str | None = None, **extra) -> Letter:
    extra.setdefault("authority", rich.cnpd if kind == LetterKind.COMPLAINT else None)
    if kind == LetterKind.INCIDENT_NOTICE:
        extra.setdefault("incident", rich.export)
    return services.letter_request(
        case=rich.case, actor=rich.case.requester, kind=kind, language=language, **extra
    )


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory):
    """Each kind in each language rendered once: {(kind, language): (pdf, text)}, plus the facts
    the letters should state."""
    out: dict = {}
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        rich = build_rich_case()
        with at(LETTER_DAY):
            for kind in KINDS:
                for language in LANGS:
                    letter = ask(rich, kind, language)
                    pdf = render_pdf(letter_html(letter))
                    out[kind, language] = (pdf, pdf_text(pdf))
            org = OrganisationFactory(name="Privacy Action Luxembourg")
            rich.case.organisation = org
            rich.case.save(update_fields=["organisation"])
            letter = ask(rich, LetterKind.COMPLAINT, "en")
            pdf = render_pdf(letter_html(letter))
            out["org", "en"] = (pdf, pdf_text(pdf))
            for language in ("fr", "de"):  # the words only: no need for two more PDFs
                letter = ask(rich, LetterKind.COMPLAINT, language)
                out["org", language] = (b"", html_to_text(letter_html(letter)))
        out["sha256"] = [e.sha256 for e in rich.evidence]
        transaction.set_rollback(True)
    return out


# --- What each letter says ---------------------------------------------------------------------

ARTICLES = {
    ("access_request", "en"): [
        "Article 15",
        "Art. 15(3)",
        "Art. 12(3)",
        "Art. 12(4)",
        "Art. 12(6)",
    ],
    ("access_request", "fr"): [
        "l’article 15",
        "article 15, paragraphe 3",
        "article 12, paragraphe 3",
        "article 12, paragraphe 4",
        "article 12, paragraphe 6",
    ],
    ("access_request", "de"): ["Art. 15", "Art. 15 Abs. 3", "Art. 12 Abs. 3", "Art. 12 Abs. 6"],
    ("reminder", "en"): ["Article 15", "Article 77", "Art. 15(1)(c)"],
    ("reminder", "fr"): ["article 15", "article 77", "art. 15, paragraphe 1, point c)"],
    ("reminder", "de"): ["Art. 15 DSGVO", "Art. 77 DSGVO", "Art. 15 Abs. 1 lit. c"],
    ("incident_notice", "en"): ["Article 4(12)", "Art. 33(1)", "Art. 34(1)", "Art. 5(1)(f)"],
    ("incident_notice", "fr"): [
        "article 4, point 12)",
        "article 33, paragraphe 1",
        "article 34, paragraphe 1",
        "article 5, paragraphe 1, point f)",
    ],
    ("incident_notice", "de"): ["Art. 4 Nr. 12", "Art. 33 Abs. 1", "Art. 34 Abs. 1"],
    ("complaint", "en"): [
        "Article 77",
        "Art. 12(3) GDPR",
        "Art. 58(2)(c)",
        "Article 78(2)",
        "Art. 4(12), Art. 5(1)(f), Art. 32, Art. 33, Art. 34 GDPR",
        "Art. 5(1)(a), Art. 6(1), Art. 12(1), Art. 13, Art. 14 GDPR",
    ],
    ("complaint", "fr"): [
        "article 77",
        "art. 12, paragraphe 3, du RGPD",
        "article 58, paragraphe 2, point c)",
        "article 78, paragraphe 2",
        "art. 4, point 12) ; art. 5, paragraphe 1, point f) ; art. 32 ; art. 33 ; art. 34 du RGPD",
    ],
    ("complaint", "de"): [
        "Art. 77",
        "Art. 12 Abs. 3 DSGVO",
        "Art. 58 Abs. 2 lit. c",
        "Art. 78 Abs. 2",
        "Art. 4 Nr. 12, Art. 5 Abs. 1 lit. f, Art. 32",  # a page may break before Art. 33
    ],
}


def expected_facts(kind: str, language: str) -> list[str]:
    facts = [long_date(LETTER_DAY, language), "38 avenue John F. Kennedy", "L-1855 Luxembourg"]
    facts += ARTICLES[kind, language]
    sent, due = long_date(date(2027, 8, 31), language), long_date(date(2027, 9, 30), language)
    if kind == "access_request":
        facts += ["Customer ID A1B2C3", "G090LF1234567890", "Anna Müller"]
    if kind in ("reminder", "complaint"):
        facts += [sent, due]
    if kind == "complaint":
        facts += ["15, Boulevard du Jazz", "L-4370 Belvaux"]
        facts += [ITEMS[language][item] for item in MISSING]
        facts += [cite(["15(1)(d)"], language)]
    if kind == "reminder":
        reply_by = deadlines.admonition_due(LETTER_DAY, country="LU")
        facts += [long_date(reply_by, language), long_date(date(2027, 10, 22), language)]
    if kind == "incident_notice":
        facts += [
            INCIDENTS[language]["misdirected_export"],
            "The download held 1,700 WAV files of a stranger.",
            {"en": "1,700", "fr": "1\u202f700", "de": "1.700"}[language],
            long_date(date(2027, 10, 5), language),
            long_date(date(2027, 10, 6), language),
        ]
    if kind == "complaint":
        facts += [INCIDENTS[language][k] for k in ("misdirected_export", "undisclosed_review")]
        facts += [
            "Commission nationale pour la protection des données",
            long_date(date(2027, 10, 22), language),  # the reminder's 14 days
            long_date(date(2027, 10, 5), language),
            "Contractors listened to the recordings.",
            "export-0.zip",
        ]
    return facts


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_each_letter_states_its_facts_articles_and_dates_in_its_language(rendered, kind, language):
    _, text = rendered[kind, language]
    flat = words(text)
    missing = [fact for fact in expected_facts(kind, language) if words(fact) not in flat]
    assert missing == [], f"{kind}/{language} lacks {missing}"


@pytest.mark.parametrize("language", LANGS)
def test_a_complaint_lists_each_evidence_file_with_its_sha256(rendered, language):
    _, text = rendered["complaint", language]
    squeezed = re.sub(r"\s+", "", text)
    for sha in rendered["sha256"]:
        assert sha in squeezed


@pytest.mark.parametrize("language", LANGS)
def test_a_complaint_lists_each_file_once_and_gives_one_ground_for_all_missing_items(
    rendered, language
):
    flat = words(rendered["complaint", language][1])
    for name in ("export-0.zip", "export-1.zip"):
        assert flat.count(name) == 1, name  # the enclosures point to the evidence list
    assert flat.count(words(GROUNDS[language]["items"][0])) == 1
    # annotations 15(3), recipients 15(1)(c), retention 15(1)(d): cited together, in order
    assert words(cite(["15(1)(c)", "15(1)(d)", "15(3)"], language)) in flat


def font_names(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def test_letters_are_laid_out_with_their_own_user_agent_stylesheet(monkeypatch):
    """LetterHTML swaps WeasyPrint's user-agent stylesheet through a private hook: if an upgrade
    renamed the hook, this fails instead of letters silently losing their defaults."""
    calls = []
    original = LetterHTML._ua_stylesheets

    def spy(self, forms=False):
        calls.append(forms)
        return original(self, forms)

    monkeypatch.setattr(LetterHTML, "_ua_stylesheets", spy)
    pdf = render_pdf(
        "<html><head><title>Hidden title</title><style>p { color: red }</style></head>"
        "<body><h2>Heading</h2><p>Body <strong>text</strong></p></body></html>"
    )
    assert calls, "WeasyPrint no longer asks HTML._ua_stylesheets"
    text = pdf_text(pdf)
    assert "Heading" in text and "Body text" in text
    assert "Hidden title" not in text and "color" not in text  # the head stays hidden
    assert any("Bold" in name for name in font_names(pdf))  # headings and strong are bold


@pytest.mark.parametrize("language", LANGS)
def test_a_complaint_does_not_claim_a_missed_extension_notice_when_none_was_sent(
    rendered, language
):
    _, text = rendered["complaint", language]
    label = DEADLINES[language]["extension_notice"]
    assert words(label) not in words(text)


def test_a_complaint_filed_by_an_organisation_carries_the_article_80_mandate(rendered):
    en = words(rendered["org", "en"][1])
    assert "Privacy Action Luxembourg" in en
    assert "on behalf of Anna Müller" in en
    assert "Mandate (Art. 80(1) GDPR)" in en
    assert "Articles 77 and 78 GDPR" in en
    assert "Beauftragung (Art. 80 Abs. 1 DSGVO)" in words(rendered["org", "de"][1])
    assert "Mandat (article 80, paragraphe 1, du RGPD)" in words(rendered["org", "fr"][1])
    assert "Art. 80" not in words(rendered["complaint", "en"][1])


def test_every_letter_numbers_its_pages(rendered):
    for key, (pdf, text) in rendered.items():
        if key == "sha256" or not pdf:
            continue
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        assert re.search(rf"\b1 / {pages}\b", text), key
        assert re.search(rf"\b{pages} / {pages}\b", text), key
    assert len(PdfReader(io.BytesIO(rendered["complaint", "en"][0])).pages) >= 2


def test_every_letter_embeds_its_dejavu_fonts(rendered):
    for key in [(kind, language) for kind in KINDS for language in LANGS]:
        reader = PdfReader(io.BytesIO(rendered[key][0]))
        fonts = {}
        for page in reader.pages:
            for ref in page["/Resources"]["/Font"].values():
                font = ref.get_object()
                if "/DescendantFonts" in font:
                    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                else:
                    descriptor = font["/FontDescriptor"]
                fonts[str(font["/BaseFont"])] = set(descriptor.get_object().keys())
        assert fonts, key
        for base_font, entries in fonts.items():
            assert "DejaVu" in base_font, (key, base_font)
            assert entries & {"/FontFile", "/FontFile2", "/FontFile3"}, (key, base_font)


# --- Plain text and e-mail -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGS)
def test_the_access_request_comes_as_plain_text_too(language):
    case = CaseFactory(
        requester_name="Anna Müller", device_serials="G090LF1234567890", vendor__name="Amazon"
    )
    letter = services.letter_request(
        case=case, actor=case.requester, kind="access_request", language=language
    )
    subject, body = access_request_text(letter)
    assert "15" in subject and "Amazon" in subject
    assert "G090LF1234567890" in body and "Anna Müller" in body
    assert "<" not in body and "&" not in body  # text, not HTML
    assert {"en": "Art. 12(3)", "fr": "article 12, paragraphe 3", "de": "Art. 12 Abs. 3"}[
        language
    ] in body


def test_a_mailto_link_carries_the_body_while_it_is_short_enough():
    link = mailto_link("privacy@example.com", "Access request – Alexa", "Hello\nMe")
    assert link == (
        "mailto:privacy@example.com?subject=Access%20request%20%E2%80%93%20Alexa&body=Hello%0D%0AMe"
    )


def test_a_mailto_link_leaves_out_a_body_that_would_make_it_too_long():
    link = mailto_link("privacy@example.com", "Access request", "x" * 2000)
    assert link == "mailto:privacy@example.com?subject=Access%20request"
    assert len(link) < 1800


@pytest.mark.django_db
def test_the_case_page_offers_the_access_request_as_an_e_mail_to_the_vendor(client):
    case = CaseFactory(vendor__email="privacy@amazon.example", vendor__name="Amazon")
    letter = services.letter_request(case=case, actor=case.requester, kind="access_request")
    client.force_login(case.requester)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'href="mailto:privacy@amazon.example?subject=' in page
    text = client.get(reverse("cases:letter_text", args=[case.pk, letter.pk]))
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert "Art. 15" in text.content.decode()


# --- Rendering and versions --------------------------------------------------------------------


@pytest.fixture
def rich(db):
    return build_rich_case()


@pytest.mark.django_db
def test_a_requested_letter_is_queued_enqueued_after_commit_then_rendered_ready(
    rich, django_capture_on_commit_callbacks
):
    with at(LETTER_DAY), django_capture_on_commit_callbacks() as callbacks:
        letter = ask(rich, "complaint")
    assert letter.status == LetterStatus.QUEUED and letter.version == 1
    # Anna's own language is English, which the CNPD accepts (it takes fr, de, en).
    assert letter.language == "en"
    assert len(callbacks) == 1
    event = rich.case.events.get(kind=EventKind.LETTER_GENERATED)
    assert event.data["letter_id"] == letter.pk and event.data["authority_id"] == rich.cnpd.pk

    assert services.letter_render(letter_id=letter.pk) is True
    letter.refresh_from_db()
    assert letter.status == LetterStatus.READY and letter.rendered_at is not None
    pdf = letter.pdf.read()
    assert pdf.startswith(b"%PDF")
    import hashlib

    assert letter.sha256 == hashlib.sha256(pdf).hexdigest()
    assert "Complaint under Article 77 GDPR" in letter.rendered_text


@pytest.mark.django_db
def test_rendering_a_ready_letter_again_does_nothing(rich):
    letter = ask(rich, "access_request")
    assert services.letter_render(letter_id=letter.pk) is True
    letter.refresh_from_db()
    first = (letter.rendered_at, letter.sha256, letter.pdf.name)
    assert services.letter_render(letter_id=letter.pk) is False
    letter.refresh_from_db()
    assert (letter.rendered_at, letter.sha256, letter.pdf.name) == first


@pytest.mark.django_db
def test_a_letter_that_is_gone_is_not_rendered():
    assert services.letter_render(letter_id=987654) is False


@pytest.mark.django_db
def test_a_failed_render_keeps_the_error_and_a_retry_renders_it(rich, monkeypatch):
    letter = ask(rich, "reminder")

    def broken(html: str) -> bytes:
        raise RuntimeError("the PDF engine fell over")

    monkeypatch.setattr("cases.letters.render.render_pdf", broken)
    assert services.letter_render(letter_id=letter.pk) is False  # not raised: it would fail again
    letter.refresh_from_db()
    assert letter.status == LetterStatus.FAILED
    assert "RuntimeError: the PDF engine fell over" in letter.error

    monkeypatch.undo()
    services.letter_retry(letter=letter, actor=rich.case.requester)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.QUEUED and letter.error == ""
    assert services.letter_render(letter_id=letter.pk) is True
    letter.refresh_from_db()
    assert letter.status == LetterStatus.READY


@pytest.mark.django_db
def test_only_a_failed_letter_can_be_retried(rich):
    letter = ask(rich, "access_request")
    with pytest.raises(CaseError):
        services.letter_retry(letter=letter, actor=None)


@pytest.mark.django_db
def test_regenerating_adds_a_version_and_keeps_the_old_one(rich):
    first = ask(rich, "access_request", "en")
    services.letter_render(letter_id=first.pk)
    second = ask(rich, "access_request", "de")
    services.letter_render(letter_id=second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.status == second.status == LetterStatus.READY
    assert first.pdf.name != second.pdf.name and first.sha256 != second.sha256
    assert first.pdf.read().startswith(b"%PDF")
    assert "Auskunftsersuchen" in second.rendered_text
    assert ask(rich, "reminder").version == 1  # versions count per kind


@pytest.mark.django_db
def test_letters_stuck_in_the_queue_are_queued_again(rich, monkeypatch, settings):
    queued: list[int] = []
    monkeypatch.setattr(
        "cases.services.letters.enqueue", lambda task, letter_id: queued.append(letter_id) or True
    )
    with at(LETTER_DAY, hour=9):
        old = ask(rich, "access_request")
    with at(LETTER_DAY, hour=10):
        fresh = ask(rich, "reminder")
        done = ready(ask(rich, "access_request"))
    with at(LETTER_DAY, hour=10):
        Letter.objects.filter(pk=done.pk).update(created_at=old.created_at)
        assert services.letters_requeue_stuck() == 1
    assert queued == [old.pk]
    assert fresh.pk not in queued


@pytest.mark.django_db
def test_the_requeue_scan_stops_while_the_broker_is_down(rich, monkeypatch):
    monkeypatch.setattr("cases.services.letters.enqueue", lambda task, letter_id: False)
    with at(LETTER_DAY, hour=9):
        ask(rich, "access_request")
        ask(rich, "complaint")
    with at(LETTER_DAY, hour=11):
        assert services.letters_requeue_stuck() == 0
    assert Letter.objects.filter(status=LetterStatus.QUEUED).count() == 2


# --- What may be asked for ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_complaint_needs_an_authority():
    case = CaseFactory(sent=True, missing_items=["audio"])  # a ground: an incomplete answer
    with pytest.raises(CaseError) as error:
        services.letter_request(case=case, actor=None, kind="complaint")
    assert error.value.field == "authority"


@pytest.mark.django_db
def test_a_reminder_needs_a_request_that_was_sent_and_something_to_remind_of():
    draft = CaseFactory()
    with pytest.raises(CaseError):
        services.letter_request(case=draft, actor=None, kind="reminder")
    on_time = CaseFactory(sent=True)
    services.deadlines_refresh(case=on_time)
    with pytest.raises(CaseError):
        services.letter_request(case=on_time, actor=None, kind="reminder")
    on_time.missing_items = ["audio"]
    on_time.save()
    assert services.letter_request(case=on_time, actor=None, kind="reminder").version == 1


@pytest.mark.django_db
def test_an_incident_notice_needs_an_incident_the_vendor_must_answer_for(rich):
    plain = CaseFactory(sent=True)
    with pytest.raises(CaseError) as error:
        services.letter_request(case=plain, actor=None, kind="incident_notice")
    assert error.value.field == "incident"
    late = services.incident_record(
        case=plain, actor=None, kind="late_extension_notice", discovered_on=plain.sent_on
    )
    with pytest.raises(CaseError):
        services.letter_request(case=plain, actor=None, kind="incident_notice", incident=late)
    # Without a choice, the latest suitable incident of the case.
    letter = services.letter_request(case=rich.case, actor=None, kind="incident_notice")
    assert letter_incident(letter) == rich.review


@pytest.mark.django_db
def test_a_letter_is_written_in_its_recipients_language_unless_the_user_chooses():
    case = CaseFactory(
        sent=True, vendor__request_language="de", language="de", missing_items=["audio"]
    )
    assert services.letter_request(case=case, actor=None, kind="access_request").language == "de"
    # The language chosen when the request was filed wins over the vendor's.
    french = CaseFactory(sent=True, vendor=case.vendor, language="fr", missing_items=["audio"])
    assert services.letter_request(case=french, actor=None, kind="reminder").language == "fr"
    assert (
        services.letter_request(case=case, actor=None, kind="reminder", language="fr").language
        == "fr"
    )
    spanish = AuthorityFactory(slug="esaepd", complaint_languages=["es"])
    dutch_english = AuthorityFactory(slug="nlap", complaint_languages=["nl", "en"])
    for authority, language in ((spanish, "en"), (dutch_english, "en")):
        letter = services.letter_request(
            case=case, actor=None, kind="complaint", authority=authority
        )
        assert letter.language == language
    with pytest.raises(CaseError):
        services.letter_request(case=case, actor=None, kind="access_request", language="es")


@pytest.mark.django_db
def test_a_complaint_is_suggested_for_the_residence_and_the_lead_authority():
    cnil = AuthorityFactory(slug="frcnil", short_name="CNIL", country="FR")
    dpc = AuthorityFactory(slug="iedpc", short_name="DPC", country="IE")
    case = CaseFactory(sent=True, requester_country="FR", vendor__lead_authority=dpc)
    suggestions = suggested_authorities(case)
    assert [(s.authority, s.residence, s.lead) for s in suggestions] == [
        (cnil, True, False),
        (dpc, False, True),
    ]
    same = CaseFactory(sent=True, requester_country="IE", vendor__lead_authority=dpc)
    assert [(s.authority, s.residence, s.lead) for s in suggested_authorities(same)] == [
        (dpc, True, True)
    ]


@pytest.mark.django_db
def test_in_germany_the_lands_authority_is_suggested_never_the_federal_one():
    AuthorityFactory(slug="debfdi", short_name="BfDI", country="DE")
    AuthorityFactory(slug="derf", short_name="RDSB", country="DE")  # broadcasting
    hamburg = AuthorityFactory(
        slug="dehmbbfdi", short_name="HmbBfDI", country="DE", subdivision="HH"
    )
    dpc = AuthorityFactory(slug="iedpc", short_name="DPC", country="IE")
    case = CaseFactory(sent=True, requester_country="DE", vendor__lead_authority=dpc)
    assert [s.authority for s in suggested_authorities(case)] == [dpc]
    complaint = authority_letter_panel(case)  # the complaint's own page
    assert hamburg in complaint.others
    case.requester_region = "HH"
    assert [s.authority for s in suggested_authorities(case)] == [hamburg, dpc]


# --- Marking as sent starts the clocks ---------------------------------------------------------


@pytest.mark.django_db
def test_marking_the_access_request_sent_starts_the_one_month_clock():
    case = CaseFactory(vendor__country="LU", vendor__preferred_channel="webform")
    with at(date(2027, 8, 31)):
        letter = services.letter_request(case=case, actor=None, kind="access_request")
        services.letter_mark_sent(letter=letter, actor=None, sent_on=date(2027, 8, 31))
    case.refresh_from_db()
    letter.refresh_from_db()
    assert letter.sent_on == date(2027, 8, 31)
    assert (case.status, case.channel, case.sent_on) == (
        Status.AWAITING_RESPONSE,
        "webform",
        date(2027, 8, 31),
    )
    assert Deadline.objects.get(case=case, kind=DeadlineKind.RESPONSE).due_on == date(2027, 9, 30)
    with pytest.raises(CaseError), at(date(2027, 9, 1)):
        services.letter_mark_sent(letter=letter, actor=None, sent_on=date(2027, 9, 1))


@pytest.mark.django_db
def test_marking_a_reminder_sent_starts_the_admonition_clock(rich):
    with at(LETTER_DAY):
        letter = ready(ask(rich, "reminder"))
        services.letter_mark_sent(letter=letter, actor=None, sent_on=LETTER_DAY)
    admonitions = Deadline.objects.filter(case=rich.case, kind=DeadlineKind.ADMONITION)
    expected = deadlines.admonition_due(LETTER_DAY, country="LU")
    assert expected in {d.due_on for d in admonitions}
    assert admonitions.count() == 2  # the first reminder's clock stays


@pytest.mark.django_db
def test_marking_a_complaint_sent_starts_the_authoritys_three_months(rich):
    with at(LETTER_DAY):
        letter = ready(ask(rich, "complaint"))
        services.letter_mark_sent(letter=letter, actor=None, sent_on=LETTER_DAY)
    rich.case.refresh_from_db()
    assert rich.case.status == Status.COMPLAINT_FILED
    clock = Deadline.objects.get(case=rich.case, kind=DeadlineKind.AUTHORITY_PROGRESS)
    assert clock.due_on == deadlines.authority_progress_due(LETTER_DAY, country="LU")
    filed = rich.case.events.get(kind=EventKind.COMPLAINT_FILED)
    assert filed.data["authority_id"] == rich.cnpd.pk


@pytest.mark.django_db
def test_marking_an_incident_notice_sent_records_the_report_and_dates_the_72_hours(rich):
    with at(LETTER_DAY):
        letter = ready(ask(rich, "incident_notice"))
        services.letter_mark_sent(letter=letter, actor=None, sent_on=LETTER_DAY)
    rich.export.refresh_from_db()
    assert rich.export.reported_to_vendor_on == LETTER_DAY
    # Art. 33(1), 33(4): information about the vendor's duty to its authority, not a clock.
    assert not Deadline.objects.filter(case=rich.case, kind=DeadlineKind.BREACH_NOTIFICATION)
    assert breach_notice_due(rich.export) == LETTER_DAY + timedelta(days=3)
    # A second notice about the same incident keeps the first report's date.
    with at(LETTER_DAY + timedelta(days=2)):
        again = ready(ask(rich, "incident_notice"))
        services.letter_mark_sent(letter=again, actor=None, sent_on=LETTER_DAY + timedelta(days=2))
    rich.export.refresh_from_db()
    assert rich.export.reported_to_vendor_on == LETTER_DAY


@pytest.mark.django_db
def test_a_letter_that_is_not_ready_cannot_be_marked_sent(rich):
    letter = ask(rich, "complaint")
    with pytest.raises(CaseError):
        services.letter_mark_sent(letter=letter, actor=None, sent_on=LETTER_DAY)


def _offered_and_taken(letter: Letter) -> tuple[bool, bool]:
    """Whether the case page offers to mark `letter` sent, and whether the service takes it."""
    offered = letter_row(letter).may_mark_sent
    try:
        with transaction.atomic():
            services.letter_mark_sent(letter=letter, actor=None, sent_on=LETTER_DAY)
            transaction.set_rollback(True)
    except CaseError:
        return offered, False
    return offered, True


@pytest.mark.django_db
def test_the_page_offers_to_mark_a_letter_sent_exactly_when_the_service_takes_it(rich):
    draft = CaseFactory(vendor__country="LU")
    with at(LETTER_DAY):
        sent = services.letter_mark_sent(
            letter=ready(ask(rich, "reminder")), actor=None, sent_on=LETTER_DAY
        )
        letters = {
            "queued complaint": ask(rich, "complaint"),
            "ready complaint": ready(ask(rich, "complaint")),
            "ready incident notice": ready(ask(rich, "incident_notice")),
            "access request of a sent case": ask(rich, "access_request"),
            "queued access request": services.letter_request(
                case=draft, actor=None, kind="access_request"
            ),
            "letter already sent": sent,
        }
        seen = {name: _offered_and_taken(letter) for name, letter in letters.items()}
    assert seen == {
        "queued complaint": (False, False),
        "ready complaint": (True, True),
        "ready incident notice": (True, True),
        "access request of a sent case": (False, False),
        "queued access request": (True, True),
        "letter already sent": (False, False),
    }


@pytest.mark.django_db
def test_the_status_fragment_offers_to_mark_sent_only_what_the_service_takes(client, rich):
    with at(LETTER_DAY):
        letter = ask(rich, "access_request")  # the case was marked sent already
        client.force_login(rich.case.requester)
        fragment = client.get(reverse("cases:letter_status", args=[rich.case.pk, letter.pk]))
    assert reverse("cases:letter_mark_sent", args=[rich.case.pk, letter.pk]) not in (
        fragment.content.decode()
    )


# --- Pages -------------------------------------------------------------------------------------


@pytest.fixture
def ready_letter(db, settings):
    case = CaseFactory(sent=True, vendor__email="privacy@vendor.example")
    letter = services.letter_request(case=case, actor=case.requester, kind="access_request")
    services.letter_render(letter_id=letter.pk)
    letter.refresh_from_db()
    return letter


def letter_urls(letter: Letter) -> dict[str, tuple[str, str]]:
    args = [letter.case_id, letter.pk]
    return {
        "status": ("get", reverse("cases:letter_status", args=args)),
        "preview": ("get", reverse("cases:letter_preview", args=args)),
        "download": ("get", reverse("cases:letter_download", args=args)),
        "text": ("get", reverse("cases:letter_text", args=args)),
        "retry": ("post", reverse("cases:letter_retry", args=args)),
        "sent": ("post", reverse("cases:letter_mark_sent", args=args)),
        "generate": ("post", reverse("cases:letter_generate", args=[letter.case_id])),
    }


URL_NAMES = ["status", "preview", "download", "text", "retry", "sent", "generate"]


@pytest.mark.parametrize("name", URL_NAMES)
def test_a_letter_url_sends_an_anonymous_visitor_to_log_in(client, ready_letter, name):
    method, path = letter_urls(ready_letter)[name]
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("cases:login"))


@pytest.mark.parametrize("name", URL_NAMES)
def test_a_letter_url_is_a_404_for_another_person(client, ready_letter, name):
    method, path = letter_urls(ready_letter)[name]
    client.force_login(UserFactory())
    response = getattr(client, method)(path, {"kind": "access_request", "sent_on": "2027-01-01"})
    assert response.status_code == 404
    assert ready_letter.case.letters.count() == 1


def test_the_owner_downloads_the_pdf_as_an_attachment(client, ready_letter):
    client.force_login(ready_letter.case.requester)
    response = client.get(letter_urls(ready_letter)["download"][1])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_preview_shows_the_rendered_text_under_a_strict_policy(client, ready_letter):
    client.force_login(ready_letter.case.requester)
    response = client.get(letter_urls(ready_letter)["preview"][1])
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'none'; style-src")
    assert "Article 15" in response.content.decode()


def test_the_status_fragment_shows_a_letter_being_prepared_and_polls(client, ready_letter):
    letter = services.letter_request(
        case=ready_letter.case, actor=None, kind="access_request", language="fr"
    )
    client.force_login(ready_letter.case.requester)
    fragment = client.get(letter_urls(letter)["status"][1]).content.decode()
    assert fragment.strip().startswith(f'<li id="letter-{letter.pk}"')
    assert "data-poll=" in fragment
    services.letter_render(letter_id=letter.pk)
    fragment = client.get(letter_urls(letter)["status"][1]).content.decode()
    assert "data-poll=" not in fragment and "Download the PDF" in fragment


def test_the_owner_generates_a_complaint_from_the_page_and_it_renders(
    client, rich, django_capture_on_commit_callbacks, monkeypatch
):
    from dsar.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    client.force_login(rich.case.requester)
    page = client.get(reverse("cases:case_detail", args=[rich.case.pk])).content.decode()
    complaint_url = reverse("cases:letter_complaint", args=[rich.case.pk])
    assert 'id="letters"' in page and complaint_url in page
    # The authorities are chosen on the complaint's own page.
    assert 'name="authority"' in client.get(complaint_url).content.decode()
    with at(LETTER_DAY), django_capture_on_commit_callbacks(execute=True):
        client.force_login(rich.case.requester)  # a session from today has expired by then
        response = client.post(
            reverse("cases:letter_generate", args=[rich.case.pk]),
            {
                "kind": "complaint",
                "authority": str(rich.cnpd.pk),
                "language": "de",
                "court_proceedings": "no",
            },
        )
    assert response.status_code == 302
    letter = rich.case.letters.get(kind="complaint")
    assert letter.status == LetterStatus.READY and letter.language == "de"
    page = client.get(reverse("cases:case_detail", args=[rich.case.pk])).content.decode()
    assert reverse("cases:letter_download", args=[rich.case.pk, letter.pk]) in page


def test_a_refused_letter_comes_back_as_a_message(client):
    case = CaseFactory()
    client.force_login(case.requester)
    response = client.post(
        reverse("cases:letter_generate", args=[case.pk]), {"kind": "complaint"}, follow=True
    )
    assert "Mark the request as sent first." in response.content.decode()
    assert not case.letters.exists()


def test_marking_sent_from_the_page_starts_the_clock(client):
    case = CaseFactory(vendor__country="LU")
    with at(date(2027, 8, 31)):
        letter = services.letter_request(case=case, actor=None, kind="access_request")
        client.force_login(case.requester)
        response = client.post(
            reverse("cases:letter_mark_sent", args=[case.pk, letter.pk]),
            {"sent_on": "2027-08-31", "channel": "email"},
        )
    assert response.status_code == 302
    assert Deadline.objects.get(case=case, kind=DeadlineKind.RESPONSE).due_on == date(2027, 9, 30)


# --- Small parts -------------------------------------------------------------------------------


def test_the_place_of_a_letter_is_the_town_of_the_senders_address():
    assert place_of("12 rue de Hollerich\nL-1741 Luxembourg") == "Luxembourg"
    assert place_of("Barichgasse 40-42\n1030 Wien\nÖsterreich") == "Wien"
    assert place_of("Samsung House\nChertsey KT16 0PS\nUnited Kingdom") == "Chertsey"
    assert place_of("somewhere") == ""


def test_html_to_text_keeps_paragraphs_and_drops_styles():
    text = html_to_text(
        "<html><head><style>p{}</style><title>T</title></head>"
        "<body><h1>Subject</h1><p>One &amp; two</p><ul><li>a</li><li>b</li></ul></body></html>"
    )
    assert text == "Subject\n\nOne & two\n\n- a\n- b\n"


def test_articles_are_cited_in_each_languages_style():
    refs = ["4(12)", "15(1)(h)", "32"]
    assert cite(refs, "en") == "Art. 4(12), Art. 15(1)(h), Art. 32 GDPR"
    assert (
        cite(refs, "fr") == "art. 4, point 12) ; art. 15, paragraphe 1, point h) ; art. 32 du RGPD"
    )
    assert cite(refs, "de") == "Art. 4 Nr. 12, Art. 15 Abs. 1 lit. h, Art. 32 DSGVO"


def test_the_page_refreshes_itself_without_javascript_while_a_letter_is_prepared(client):
    case = CaseFactory()
    services.letter_request(case=case, actor=None, kind="access_request")
    client.force_login(case.requester)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="5">' in page
    assert "data-poll=" in page and "js/letters-poll.js" in page  # a file: no inline script


def test_beat_queues_stuck_letters_again_every_few_minutes(settings):
    from dsar.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["letters-requeue-stuck"]
    assert entry["task"] == "tasks.letters.letters_requeue_stuck"
    assert entry["schedule"] <= settings.LETTER_REQUEUE_AFTER_SECONDS
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_any_authority_can_be_chosen_for_a_complaint_with_the_home_country_first():
    cnpd = AuthorityFactory(slug="lucnpd", short_name="CNPD", country="LU")
    cnil = AuthorityFactory(slug="frcnil", short_name="CNIL", country="FR")
    dpc = AuthorityFactory(slug="iedpc", short_name="DPC", country="IE")
    garante = AuthorityFactory(slug="itgpdp", short_name="Garante", country="IT")
    case = CaseFactory(sent=True, requester_country="IT", vendor__lead_authority=cnpd)
    complaint = authority_letter_panel(case)  # the complaint's own page
    # Art. 77(1): residence, work or place of infringement, so every authority is offered.
    assert {garante, cnpd} == {s.authority for s in complaint.suggestions}
    assert complaint.others[:2] == [cnil, dpc]
    assert garante not in complaint.others
