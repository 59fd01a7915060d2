"""The mailbox poller against a real IMAP server (Debian's dovecot on a loopback port)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.mail.addresses import reply_address_issue
from cases.mail.imap import backoff_seconds, mailbox_poll
from cases.models import InboundMessage, MailboxState, MessageState, Suggestion
from tasks.mail import mail_poll
from tests.factories import CaseFactory
from tests.mail.helpers import free_port, vendor_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings, dovecot_server):
    settings.DSAR_INBOUND_DOMAIN = "in.dsar.example.org"
    settings.MAIL_IMAP_URL = dovecot_server.url
    settings.MAIL_IMAP_PROCESSED_FOLDER = "Processed"
    return dovecot_server


def test_the_poller_files_each_message_and_moves_it_out_of_the_inbox(mailbox, client):
    case = CaseFactory(sent=True)
    address = reply_address_issue(case=case)
    mailbox.append(vendor_mail(to=address, subject="Re", body="We have received your request."))
    mailbox.append(vendor_mail(to="nobody@in.dsar.example.org", subject="?", body="Hello."))

    assert mail_poll() == 2
    filed = InboundMessage.objects.get(case=case)
    assert filed.suggestion == Suggestion.ACKNOWLEDGEMENT and filed.state == MessageState.SUGGESTED
    assert InboundMessage.objects.filter(case__isnull=True, state=MessageState.UNFILED).count() == 1

    imap = mailbox.client()
    imap.select_folder("INBOX")
    assert imap.search() == []
    imap.select_folder("Processed")
    assert len(imap.search(["SEEN"])) == 2
    imap.logout()

    # Nothing new: nothing read again.
    assert mailbox_poll() == 0
    assert InboundMessage.objects.count() == 2
    health = client.get("/healthz").json()
    assert health["mailbox"]["ok"] is True and health["mailbox"]["consecutive_failures"] == 0


def test_a_huge_message_keeps_its_headers_and_stays_flagged_in_the_mailbox(mailbox, settings):
    settings.MAIL_MAX_BYTES = 5_000
    settings.MAIL_IMAP_PROCESSED_FOLDER = ""
    case = CaseFactory(sent=True)
    address = reply_address_issue(case=case)
    mailbox.append(vendor_mail(to=address, subject="Big", body="y" * 40_000))
    assert mailbox_poll() == 1
    message = InboundMessage.objects.get()
    assert message.case == case and message.size > 40_000
    assert any("too large" in p for p in message.problems)
    imap = mailbox.client()
    imap.select_folder("INBOX")
    assert imap.search(["FLAGGED"])  # still there for a person to read
    imap.logout()


def test_malformed_and_looping_mail_does_not_stop_the_poller(mailbox):
    case = CaseFactory(sent=True)
    address = reply_address_issue(case=case)
    mailbox.append(b"\x00\xffnot a message at all\r\n\r\n\x00")
    mailbox.append(
        vendor_mail(
            to=address,
            subject="Automatic reply: Automatic reply",
            body="Away",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    mailbox.append(vendor_mail(to=address, subject="ID", body="Please verify your identity."))
    assert mailbox_poll() == 3
    kinds = set(InboundMessage.objects.values_list("suggestion", flat=True))
    assert {Suggestion.AUTO_REPLY, Suggestion.IDENTITY} <= kinds


def test_a_failing_mailbox_backs_off_and_shows_on_healthz(settings, client):
    settings.MAIL_IMAP_URL = f"imap://dsar:wrong@127.0.0.1:{free_port()}/INBOX"
    now = timezone.now()
    assert mailbox_poll(now=now) == 0
    state = MailboxState.objects.get()
    assert state.consecutive_failures == 1 and state.last_error
    assert state.next_attempt_at == now + timedelta(seconds=backoff_seconds(1))
    # Within the wait nothing is tried; after it, the next failure doubles the wait.
    assert mailbox_poll(now=now + timedelta(seconds=1)) == 0
    assert MailboxState.objects.get().consecutive_failures == 1
    later = state.next_attempt_at + timedelta(seconds=1)
    mailbox_poll(now=later)
    state.refresh_from_db()
    assert state.consecutive_failures == 2
    assert state.next_attempt_at == later + timedelta(seconds=2 * backoff_seconds(1))
    health = client.get("/healthz")
    assert health.status_code == 200  # the site still serves
    assert health.json()["mailbox"]["ok"] is False


def test_a_wrong_password_is_a_failure_not_a_crash(mailbox, settings):
    settings.MAIL_IMAP_URL = mailbox.url.replace("secret-imap", "wrong")
    assert mailbox_poll() == 0
    assert MailboxState.objects.get().consecutive_failures == 1


def test_backoff_doubles_up_to_its_ceiling(settings):
    settings.MAIL_POLL_BACKOFF_BASE_SECONDS, settings.MAIL_POLL_BACKOFF_MAX_SECONDS = 60, 600
    assert [backoff_seconds(n) for n in range(6)] == [0, 60, 120, 240, 480, 600]


def test_a_poll_already_running_is_not_run_twice(mailbox, isolated_cache):
    from django.core.cache import cache

    from cases.mail.imap import mailbox_config

    case = CaseFactory(sent=True)
    mailbox.append(vendor_mail(to=reply_address_issue(case=case), subject="R", body="Hi"))
    cache.add(f"mail-poll:{mailbox_config().name}", "busy")
    assert mailbox_poll() == 0
    cache.clear()
    assert mailbox_poll() == 1
