"""What a vendor's message is, suggested from the phrase tables in en, fr and de."""

from __future__ import annotations

import pytest

from cases.mail.parsing import parse_eml
from cases.mail.rules import RULES, classify
from cases.models import Suggestion as S
from tests.mail.helpers import vendor_mail

TO = "case+abcdefghijklmnopqrstuvwxyz@in.example.org"

EXAMPLES = {
    "en": {
        S.ACKNOWLEDGEMENT: ("Your request", "Hello, we have received your request and will reply."),
        S.IDENTITY: ("Your request", "Before we proceed we need to verify your identity."),
        S.EXTENSION: (
            "Your request",
            "We need to extend the period by a further two months due to the number of "
            "requests we receive. Kind regards",
        ),
        S.REFUSAL: ("Your request", "We are unable to comply with your request."),
        S.ANSWER: ("Your data", "Your data is ready: use the download link below."),
        S.AUTO_REPLY: ("Automatic reply: your request", "I am away until Monday."),
        S.BOUNCE: ("Undeliverable: your request", "The message could not be delivered."),
    },
    "fr": {
        S.ACKNOWLEDGEMENT: ("Votre demande", "Nous accusons bonne réception de votre demande."),
        S.IDENTITY: ("Votre demande", "Merci de nous transmettre un justificatif d'identité."),
        S.EXTENSION: (
            "Votre demande",
            "Nous devons prolonger le délai de deux mois supplémentaires en raison de la "
            "complexité de votre demande. Cordialement",
        ),
        S.REFUSAL: ("Votre demande", "Nous ne pouvons pas donner suite à votre demande."),
        S.ANSWER: ("Vos données", "Vous trouverez ci-joint une copie de vos données."),
        S.AUTO_REPLY: ("Réponse automatique : votre demande", "Je suis absent."),
        S.BOUNCE: ("Non remis : votre demande", "Le message n'a pas pu être remis."),
    },
    "de": {
        S.ACKNOWLEDGEMENT: ("Ihre Anfrage", "Wir bestätigen den Eingang Ihrer Anfrage."),
        S.IDENTITY: ("Ihre Anfrage", "Bitte senden Sie uns einen Identitätsnachweis."),
        S.EXTENSION: (
            "Ihre Anfrage",
            "Wir müssen die Frist um zwei weitere Monate verlängern aufgrund der Vielzahl "
            "der Anträge. Mit freundlichen Grüßen",
        ),
        S.REFUSAL: ("Ihre Anfrage", "Leider können wir Ihrem Antrag nicht nachkommen."),
        S.ANSWER: ("Ihre Daten", "Ihre Daten stehen zum Download bereit: herunterladen."),
        S.AUTO_REPLY: ("Automatische Antwort: Ihre Anfrage", "Ich bin nicht im Büro."),
        S.BOUNCE: ("Unzustellbar: Ihre Anfrage", "Die Nachricht konnte nicht zugestellt werden."),
    },
}


@pytest.mark.parametrize(
    ("language", "kind"),
    [(lang, kind) for lang, kinds in EXAMPLES.items() for kind in kinds],
)
def test_every_kind_of_message_is_recognised_in_every_language(language, kind):
    subject, body = EXAMPLES[language][kind]
    verdict = classify(parse_eml(vendor_mail(to=TO, subject=subject, body=body)))
    assert verdict.kind == kind
    if kind not in (S.BOUNCE,):
        assert verdict.language == language


def test_each_language_has_a_table_with_every_kind():
    kinds = {k for k in S if k != S.UNKNOWN}
    for table in RULES.values():
        assert set(table) == kinds


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("en", "the number of requests we receive"),
        ("fr", "la complexité de votre demande"),
        ("de", "der Vielzahl der Anträge"),
    ],
)
def test_an_extension_notice_gives_its_reason(language, reason):
    subject, body = EXAMPLES[language][S.EXTENSION]
    verdict = classify(parse_eml(vendor_mail(to=TO, subject=subject, body=body)))
    assert reason in verdict.extension_reason


def test_a_delivery_status_notification_is_a_bounce_whatever_its_words():
    raw = (
        b"From: MAILER-DAEMON@mx.example.com\r\nTo: noreply@dsar.example.org\r\n"
        b"Subject: Returned\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; privacy@vendor.example.com\r\nAction: failed\r\n"
        b"Status: 5.1.1\r\n\r\n--b--\r\n"
    )
    assert classify(parse_eml(raw)).kind == S.BOUNCE


@pytest.mark.parametrize(
    "header",
    [("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes"), ("Precedence", "auto_reply")],
)
def test_a_machine_sent_message_is_an_automatic_reply(header):
    raw = vendor_mail(to=TO, subject="Re: your request", body="Noted.", headers=dict([header]))
    verdict = classify(parse_eml(raw))
    assert verdict.kind == S.AUTO_REPLY and verdict.automatic


def test_an_automatic_acknowledgement_is_still_an_acknowledgement_but_flagged_automatic():
    raw = vendor_mail(
        to=TO,
        subject="Ticket 123",
        body="We have received your request.",
        headers={"Auto-Submitted": "auto-generated"},
    )
    verdict = classify(parse_eml(raw))
    assert verdict.kind == S.ACKNOWLEDGEMENT and verdict.automatic


def test_an_answer_is_suggested_over_an_acknowledgement_it_also_contains():
    raw = vendor_mail(
        to=TO,
        subject="Your request",
        body="We have received your request. Your data is ready: download link below.",
    )
    assert classify(parse_eml(raw)).kind == S.ANSWER


def test_a_message_saying_nothing_known_is_not_recognised():
    raw = vendor_mail(to=TO, subject="Hello", body="Lorem ipsum.")
    assert classify(parse_eml(raw)).kind == S.UNKNOWN
