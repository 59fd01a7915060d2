"""Letters sent from the app by e-mail, through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.exceptions import CaseError
from cases.mail.addresses import reply_token_find, tokens_in
from cases.mail.sending import letter_send_email
from cases.models import EventKind, LetterStatus, Status
from tests.factories import CaseFactory, LetterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbound(settings) -> None:
    settings.DSAR_INBOUND_DOMAIN = "in.dsar.example.org"


def ready_letter(**kwargs):
    letter = LetterFactory(status=LetterStatus.READY, rendered_text="Dear Sir or Madam,", **kwargs)
    letter.pdf.save("access_request.pdf", ContentFile(b"%PDF-1.7\n%test\n"), save=True)
    return letter


def test_the_access_request_leaves_by_smtp_with_its_pdf_a_copy_to_the_person_and_a_reply_address(
    smtp_server, inbound
):
    letter = ready_letter()
    case = letter.case
    before = timezone.now()
    letter_send_email(letter=letter, actor=case.requester)

    assert len(smtp_server.received) == 1
    sent = smtp_server.received[0]
    assert set(sent.recipients) == {case.vendor.email, case.requester_email}
    message = sent.message
    assert message["To"] == case.vendor.email
    assert message["Cc"] == case.requester_email
    assert f"[DSAR-{case.pk}]" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert case.requester_name in body
    pdf = next(part for part in message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content().startswith(b"%PDF-1.7")
    # The reply address is the case's own and its token is stored only as a hash.
    (token,) = tokens_in([message["Reply-To"]])
    stored = reply_token_find(token)
    assert stored.case == case and stored.revoked_at is None
    assert token not in stored.token_sha256

    case.refresh_from_db()
    assert case.status == Status.AWAITING_RESPONSE
    assert case.sent_on == timezone.localdate() and case.channel == "email"
    event = case.events.get(kind=EventKind.SENT)
    sent_at = timezone.datetime.fromisoformat(event.data["sent_at"])
    assert before <= sent_at <= timezone.now()
    letter.refresh_from_db()
    assert letter.sent_on == case.sent_on


def test_two_letters_get_two_different_unguessable_reply_addresses(smtp_server, inbound):
    first = ready_letter()
    case = CaseFactory(sent=True)
    letter_send_email(letter=first, actor=first.case.requester)
    reminder = ready_letter(case=case, kind="reminder")
    letter_send_email(letter=reminder, actor=case.requester)
    tokens = [tokens_in([r.message["Reply-To"]])[0] for r in smtp_server.received]
    assert len(set(tokens)) == 2 and all(len(t) == 26 for t in tokens)
    assert case.events.filter(kind=EventKind.REMINDER_SENT).exists()


def test_a_refusing_mail_server_records_nothing(smtp_server, inbound):
    smtp_server.refuse = True
    letter = ready_letter()
    with pytest.raises(Exception):  # noqa: B017 (smtplib's refusal)
        letter_send_email(letter=letter, actor=letter.case.requester)
    letter.case.refresh_from_db()
    assert letter.case.status == Status.DRAFT
    assert not letter.case.events.filter(kind=EventKind.SENT).exists()
    assert not letter.case.reply_tokens.exists()


def test_a_letter_is_not_emailed_twice(smtp_server, inbound):
    letter = ready_letter()
    letter_send_email(letter=letter, actor=letter.case.requester)
    with pytest.raises(CaseError):
        letter_send_email(letter=letter, actor=letter.case.requester)
    assert len(smtp_server.received) == 1


def test_closing_the_case_revokes_its_reply_addresses(smtp_server, inbound):
    letter = ready_letter()
    case = letter.case
    letter_send_email(letter=letter, actor=case.requester)
    services.case_close(case=case, actor=case.requester)
    assert case.reply_tokens.filter(revoked_at__isnull=True).count() == 0


def test_the_case_page_offers_sending_and_the_button_sends(client, smtp_server, inbound):
    letter = ready_letter()
    case = letter.case
    client.force_login(case.requester)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    url = reverse("cases:letter_send_email", args=[case.pk, letter.pk])
    assert url in page
    assert "mailto:" in page  # the other way stays
    response = client.post(url)
    assert response.status_code == 302
    assert len(smtp_server.received) == 1
    case.refresh_from_db()
    assert case.sent_on == timezone.localdate()


def test_somebody_else_cannot_send_a_letter_of_a_case(client, smtp_server, inbound):
    letter = ready_letter()
    other = CaseFactory().requester
    client.force_login(other)
    response = client.post(reverse("cases:letter_send_email", args=[letter.case.pk, letter.pk]))
    assert response.status_code == 404
    assert smtp_server.received == []


def test_without_an_inbound_domain_replies_go_to_the_person(smtp_server, settings):
    settings.DSAR_INBOUND_DOMAIN = ""
    letter = ready_letter()
    letter_send_email(letter=letter, actor=letter.case.requester)
    assert smtp_server.received[0].message["Reply-To"] == letter.case.requester_email
