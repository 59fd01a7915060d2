# French letters use typographic apostrophes.
# ruff: noqa: RUF001
"""The letters of every follow-up kind (erasure, objection, withdrawal, restriction,
portability) in every language, read back from the PDF: the request with its articles and asks,
the reminder, and the complaint that names exactly what the recorded answer lacks."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from cases import services
from cases.letters.compose import access_request_text, letter_html
from cases.letters.phrases import ITEMS, REQUEST_NAMES, cite
from cases.letters.render import render_pdf
from cases.models import FOLLOW_UP_KINDS, LetterKind, checklist
from tests.factories import AuthorityFactory, CaseFactory, UserFactory, VendorFactory
from tests.test_letters import pdf_text, words

pytestmark = pytest.mark.django_db

DUBLIN = ZoneInfo("Europe/Dublin")
LANGS = ["en", "fr", "de"]
KINDS = [k.value for k in FOLLOW_UP_KINDS]
SENT = date(2027, 9, 1)
ANSWERED = date(2027, 9, 20)
LETTER_DAY = date(2027, 10, 26)
# Kinds whose answer is recorded as partial (their first item only); the others get no answer.
PARTIAL = ("erasure", "objection", "portability")


def ref(article: str, language: str) -> str:
    """One article as a letter cites it, without the regulation's name ("Art. 17(1)")."""
    text = cite([article], language)
    for law in (", du RGPD", " GDPR", " DSGVO"):
        text = text.removesuffix(law)
    return text


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=DUBLIN))


def build_family():
    """Léa asked Apple for access on 2 August 2027, then sent every follow-up on 1 September.
    Apple answered the erasure, the objection and the portability request in part on 20
    September and ignored the withdrawal and the restriction."""
    dpc = AuthorityFactory(
        slug="iedpc",
        short_name="DPC",
        name="Data Protection Commission",
        country="IE",
        address="21 Fitzwilliam Square South\nDublin 2\nD02 RD28\nIreland",
        complaint_languages=["en"],
    )
    apple = VendorFactory(
        slug="apple",
        name="Apple",
        legal_name="Apple Distribution International Ltd",
        products=["Siri"],
        address="Hollyhill Industrial Estate\nHollyhill, Cork\nIreland",
        country="IE",
        lead_authority=dpc,
    )
    lea = UserFactory(email="lea@example.org", full_name="Léa Martin")
    with at(date(2027, 8, 2)):
        access = CaseFactory(
            requester=lea,
            vendor=apple,
            requester_name="Léa Martin",
            account_identifiers="Apple ID lea@example.org",
            device_serials="DNPX1234",
        )
        services.case_mark_sent(case=access, actor=lea, sent_on=date(2027, 8, 2), channel="email")
    with at(SENT):
        cases = services.case_follow_ups_create(
            parent=access, actor=lea, kinds=KINDS, grounds=["consent_withdrawn", "objection"]
        )
        for case in cases:
            services.case_mark_sent(case=case, actor=lea, sent_on=SENT, channel="email")
    with at(ANSWERED):
        for case in cases:
            if case.kind in PARTIAL:
                services.case_record_response(
                    case=case,
                    actor=lea,
                    received_on=ANSWERED,
                    contains=checklist(case.kind)[:1],
                )
    with at(LETTER_DAY):
        for case in cases:
            services.deadlines_refresh(case=case)
    return dpc, {c.kind: c for c in cases}


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory):
    """{(kind, letter kind, language): flattened PDF text} for every follow-up kind."""
    out: dict = {}
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        dpc, cases = build_family()
        with at(LETTER_DAY):
            for kind, case in cases.items():
                for letter_kind in (
                    LetterKind.ACCESS_REQUEST,
                    LetterKind.REMINDER,
                    LetterKind.COMPLAINT,
                ):
                    for language in LANGS:
                        letter = services.letter_request(
                            case=case,
                            actor=case.requester,
                            kind=letter_kind,
                            language=language,
                            authority=dpc if letter_kind == LetterKind.COMPLAINT else None,
                        )
                        text = pdf_text(render_pdf(letter_html(letter)))
                        out[kind, letter_kind.value, language] = words(text)
        transaction.set_rollback(True)
    return out


