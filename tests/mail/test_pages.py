"""The case page shows the company's messages with a one-click confirmation; a saved message can
be uploaded (.eml, or a forward with the original attached); the organisation's queue."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.mail.addresses import reply_address_issue
from cases.mail.pipeline import message_ingest
from cases.models import (
    EventKind,
    InboundMessage,
    Membership,
    MessageSource,
    MessageState,
    Status,
    Suggestion,
)
from tests.factories import (
    CaseFactory,
    MandateFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.mail.helpers import vendor_mail
from tests.mail.outlook import outlook_message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def inbound(settings) -> None:
    settings.DSAR_INBOUND_DOMAIN = "in.dsar.example.org"


def wrote(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).strftime("%a, %d %b %Y 09:00:00 +0100")


def test_the_case_page_shows_the_message_its_suggestion_and_one_click_records_it(client):
    case = CaseFactory(sent=True)
    address = reply_address_issue(case=case)
    message = message_ingest(
        raw=vendor_mail(
            to=address,
            subject="Your access request",
            body="We need to extend the time limit by two further months due to the volume.",
            date=wrote(4),
        ),
        source=MessageSource.IMAP,
    )
    client.force_login(case.requester)
    url = reverse("cases:case_detail", args=[case.pk])
    page = client.get(url).content.decode()
    assert "Your access request" in page and "extension notice" in page
    confirm = reverse("cases:case_mail_confirm", args=[case.pk, message.pk])
    assert confirm in page
    response = client.post(
        confirm, {f"m{message.pk}-kind": "extension", f"m{message.pk}-reason": ""}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.EXTENDED
    assert case.events.get(kind=EventKind.EXTENSION_NOTIFIED).occurred_on == (
        timezone.localdate() - timedelta(days=4)
    )
    assert confirm not in client.get(url).content.decode()


def test_confirming_an_answer_on_the_page_records_the_unticked_items_as_missing(client):
    case = CaseFactory(sent=True, requested_items=["audio", "transcripts", "recipients"])
    message = message_ingest(
        raw=vendor_mail(
            to="x@example.org", subject="Data", body="Your data is ready: download link."
        ),
        source=MessageSource.UPLOAD,
        case=case,
    )
    client.force_login(case.requester)
    client.post(
        reverse("cases:case_mail_confirm", args=[case.pk, message.pk]),
        {f"m{message.pk}-kind": "answer", f"m{message.pk}-contains": ["audio", "transcripts"]},
    )
    case.refresh_from_db()
    assert case.status == Status.ANSWERED and case.missing_items == ["recipients"]


def test_a_bounce_says_at_once_that_the_request_did_not_arrive(client):
    case = CaseFactory(sent=True)
    raw = (
        b"From: MAILER-DAEMON@mx.example.com\r\nTo: x@example.org\r\nSubject: Undeliverable\r\n"
        b"Date: " + wrote(0).encode() + b"\r\n\r\nUser unknown.\r\n"
    )
    message_ingest(raw=raw, source=MessageSource.UPLOAD, case=case)
    client.force_login(case.requester)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'id="bounced"' in page


def test_an_uploaded_eml_lands_on_the_case(client):
    case = CaseFactory(sent=True)
    client.force_login(case.requester)
    raw = vendor_mail(to=case.requester_email, subject="Hi", body="Please verify your identity.")
    response = client.post(
        reverse("cases:case_mail_upload", args=[case.pk]),
        {"file": SimpleUploadedFile("reply.eml", raw, "message/rfc822")},
    )
    assert response.status_code == 302
    message = InboundMessage.objects.get()
    assert message.case == case and message.source == MessageSource.UPLOAD
    assert message.suggestion == Suggestion.IDENTITY


def test_a_forwarded_message_is_read_from_the_original_it_carries(client):
    case = CaseFactory(sent=True)
    original = vendor_mail(
        to=case.requester_email,
        subject="Your request",
        body="We have received your request.",
        date=wrote(6),
    )
    forward = EmailMessage(policy=default_policy)
    forward["From"], forward["To"] = case.requester_email, "me@example.org"
    forward["Subject"], forward["Date"] = "Fwd: Your request", wrote(0)
    forward.set_content("See below.")
    forward.add_attachment(message_from_bytes(original, policy=default_policy))
    client.force_login(case.requester)
    client.post(
        reverse("cases:case_mail_upload", args=[case.pk]),
        {"file": SimpleUploadedFile("fwd.eml", forward.as_bytes(), "message/rfc822")},
    )
    message = InboundMessage.objects.get()
    assert message.suggestion == Suggestion.ACKNOWLEDGEMENT
    assert message.from_address == "privacy@vendor.example.com"
    assert timezone.localtime(message.sent_at).date() == timezone.localdate() - timedelta(days=6)


def test_a_file_that_is_no_message_is_refused(client):
    case = CaseFactory(sent=True)
    client.force_login(case.requester)
    for name, data in [
        ("x.msg", b"not an OLE file"),
        ("x.eml", b"\x00\x01 just bytes"),
        ("x.txt", b"From: a"),
    ]:
        client.post(
            reverse("cases:case_mail_upload", args=[case.pk]),
            {"file": SimpleUploadedFile(name, data)},
        )
    assert not InboundMessage.objects.exists()


def test_an_upload_above_the_limit_is_refused(client, settings):
    settings.UPLOAD_MAX_BYTES = 1_000
    case = CaseFactory(sent=True)
    client.force_login(case.requester)
    raw = vendor_mail(to="x@example.org", subject="Big", body="z" * 5_000)
    client.post(
        reverse("cases:case_mail_upload", args=[case.pk]),
        {"file": SimpleUploadedFile("big.eml", raw)},
    )
    assert not InboundMessage.objects.exists()


def test_nobody_else_sees_or_confirms_a_cases_messages(client):
    case = CaseFactory(sent=True)
    message = message_ingest(
        raw=vendor_mail(
            to="x@example.org", subject="Secret", body="We have received your request."
        ),
        source=MessageSource.UPLOAD,
        case=case,
    )
    client.force_login(UserFactory())
    assert client.get(reverse("cases:case_mail_raw", args=[case.pk, message.pk])).status_code == 404
    response = client.post(
        reverse("cases:case_mail_confirm", args=[case.pk, message.pk]),
        {f"m{message.pk}-kind": "acknowledgement"},
    )
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.state == MessageState.SUGGESTED


def test_the_original_downloads_as_received_and_never_inline(client):
    case = CaseFactory(sent=True)
    raw = vendor_mail(
        to="x@example.org", subject="Hi", body="", html="<p>Hi</p><img src='http://x/y'>"
    )
    message = message_ingest(raw=raw, source=MessageSource.UPLOAD, case=case)
    client.force_login(case.requester)
    response = client.get(reverse("cases:case_mail_raw", args=[case.pk, message.pk]))
    assert b"".join(response.streaming_content) == raw
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "http://x/y" not in page


def test_the_organisation_queue_shows_its_own_unfiled_and_unconfirmed_messages_only(client):
    organisation = OrganisationFactory()
    worker = MembershipFactory(organisation=organisation, role=Membership.Role.CASEWORKER).user
    ours = MandateFactory(case=CaseFactory(sent=True), organisation=organisation).case
    theirs = MandateFactory(case=CaseFactory(sent=True)).case
    for case in (ours, theirs):
        message_ingest(
            raw=vendor_mail(
                to="x@example.org",
                subject=f"About {case.pk}",
                body="We have received your request.",
            ),
            source=MessageSource.UPLOAD,
            case=case,
        )
    closed = MandateFactory(case=CaseFactory(sent=True), organisation=organisation).case
    address = reply_address_issue(case=closed)
    from cases import services

    services.case_close(case=closed, actor=closed.requester)
    late = message_ingest(
        raw=vendor_mail(to=address, subject="Late answer", body="Your data is attached."),
        source=MessageSource.IMAP,
    )
    client.force_login(worker)
    page = client.get(reverse("cases:org_mail_queue", args=[organisation.slug])).content.decode()
    assert f"About {ours.pk}" in page and "Late answer" in page
    assert f"About {theirs.pk}" not in page
    dashboard = client.get(
        reverse("cases:org_dashboard", args=[organisation.slug])
    ).content.decode()
    assert "2 messages from companies wait for you" in dashboard

    # Filing the late message on another open case of the organisation; not on another's.
    client.post(
        reverse("cases:org_mail_file", args=[organisation.slug, late.pk]), {"case": theirs.pk}
    )
    late.refresh_from_db()
    assert late.case is None
    client.post(
        reverse("cases:org_mail_file", args=[organisation.slug, late.pk]), {"case": ours.pk}
    )
    late.refresh_from_db()
    assert late.case == ours and late.state == MessageState.SUGGESTED


def test_a_viewer_cannot_file_or_dismiss_from_the_queue(client):
    organisation = OrganisationFactory()
    viewer = MembershipFactory(organisation=organisation, role=Membership.Role.VIEWER).user
    case = MandateFactory(case=CaseFactory(sent=True), organisation=organisation).case
    message = message_ingest(
        raw=vendor_mail(to="x@example.org", subject="S", body="We have received your request."),
        source=MessageSource.UPLOAD,
        case=case,
    )
    client.force_login(viewer)
    assert client.get(reverse("cases:org_mail_queue", args=[organisation.slug])).status_code == 200
    response = client.post(reverse("cases:org_mail_dismiss", args=[organisation.slug, message.pk]))
    assert response.status_code == 403


def test_an_uploaded_outlook_msg_lands_on_the_case_with_its_own_date(client):
    case = CaseFactory(sent=True)
    client.force_login(case.requester)
    raw = outlook_message(
        sender="privacy@vendor.example.com",
        to=case.requester_email,
        subject="Votre demande",
        body="Nous accusons bonne réception de votre demande.",
        date=wrote(2),
    )
    response = client.post(
        reverse("cases:case_mail_upload", args=[case.pk]),
        {"file": SimpleUploadedFile("reply.msg", raw, "application/vnd.ms-outlook")},
    )
    assert response.status_code == 302
    message = InboundMessage.objects.get()
    assert message.raw_format == "msg" and message.case == case
    assert message.suggestion == Suggestion.ACKNOWLEDGEMENT
    assert message.suggestion_language == "fr"
    assert message.from_address == "privacy@vendor.example.com"
    assert timezone.localtime(message.sent_at).date() == timezone.localdate() - timedelta(days=2)
    with message.raw.open("rb") as stored:
        assert stored.read() == raw


def test_staff_see_every_message_in_the_back_office_but_change_nothing(client):
    message_ingest(
        raw=vendor_mail(to="nobody@example.org", subject="Nobody's", body="Hello."),
        source=MessageSource.IMAP,
    )
    client.force_login(UserFactory(superuser=True))
    page = client.get("/admin/cases/inboundmessage/")
    assert page.status_code == 200 and "Nobody&#x27;s" in page.content.decode()
    assert client.get("/admin/cases/inboundmessage/add/").status_code == 403
