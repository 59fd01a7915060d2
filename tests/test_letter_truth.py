# Letters use typographic apostrophes and dashes.
# ruff: noqa: RUF001
"""Letters state only what the case supports as of their day (the "letters and clocks that state
only what is true" issue): four cases, each letter kind, in en, fr and de, read from the PDF.

- Google, no answer: no complaint before the time limit has passed (409 through the API, with
  the day it becomes possible); after it, a complaint that says so and names the controller's
  web form, not "your" one.
- Microsoft, an extension notified in time but recorded after the daily scan had marked the
  answer missed: no "deadline missed" left in the complaint.
- Apple, undisclosed human review touching special categories: transparency and lawfulness
  grounds with Art. 9, and no Art. 33/34.
- Amazon, the 1,700 recordings from both sides: the person whose data went astray asks the
  authority to check the notification (never asserts it failed); the person who received a
  stranger's data reports it and does not complain of it as his own.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings
from pypdf import PdfReader

from cases import services
from cases.exceptions import ActionNotAvailable
from cases.letters.compose import letter_html
from cases.letters.render import render_pdf
from cases.models import Deadline, DeadlineKind, EventKind, LetterKind
from tests.factories import AuthorityFactory, CaseFactory, UserFactory, VendorFactory

BRUSSELS = ZoneInfo("Europe/Brussels")
LANGS = ("en", "fr", "de")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=BRUSSELS))


def pdf_words(letter) -> str:
    pdf = render_pdf(letter_html(letter))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def _media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield


def _dpc():
    return AuthorityFactory(
        slug="iedpc",
        short_name="DPC",
        name="Data Protection Commission",
        country="IE",
        address="21 Fitzwilliam Square South\nDublin 2\nD02 RD28\nIreland",
        complaint_languages=["en", "ga"],
        name_gender={"fr": "f", "de": "f"},
    )


def _cnpd():
    return AuthorityFactory(
        slug="lucnpd",
        short_name="CNPD",
        name="Commission nationale pour la protection des données",
        country="LU",
        address="15, Boulevard du Jazz\nL-4370 Belvaux\nLuxembourg",
        complaint_languages=["fr", "de", "en"],
        name_gender={"fr": "f", "de": "f"},
    )


def _case(vendor, *, sent_on: date, channel: str = "email", language: str = "en"):
    person = UserFactory(language=language)
    case = CaseFactory(requester=person, vendor=vendor, requester_country="LU")
    with at(sent_on):
        services.case_mark_sent(case=case, actor=person, sent_on=sent_on, channel=channel)
    case.refresh_from_db()
    return case


# --- Google: no answer ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_complaint_before_the_time_limit_then_one_that_says_what_happened(client):
    dpc = _dpc()
    google = VendorFactory(
        name="Google", legal_name="Google Ireland Limited", country="IE", lead_authority=dpc
    )
    case = _case(google, sent_on=date(2026, 11, 27), channel="webform")
    due = Deadline.objects.get(case=case, kind=DeadlineKind.RESPONSE).due_on
    assert due == date(2026, 12, 28)  # 27 Dec is a Sunday; St Stephen's Day moves it on

    with at(date(2026, 12, 2)), pytest.raises(ActionNotAvailable) as refused:
        services.letter_request(
            case=case, actor=case.requester, kind=LetterKind.COMPLAINT, authority=dpc
        )
    assert "28 December 2026" in refused.value.message
    assert "29 December 2026" in refused.value.message

    with at(date(2026, 12, 29)):
        services.deadlines_mark_missed()
        letters = {
            lang: services.letter_request(
                case=case,
                actor=case.requester,
                kind=LetterKind.COMPLAINT,
                authority=dpc,
                language=lang,
                court_proceedings_pending=False,
            )
            for lang in LANGS
        }
        text = {lang: pdf_words(letter) for lang, letter in letters.items()}
    assert "has not answered" in text["en"]
    assert "through the controller’s web form" in text["en"]
    assert "your web form" not in text["en"]
    assert "formulaire en ligne du responsable du traitement" in text["fr"]
    assert "votre formulaire" not in text["fr"]
    assert "über das Webformular des Verantwortlichen" in text["de"]
    assert "Ihr Webformular" not in text["de"]
    assert "No court proceedings concerning the same matter are pending." in text["en"]
    assert "Aucune procédure juridictionnelle" in text["fr"]
    assert "nicht anhängig" in text["de"]
    assert "Je vous demande de :" in text["fr"]
    for lang in LANGS:
        assert "Art. 33" not in text[lang] and "article 33" not in text[lang]


@pytest.mark.django_db
def test_the_api_refuses_an_early_complaint_with_409_and_the_same_explanation():
    from rest_framework.test import APIClient

    dpc = _dpc()
    google = VendorFactory(name="Google", country="IE", lead_authority=dpc)
    case = _case(google, sent_on=date(2026, 11, 27))
    api = APIClient()
    api.force_authenticate(case.requester)
    with at(date(2026, 12, 2)):
        answer = api.post(
            f"/api/v1/cases/{case.pk}/letters/",
            {"kind": "complaint", "authority": dpc.pk},
            format="json",
        )
    assert answer.status_code == 409, answer.content
    assert "29 December 2026" in answer.content.decode()


# --- Microsoft: a timely extension recorded after the scan ---------------------------------------


@pytest.mark.django_db
def test_an_extension_recorded_after_the_scan_leaves_no_missed_deadline_in_the_complaint():
    dpc = _dpc()
    microsoft = VendorFactory(
        name="Microsoft",
        legal_name="Microsoft Ireland Operations Ltd",
        country="IE",
        lead_authority=dpc,
    )
    case = _case(microsoft, sent_on=date(2027, 6, 16))
    assert Deadline.objects.get(case=case, kind=DeadlineKind.RESPONSE).due_on == date(2027, 7, 16)
    with at(date(2027, 7, 20)):
        services.deadlines_mark_missed()
    assert case.events.filter(kind=EventKind.DEADLINE_MISSED).exists()
    with at(date(2027, 7, 21)):
        services.case_extension_notified(
            case=case, actor=case.requester, notified_on=date(2027, 7, 15), reason="complex"
        )
        # An incomplete answer later gives the complaint its ground.
    with at(date(2027, 9, 1)):
        services.case_record_response(
            case=case,
            actor=case.requester,
            received_on=date(2027, 9, 1),
            missing_items=["audio"],
        )
        for lang in LANGS:
            letter = services.letter_request(
                case=case,
                actor=case.requester,
                kind=LetterKind.COMPLAINT,
                authority=dpc,
                language=lang,
            )
            text = pdf_words(letter)
            for stale in ("Deadline missed", "Délai dépassé", "Frist versäumt"):
                assert stale not in text, (lang, stale)
            assert "16 July 2027 –" not in text


# --- Apple: undisclosed human review ---


@pytest.mark.django_db
def test_undisclosed_review_gives_transparency_grounds_with_article_9_and_no_breach_duties():
    dpc = _dpc()
    apple = VendorFactory(
        name="Apple",
        legal_name="Apple Distribution International Ltd",
        country="IE",
        lead_authority=dpc,
    )
    case = _case(apple, sent_on=date(2027, 6, 1))
    with at(date(2027, 6, 10)):
        services.incident_record(
            case=case,
            actor=case.requester,
            kind="undisclosed_review",
            discovered_on=date(2027, 6, 10),
            special_categories=True,
            data_categories=["audio", "transcripts"],
        )
        text = {
            lang: pdf_words(
                services.letter_request(
                    case=case,
                    actor=case.requester,
                    kind=LetterKind.COMPLAINT,
                    authority=dpc,
                    language=lang,
                )
            )
            for lang in LANGS
        }
    assert "Art. 5(1)(a), Art. 6(1), Art. 9(1), Art. 12(1), Art. 13, Art. 14 GDPR" in text["en"]
    assert "Art. 33" not in text["en"] and "Articles 33" not in text["en"]
    assert "art. 9, paragraphe 1 ; art. 12, paragraphe 1" in text["fr"]
    assert "Art. 9 Abs. 1, Art. 12 Abs. 1" in text["de"]
    # A time limit still running is not said to have been missed.
    assert (
        "has not answered" not in text["en"] and "That time limit has not yet passed" in text["en"]
    )
    # Data categories in words, never codes.
    assert "enregistrements audio, transcriptions" in text["fr"]
    assert "Audioaufnahmen, Transkripte" in text["de"]
    assert "audio, transcripts" not in text["fr"] + text["de"]


# --- Amazon: the 1,700 recordings, from both sides ------------------------------------------------


def _amazon():
    cnpd = _cnpd()
    return cnpd, VendorFactory(
        name="Amazon",
        legal_name="Amazon Europe Core S.à r.l.",
        country="LU",
        address="38 avenue John F. Kennedy\nL-1855 Luxembourg",
        lead_authority=cnpd,
    )


@pytest.mark.django_db
def test_the_person_whose_recordings_went_astray_asks_the_authority_to_check_the_notification():
    cnpd, amazon = _amazon()
    case = _case(amazon, sent_on=date(2027, 8, 2))
    with at(date(2027, 10, 6)):
        services.incident_record(
            case=case,
            actor=case.requester,
            kind="misdirected_export",
            side="own_data",
            discovered_on=date(2027, 10, 6),
            reported_to_vendor_on=date(2027, 10, 6),
            records_affected=1700,
        )
        text = {
            lang: pdf_words(
                services.letter_request(
                    case=case,
                    actor=case.requester,
                    kind=LetterKind.COMPLAINT,
                    authority=cnpd,
                    language=lang,
                )
            )
            for lang in LANGS
        }
        notice = pdf_words(
            services.letter_request(
                case=case, actor=case.requester, kind=LetterKind.INCIDENT_NOTICE, language="en"
            )
        )
    assert "to check whether and when the controller notified" in text["en"]
    assert "has not shown" not in text["en"] and "failed to notify" not in text["en"]
    assert "vérifier si et quand le responsable a notifié" in text["fr"]
    assert "zu prüfen, ob und wann der Verantwortliche" in text["de"]
    # French groups with a narrow no-break space, which the PDF's text gives back as a space.
    assert "1,700" in text["en"] and "1 700" in text["fr"] and "1.700" in text["de"]
    assert "S.à r.l.." not in text["en"] + text["fr"] + text["de"]
    assert "Have all copies sent to the wrong recipient been erased" in notice


@pytest.mark.django_db
def test_the_person_who_received_a_strangers_recordings_reports_them_and_does_not_complain():
    cnpd, amazon = _amazon()
    case = _case(amazon, sent_on=date(2027, 8, 2))
    with at(date(2027, 8, 20)):
        services.incident_record(
            case=case,
            actor=case.requester,
            kind="misdirected_export",
            side="others_data",
            occurred_on=date(2027, 8, 19),
            discovered_on=date(2027, 8, 20),
            records_affected=1700,
        )
        # His own request is not yet late, and a stranger's data is no ground of his own.
        with pytest.raises(ActionNotAvailable):
            services.letter_request(
                case=case, actor=case.requester, kind=LetterKind.COMPLAINT, authority=cnpd
            )
        notices = {
            lang: pdf_words(
                services.letter_request(
                    case=case,
                    actor=case.requester,
                    kind=LetterKind.INCIDENT_NOTICE,
                    language=lang,
                )
            )
            for lang in LANGS
        }
        # To an authority other than the lead, which the report asks to pass it on.
        dpc = _dpc()
        reports = {
            lang: pdf_words(
                services.letter_request(
                    case=case,
                    actor=case.requester,
                    kind=LetterKind.BREACH_REPORT,
                    authority=dpc,
                    language=lang,
                )
            )
            for lang in LANGS
        }
    assert "These data are not mine" in notices["en"]
    assert "erased" not in notices["en"] and "my personal data:" not in notices["en"]
    assert "inform the person whose data these are" in notices["en"]
    assert "Ces données ne sont pas les miennes" in notices["fr"]
    assert "Es sind nicht meine Daten" in notices["de"]
    assert "not a complaint under Article 77" in reports["en"]
    assert "il ne s’agit donc pas d’une réclamation" in reports["fr"]
    assert "keine Beschwerde nach Art. 77 DSGVO" in reports["de"]
    assert "à la Commission nationale pour la protection des données" in reports["fr"]
    assert "an die Commission nationale pour la protection des données" in reports["de"]

    # Once his own request is late, he may complain about that, and only that.
    with at(date(2027, 9, 10)):
        services.deadlines_mark_missed()
        complaint = pdf_words(
            services.letter_request(
                case=case, actor=case.requester, kind=LetterKind.COMPLAINT, authority=cnpd
            )
        )
    assert "has not answered" in complaint
    assert "wrong person" not in complaint and "Art. 33" not in complaint


# --- Citations in French ---


def test_french_citations_set_off_the_paragraph_with_commas():
    from cases.letters.phrases import cite

    assert cite(["15(3)"], "fr") == "art. 15, paragraphe 3, du RGPD"
    assert cite(["32"], "fr") == "art. 32 du RGPD"


# --- Complaint completeness ---


@pytest.mark.django_db
def test_a_complaint_encloses_the_sent_letters_the_answer_and_the_mandate_and_zips_them(client):
    import zipfile

    from cases.letters.bundle import complaint_bundle
    from tests.factories import EvidenceFactory, MandateFactory

    cnpd, amazon = _amazon()
    person = UserFactory(language="en")
    case = CaseFactory(requester=person, vendor=amazon, requester_country="LU")
    with at(date(2027, 8, 2)):
        request = services.letter_request(case=case, actor=person, kind=LetterKind.ACCESS_REQUEST)
        services.letter_render(letter_id=request.pk)
        request.refresh_from_db()
        services.letter_mark_sent(letter=request, actor=person, sent_on=date(2027, 8, 2))
    MandateFactory(case=case)
    case.refresh_from_db()
    with at(date(2027, 9, 10)):
        services.case_record_response(
            case=case, actor=person, received_on=date(2027, 9, 10), missing_items=["audio"]
        )
        EvidenceFactory(case=case, original_name="amazon-answer.txt", is_vendor_answer=True)
        EvidenceFactory(case=case, original_name="screenshot.txt")
        complaint = services.letter_request(
            case=case,
            actor=person,
            kind=LetterKind.COMPLAINT,
            authority=cnpd,
            language="en",
            court_proceedings_pending=True,
        )
        services.letter_render(letter_id=complaint.pk)
    complaint.refresh_from_db()
    text = " ".join(complaint.rendered_text.split())
    assert "Access request, sent on 2 August 2027" in text
    assert "The controller’s answer: amazon-answer.txt" in text
    assert "Mandate under Article 80(1) GDPR" in text
    assert "The mandate is enclosed as the last annex." in text
    assert "Court proceedings concerning the same matter are pending." in text

    buffer = io.BytesIO()
    names = complaint_bundle(complaint, buffer)
    assert names[0] == "01-complaint-en.pdf"
    assert any(n.endswith("access_request-v1-en.pdf") for n in names)
    assert any(n.endswith("answer-amazon-answer.txt") for n in names)
    assert any(n.endswith("evidence-screenshot.txt") for n in names)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        assert archive.read(names[0]).startswith(b"%PDF")

    client.force_login(person)
    response = client.get(f"/cases/{case.pk}/letters/{complaint.pk}/bundle/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    other = UserFactory()
    client.force_login(other)
    assert client.get(f"/cases/{case.pk}/letters/{complaint.pk}/bundle/").status_code == 404


@pytest.mark.django_db
def test_the_complaint_page_asks_about_court_proceedings_and_says_which_language_and_why(client):
    cnpd, amazon = _amazon()
    dpc = _dpc()
    amazon.lead_authority = dpc
    amazon.save()
    case = _case(amazon, sent_on=date(2027, 8, 2), language="fr")
    case.missing_items = ["audio"]
    case.save()
    with at(date(2027, 9, 10)):
        client.force_login(case.requester)  # a session from the real today has expired then
        page = client.get(f"/cases/{case.pk}/letters/complaint/").content.decode()
        # Without an answer to the court question the page sends the person back to it.
        refused = client.post(
            f"/cases/{case.pk}/letters/",
            {"kind": "complaint", "authority": str(cnpd.pk)},
        )
    assert 'name="court_proceedings"' in page
    # The CNPD takes French, the person's language; the DPC does not.
    assert "Français" in page and "English" in page
    assert refused.status_code == 302 and refused["Location"].endswith("/letters/complaint/")
    assert not case.letters.exists()


def test_every_data_category_of_the_form_has_words_in_every_letter_language():
    from cases.forms.common import DATA_CATEGORY_CHOICES
    from cases.letters.phrases import DATA_CATEGORIES

    for language in LANGS:
        assert set(DATA_CATEGORIES[language]) == {code for code, _label in DATA_CATEGORY_CHOICES}


@pytest.mark.django_db
def test_a_disputed_identity_pause_is_left_out_of_the_date_and_both_dates_are_shown():
    """Received Sunday 28 Feb 2027 by a Luxembourg controller, 3 days paused for an identity
    check: 31 March counting the pause (28 Mar + 3), 30 March without it (28 Mar is Easter
    Sunday, 29 Mar Easter Monday). The person records the demand as excessive."""
    cnpd, amazon = _amazon()
    case = _case(amazon, sent_on=date(2027, 2, 28))
    with at(date(2027, 3, 1)):
        services.case_identity_requested(
            case=case, actor=case.requester, requested_on=date(2027, 3, 1)
        )
    with at(date(2027, 3, 4)):
        services.case_identity_provided(
            case=case, actor=case.requester, provided_on=date(2027, 3, 4)
        )
    response = Deadline.objects.get(case=case, kind=DeadlineKind.RESPONSE)
    assert response.due_on == date(2027, 3, 31) and response.due_on_with_disputed_pause is None
    with at(date(2027, 3, 5)):
        services.incident_record(
            case=case,
            actor=case.requester,
            kind="excessive_identity_demand",
            discovered_on=date(2027, 3, 1),
        )
    response.refresh_from_db()
    assert response.due_on == date(2027, 3, 30)
    assert response.due_on_with_disputed_pause == date(2027, 3, 31)
    with at(date(2027, 4, 2)):
        services.deadlines_mark_missed()
        reminder = {
            lang: pdf_words(
                services.letter_request(
                    case=case, actor=case.requester, kind=LetterKind.REMINDER, language=lang
                )
            )
            for lang in LANGS
        }
        complaint = pdf_words(
            services.letter_request(
                case=case, actor=case.requester, kind=LetterKind.COMPLAINT, authority=cnpd
            )
        )
    assert "expired on 30 March 2027 (on 31 March 2027 if the time you waited" in reminder["en"]
    assert "a expiré le 30 mars 2027 (le 31 mars 2027 si l’on compte" in reminder["fr"]
    assert "ist am 30. März 2027 abgelaufen (am 31. März 2027, wenn man" in reminder["de"]
    assert "had to answer by 30 March 2027" in complaint
    assert "Counting that time, the time limit ends on 31 March 2027." in complaint