# What each kind's request must say, by language: its articles and its voice-specific asks.
REQUEST_SAYS = {
    ("erasure", "en"): [
        "Article 17",
        "Art. 17(1)(b) GDPR",
        "Art. 17(1)(c) GDPR",
        "Art. 19",
        "Article 17(3)",
        "Art. 12(3)",
        "another storage system",
        "processors",
        "annotations",
        "transcripts",
        "without the wake word",
    ],
    ("erasure", "fr"): [
        "l’article 17",
        "art. 17, paragraphe 1, point b)",
        "art. 17, paragraphe 1, point c)",
        "article 19",
        "article 17, paragraphe 3",
        "article 12, paragraphe 3",
        "un autre système de stockage",
        "sous-traitants",
        "annotations",
    ],
    ("erasure", "de"): [
        "Art. 17 der Datenschutz-Grundverordnung",
        "Art. 17 Abs. 1 lit. b DSGVO",
        "Art. 17 Abs. 1 lit. c DSGVO",
        "Art. 19 DSGVO",
        "Art. 17 Abs. 3",
        "Art. 12 Abs. 3",
        "anderen Speichersystem",
        "Auftragsverarbeitern",
    ],
    ("objection", "en"): [
        "Article 21(1)",
        "compelling legitimate grounds",
        "Art. 6(1)(f)",
        "review of the recordings by people",
        "Art. 7(3)",
        "Art. 12(3)",
    ],
    ("objection", "fr"): [
        "l’article 21, paragraphe 1",
        "motifs légitimes et impérieux",
        "article 6, paragraphe 1, point f)",
        "article 7, paragraphe 3",
    ],
    ("objection", "de"): [
        "Art. 21 Abs. 1",
        "zwingende schutzwürdige Gründe",
        "Art. 6 Abs. 1 lit. f",
        "Art. 7 Abs. 3",
    ],
    ("withdrawal", "en"): ["Article 7(3)", "as easy as giving it", "Art. 17(1)(b)", "Art. 12(3)"],
    ("withdrawal", "fr"): [
        "l’article 7, paragraphe 3",
        "aussi simple de retirer son consentement que de le donner",
        "article 17, paragraphe 1, point b)",
    ],
    ("withdrawal", "de"): [
        "Art. 7 Abs. 3",
        "so einfach sein wie ihre Erteilung",
        "Art. 17 Abs. 1 lit. b",
    ],
    ("restriction", "en"): [
        "Article 18(1)(d)",
        "Article 21(1)",
        "Art. 18(2)",
        "Art. 18(3)",
        "by my letter of 1 September 2027",
    ],
    ("restriction", "fr"): [
        "l’article 18, paragraphe 1, point d)",
        "article 21, paragraphe 1",
        "article 18, paragraphe 2",
        "par ma lettre du 1 septembre 2027",
    ],
    ("restriction", "de"): [
        "Art. 18 Abs. 1 lit. d",
        "Art. 21 Abs. 1",
        "Art. 18 Abs. 2",
        "mit meinem Schreiben vom 1. September 2027",
    ],
    ("portability", "en"): ["Article 20", "machine-readable", "JSON", "Art. 20(2)"],
    ("portability", "fr"): [
        "l’article 20",
        "lisible par machine",
        "JSON",
        "article 20, paragraphe 2",
    ],
    ("portability", "de"): ["Art. 20", "maschinenlesbaren", "JSON", "Art. 20 Abs. 2"],
}
ACCESS_SENT = {"en": "2 August 2027", "fr": "2 août 2027", "de": "2. August 2027"}


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_each_request_cites_its_articles_makes_its_asks_and_lists_its_checklist(
    rendered, kind, language
):
    text = rendered[kind, "access_request", language]
    expected = [*REQUEST_SAYS[kind, language], "Léa Martin", "DNPX1234", ACCESS_SENT[language]]
    expected += [ITEMS[language][item] for item in checklist(kind)]
    missing = [e for e in expected if words(e) not in text]
    assert missing == [], f"{kind}/{language} lacks {missing}"
    # The access request's own words are not reused for another right.
    assert "Article 15 of the General" not in text and "Auskunftsrecht" not in text


