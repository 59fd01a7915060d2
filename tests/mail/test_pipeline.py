"""One pipeline for every message: stored as received, filed, attachments as evidence,
suggested; confirmed by one click that dates the event from the message; bad input kept."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date, timedelta

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from cases import services
from cases.exceptions import CaseError
from cases.mail.addresses import reply_address_issue
from cases.mail.pipeline import message_ingest
from cases.mail.services import message_confirm, message_dismiss, message_file
from cases.models import (
    DeadlineKind,
    EventKind,
    InboundMessage,
    MessageSource,
    MessageState,
    Status,
    Suggestion,
    UnfiledReason,
    VoiceExport,
)
from tests.factories import CaseFactory, OrganisationFactory, VendorFactory
from tests.mail.helpers import vendor_mail

pytestmark = pytest.mark.django_db

DOMAIN = "in.dsar.example.org"


@pytest.fixture(autouse=True)
def inbound(settings) -> None:
    settings.DSAR_INBOUND_DOMAIN = DOMAIN


def sent_case(**kwargs):
    vendor = VendorFactory(slug="vendorx", email="privacy@vendor.example.com")
    case = CaseFactory(sent=True, vendor=vendor, **kwargs)
    return case, reply_address_issue(case=case)


def wrote(days_ago: int) -> str:
    day = timezone.localdate() - timedelta(days=days_ago)
    return day.strftime("%a, %d %b %Y 10:00:00 +0100")


def ingest(raw: bytes, **kwargs) -> InboundMessage:
    return message_ingest(raw=raw, source=MessageSource.IMAP, **kwargs)


def test_a_reply_to_the_case_address_is_stored_as_received_filed_and_suggested():
    case, address = sent_case()
    raw = vendor_mail(to=address, subject="Re: request", body="We have received your request.")
    message = ingest(raw)
    assert message.case == case and message.state == MessageState.SUGGESTED
    assert message.suggestion == Suggestion.ACKNOWLEDGEMENT
    assert message.sha256 == hashlib.sha256(raw).hexdigest()
    with message.raw.open("rb") as stored:
        assert stored.read() == raw
    assert re.fullmatch(r"mail/[0-9a-f]{32}", message.raw.name)  # nothing personal in it
    # Nothing changes on the case until the person confirms.
    assert case.events.count() == 0


def test_the_same_message_twice_is_kept_once():
    _case, address = sent_case()
    raw = vendor_mail(to=address, subject="Re", body="We have received your request.")
    assert ingest(raw).pk == ingest(raw).pk
    assert InboundMessage.objects.count() == 1


def test_confirming_an_extension_dates_it_from_the_message_and_moves_the_clock():
    case, address = sent_case()
    raw = vendor_mail(
        to=address,
        subject="Your request",
        body="We must extend the deadline by a further two months due to the complexity of "
        "the request.",
        date=wrote(3),
    )
    message = ingest(raw)
    assert message.suggestion == Suggestion.EXTENSION
    message_confirm(message=message, actor=case.requester)
    case.refresh_from_db()
    assert case.status == Status.EXTENDED
    event = case.events.get(kind=EventKind.EXTENSION_NOTIFIED)
    assert event.occurred_on == timezone.localdate() - timedelta(days=3)
    assert "complexity of the request" in event.data["reason"]
    assert case.deadlines.filter(kind=DeadlineKind.EXTENDED_RESPONSE).exists()
    message.refresh_from_db()
    assert message.state == MessageState.CONFIRMED and message.event == event


def test_an_answer_with_an_attachment_becomes_evidence_and_is_confirmed_with_missing_items():
    case, address = sent_case()
    export = io.BytesIO()
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("audio/1.txt", "x")
    raw = vendor_mail(
        to=address,
        subject="Your data",
        body="Please find attached a copy of your data.",
        attachments=[("export.zip", export.getvalue(), "application/zip")],
        date=wrote(1),
    )
    message = ingest(raw)
    assert message.suggestion == Suggestion.ANSWER
    (evidence,) = case.evidence.all()
    assert evidence.pk in message.evidence_ids
    assert evidence.content_type == "application/zip" and evidence.is_vendor_answer
    assert evidence.sha256 == hashlib.sha256(export.getvalue()).hexdigest()
    message_confirm(message=message, actor=case.requester, contains=["audio", "transcripts"])
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert "recipients" in case.missing_items and "audio" not in case.missing_items
    event = case.events.get(kind=EventKind.RESPONSE_RECEIVED)
    assert event.occurred_on == timezone.localdate() - timedelta(days=1)


def test_confirming_an_identity_request_pauses_the_clock():
    case, address = sent_case()
    message = ingest(
        vendor_mail(to=address, subject="ID", body="Please verify your identity.", date=wrote(2))
    )
    message_confirm(message=message, actor=case.requester)
    case.refresh_from_db()
    assert case.status == Status.PAUSED_FOR_IDENTITY


def test_a_refusal_confirmed_records_the_answer_as_refused():
    case, address = sent_case()
    message = ingest(vendor_mail(to=address, subject="R", body="We are unable to comply."))
    message_confirm(message=message, actor=case.requester)
    case.refresh_from_db()
    assert case.outcome == "refused" and case.missing_items


def test_a_message_is_confirmed_once_and_an_automatic_reply_is_only_dismissed():
    case, address = sent_case()
    message = ingest(vendor_mail(to=address, subject="Out of office", body="Away."))
    assert message.suggestion == Suggestion.AUTO_REPLY
    with pytest.raises(CaseError):
        message_confirm(message=message, actor=case.requester)
    message_dismiss(message=message, actor=case.requester)
    with pytest.raises(CaseError):
        message_dismiss(message=message, actor=case.requester)


def test_a_message_from_the_future_is_dated_today():
    case, address = sent_case()
    future = (timezone.localdate() + timedelta(days=5)).strftime("%a, %d %b %Y 10:00:00 +0000")
    message = ingest(
        vendor_mail(to=address, subject="x", body="We have received your request.", date=future)
    )
    message_confirm(message=message, actor=case.requester)
    assert case.events.get(kind=EventKind.ACKNOWLEDGED).occurred_on == timezone.localdate()


def test_a_bounce_is_flagged_on_the_case_at_once():
    case, address = sent_case()
    raw = (
        b"From: MAILER-DAEMON@mx.example.com\r\nTo: noreply@dsar.example.org\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Date: " + wrote(0).encode() + b"\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nUnknown user.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; privacy@vendor.example.com\r\nAction: failed\r\n\r\n"
        b"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nReply-To: " + address.encode() + b"\r\n"
        b"Subject: Access request [DSAR-" + str(case.pk).encode() + b"]\r\n\r\n--b--\r\n"
    )
    message = ingest(raw)
    assert message.case == case and message.suggestion == Suggestion.BOUNCE
    assert message.state == MessageState.CONFIRMED
    event = case.events.get(kind=EventKind.NOTE)
    assert event.data["bounce"] is True


# --- Bad input -------------------------------------------------------------------------------


def test_a_message_with_no_token_waits_in_the_queue():
    sent_case()
    message = ingest(vendor_mail(to=f"hello@{DOMAIN}", subject="Hi", body="Hello."))
    assert message.case is None and message.state == MessageState.UNFILED
    assert message.unfiled_reason == UnfiledReason.NO_TOKEN
    assert message.raw.size > 0


def test_a_forged_token_files_nothing():
    sent_case()
    forged = f"case+{'a' * 26}@{DOMAIN}"
    message = ingest(vendor_mail(to=forged, subject="Hi", body="We have received your request."))
    assert message.case is None and message.unfiled_reason == UnfiledReason.UNKNOWN_TOKEN


def test_a_token_of_a_closed_case_waits_in_the_organisations_queue():
    organisation = OrganisationFactory()
    case, address = sent_case(organisation=organisation)
    services.case_close(case=case, actor=case.requester)
    message = ingest(vendor_mail(to=address, subject="Late", body="We have received it."))
    assert message.case is None and message.unfiled_reason == UnfiledReason.CLOSED_CASE
    assert message.case_hint == case and message.organisation == organisation
    assert case.events.filter(kind=EventKind.NOTE).count() == 0


def test_a_reply_from_the_vendors_ticket_system_is_filed_by_the_reference_in_its_subject():
    case, _ = sent_case()
    raw = vendor_mail(
        to="someone-else@example.net",
        sender="tickets@vendor.example.com",
        subject=f"[Ticket 991] Re: Access request [DSAR-{case.pk}]",
        body="We have received your request.",
    )
    assert ingest(raw).case == case
    # The same reference from another domain is not trusted.
    other = vendor_mail(
        to="x@example.net",
        sender="someone@elsewhere.example",
        subject=f"Re: [DSAR-{case.pk}]",
        body="We have received your request.",
    )
    assert ingest(other).case is None


def test_a_huge_message_keeps_its_headers_and_waits(settings):
    settings.MAIL_MAX_BYTES = 10_000
    case, address = sent_case()
    raw = vendor_mail(to=address, subject="Big", body="x" * 50_000)
    message = ingest(raw)
    assert message.case == case
    assert message.size == len(raw) or message.size >= 10_000
    assert any("too large" in p for p in message.problems)
    assert message.sha256 == hashlib.sha256(raw).hexdigest()


def test_a_message_full_of_attachments_keeps_the_first_ones_and_says_so(settings):
    settings.MAIL_MAX_ATTACHMENTS = 3
    case, address = sent_case()
    files = [(f"f{i}.txt", f"file {i}".encode(), "text/plain") for i in range(8)]
    files.append(("virus.exe", b"MZ\x90\x00binary", "application/octet-stream"))
    message = ingest(vendor_mail(to=address, subject="Files", body="Attached.", attachments=files))
    assert case.evidence.count() == 3
    assert any("6 more attachments" in p for p in message.problems)


def test_an_attachment_that_fails_the_evidence_checks_is_noted_not_lost():
    case, address = sent_case()
    files = [
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00binary\x00\x01", "application/x-msdownload")
    ]
    message = ingest(vendor_mail(to=address, subject="F", body="Attached.", attachments=files))
    assert case.evidence.count() == 0
    assert any("program.exe" in p for p in message.problems)
    with message.raw.open("rb") as stored:
        assert b"program.exe" in stored.read()


def test_malformed_mime_is_kept_and_read_as_far_as_possible():
    case, address = sent_case()
    raw = (
        b"From: privacy@vendor.example.com\r\nTo: " + address.encode() + b"\r\n"
        b"Subject: =?utf-8?Q?broken\r\nDate: not a date\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain; charset=klingon\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n"
    )
    message = ingest(raw)
    assert message.pk and message.case == case
    assert message.sent_at is None  # the day it reached us counts instead
    assert message.sha256 == hashlib.sha256(raw).hexdigest()


def test_garbage_bytes_are_kept_in_the_queue():
    message = ingest(b"\x00\xff" * 100)
    assert message.pk and message.case is None


def test_an_auto_reply_to_our_auto_reply_is_never_answered(smtp_server):
    case, address = sent_case()
    raw = vendor_mail(
        to=address,
        subject="Automatic reply: Re: Automatic reply",
        body="I am out of the office.",
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes", "Precedence": "bulk"},
    )
    for _ in range(3):
        raw = raw.replace(b"office.", b"office..")
        message = ingest(raw)
        assert message.suggestion == Suggestion.AUTO_REPLY and message.is_automatic
    assert smtp_server.received == [] and django_mail.outbox == []
    assert case.events.count() == 0


def test_html_mail_is_shown_as_text_and_its_remote_images_are_never_fetched(live_http_counter):
    _case, address = sent_case()
    html = (
        f'<p>We have received your request.</p><img src="{live_http_counter.url}/pixel.gif">'
        f"<script>alert(1)</script><style>p{{background:url({live_http_counter.url}/bg)}}</style>"
    )
    message = ingest(vendor_mail(to=address, subject="Hi", body="", html=html))
    assert message.was_html
    assert "We have received your request." in message.body_text
    assert "<img" not in message.body_text and "alert" not in message.body_text
    assert live_http_counter.hits == []


def test_an_unfiled_message_filed_by_hand_gets_its_attachments_then():
    case, _ = sent_case()
    raw = vendor_mail(
        to="x@example.net",
        subject="Your data",
        body="Please find attached a copy of your data.",
        attachments=[("data.json", b'{"a": 1}', "application/json")],
    )
    message = ingest(raw)
    assert message.case is None and case.evidence.count() == 0
    message_file(message=message, case=case, actor=case.requester)
    message.refresh_from_db()
    assert message.case == case and message.state == MessageState.SUGGESTED
    assert case.evidence.count() == 1


def test_a_message_for_a_case_the_vendor_has_not_received_cannot_be_confirmed_as_an_answer():
    case = CaseFactory()  # a draft
    message = message_ingest(
        raw=vendor_mail(
            to="x@example.net", subject="Data", body="Your data is ready: download link."
        ),
        source=MessageSource.UPLOAD,
        case=case,
    )
    with pytest.raises(CaseError):
        message_confirm(message=message, actor=case.requester)
    message.refresh_from_db()
    assert message.state == MessageState.SUGGESTED
    assert date.today()


def test_deleting_the_account_deletes_its_messages_and_their_stored_files(
    django_capture_on_commit_callbacks,
):
    case, address = sent_case()
    message = ingest(vendor_mail(to=address, subject="R", body="We have received your request."))
    path = message.raw.path
    with django_capture_on_commit_callbacks(execute=True):
        services.user_delete(user=case.requester)
    assert not InboundMessage.objects.filter(pk=message.pk).exists()
    import os

    assert not os.path.exists(path)


def test_an_exported_archive_in_a_reply_goes_to_the_export_analyser(
    django_capture_on_commit_callbacks,
):
    case, address = sent_case()
    export = io.BytesIO()
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("audio/1.txt", "x")
    raw = vendor_mail(
        to=address,
        subject="Your data",
        body="Please find attached a copy of your data.",
        attachments=[("export.zip", export.getvalue(), "application/zip")],
        date=wrote(1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        ingest(raw)
    (evidence,) = case.evidence.all()
    (voice_export,) = VoiceExport.objects.filter(case=case)
    assert voice_export.evidence == evidence


def test_a_confirmation_of_receipt_by_mail_is_recorded_as_one_and_moves_no_clock():
    case, address = sent_case()
    due_before = sorted(case.deadlines.values_list("key", "due_on"))
    message = ingest(
        vendor_mail(to=address, subject="Re", body="We have received your request.", date=wrote(2))
    )
    assert message.suggestion == Suggestion.ACKNOWLEDGEMENT
    message_confirm(message=message, actor=case.requester)
    event = case.events.get(kind=EventKind.ACKNOWLEDGED)
    assert event.occurred_on == timezone.localdate() - timedelta(days=2)
    assert sorted(case.deadlines.values_list("key", "due_on")) == due_before