def test_the_erasure_request_states_only_the_grounds_the_person_chose(rendered):
    text = rendered["erasure", "access_request", "en"]
    assert "Art. 17(1)(d)" not in text
    assert "processed unlawfully" not in text


REMINDER_SAYS = {
    "en": ["Reminder", "Article 77"],
    "fr": ["Relance", "article 77"],
    "de": ["Erinnerung", "Art. 77"],
}
# Said by a reminder when no answer came: the vendor owed one within the month.
NO_ANSWER_SAYS = {
    "en": "Article 12(3) and 12(4)",
    "fr": "article 12, paragraphes 3 et 4",
    "de": "Art. 12 Abs. 3 und 4",
}
KIND_CITED = {
    "erasure": "17(1)",
    "objection": "21(1)",
    "withdrawal": "7(3)",
    "restriction": "18(1)(d)",
    "portability": "20(1)",
}


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_each_reminder_recalls_its_own_request_and_what_is_missing(rendered, kind, language):
    text = rendered[kind, "reminder", language]
    expected = [*REMINDER_SAYS[language], REQUEST_NAMES[language][kind]]
    if kind in PARTIAL:
        expected += [ITEMS[language][item] for item in checklist(kind)[1:]]
    else:
        expected.append(NO_ANSWER_SAYS[language])
    missing = [e for e in expected if words(e) not in text]
    assert missing == [], f"{kind}/{language} lacks {missing}"
    assert words(ITEMS["en"]["audio"]) not in text  # no access item in another kind's letter


COMPLAINT_SAYS = {
    "en": ["Article 77", "Article 78(2)", "Data Protection Commission"],
    "fr": ["article 77", "article 78, paragraphe 2", "Data Protection Commission"],
    "de": ["Art. 77", "Art. 78 Abs. 2", "Data Protection Commission"],
}
ORDER_CITED = {
    "erasure": "58(2)(g)",
    "objection": "58(2)(c)",
    "withdrawal": "58(2)(c)",
    "restriction": "58(2)(g)",
    "portability": "58(2)(c)",
}


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_each_complaint_cites_the_right_articles_and_names_exactly_what_was_not_done(
    rendered, kind, language
):
    text = rendered[kind, "complaint", language]
    items = checklist(kind)
    expected = [*COMPLAINT_SAYS[language], REQUEST_NAMES[language][kind]]
    expected += [ref("12(3)", language), ref(KIND_CITED[kind], language)]
    missing = [e for e in expected if words(e) not in text]
    assert missing == [], f"{kind}/{language} lacks {missing}"
    if kind in PARTIAL:
        # Asked for (listed once) and, when missing, listed again as not done.
        done, not_done = items[:1], items[1:]
        for item in done:
            assert text.count(words(ITEMS[language][item])) == 1, item
        for item in not_done:
            assert text.count(words(ITEMS[language][item])) == 2, item
    else:
        # No answer: the missed time limit is the ground, and nothing is said to be missing
        # from an answer that never came.
        for item in items:
            assert text.count(words(ITEMS[language][item])) == 1, item


def test_complaints_name_the_corrective_power_for_each_kind(rendered):
    for kind, ref in ORDER_CITED.items():
        text = rendered[kind, "complaint", "en"]
        assert f"Art. {ref[:2]}({ref[3]})({ref[6]})" in text, kind


@pytest.mark.parametrize("language", LANGS)
def test_a_follow_up_request_comes_as_plain_text_with_the_words_of_its_letter(language):
    _dpc, cases = build_family()
    case = cases["objection"]
    with at(LETTER_DAY):
        letter = services.letter_request(
            case=case, actor=case.requester, kind=LetterKind.ACCESS_REQUEST, language=language
        )
    subject, body = access_request_text(letter)
    assert subject.startswith(
        {"en": "Objection", "fr": "Opposition", "de": "Widerspruch"}[language]
    )
    assert ref("21(1)", language).split(" ")[0] in body
    assert words(ITEMS[language]["human_review_stopped"]) in words(body)
    assert "Léa Martin" in body  # signed
    assert "Hollyhill" not in body  # no address block: the e-mail goes to the vendor already
