"""E-mail with the vendor: reply addresses for a case, the messages that came in, the mailbox.

Every inbound message is kept as received (its raw bytes, privately, with their SHA-256), filed
on a case or waiting in a queue, with the suggestion of what it is; nothing a message says moves
a clock until a person confirms it (cases.mail.services), except a bounce, flagged at once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case, CaseEvent
from cases.models.letter import Letter
from cases.models.people import Organisation


class ReplyToken(models.Model):
    """The secret part of a case's reply address (`case+<token>@<inbound domain>`).

    Only the token's SHA-256 is stored: a copy of the database does not let anyone post into a
    case. A new token is made for each letter sent; all of a case's are revoked when it closes.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reply_tokens")
    letter = models.ForeignKey(
        Letter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reply address")
        verbose_name_plural = _("reply addresses")

    def __str__(self) -> str:
        return f"reply token of case #{self.case_id}"


class MessageSource(models.TextChoices):
    IMAP = "imap", _("mailbox")
    WEBHOOK = "webhook", _("mail provider")
    UPLOAD = "upload", _("uploaded file")


class MessageState(models.TextChoices):
    UNFILED = "unfiled", _("not filed on a case")
    SUGGESTED = "suggested", _("waiting for confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    DISMISSED = "dismissed", _("dismissed")


class Suggestion(models.TextChoices):
    """What a message seems to be (cases.mail.rules)."""

    ACKNOWLEDGEMENT = "acknowledgement", _("acknowledgement of receipt")
    IDENTITY = "identity", _("request for identity or clarification")
    EXTENSION = "extension", _("extension notice")
    REFUSAL = "refusal", _("refusal")
    ANSWER = "answer", _("answer with data or a download link")
    AUTO_REPLY = "auto_reply", _("automatic reply")
    BOUNCE = "bounce", _("delivery failure (bounce)")
    UNKNOWN = "unknown", _("not recognised")


class UnfiledReason(models.TextChoices):
    NONE = "", _("filed")
    NO_TOKEN = "no_token", _("no reply address of a case and no case reference")
    UNKNOWN_TOKEN = "unknown_token", _("the reply address belongs to no case")
    CLOSED_CASE = "closed_case", _("the case is closed")
    AMBIGUOUS = "ambiguous", _("more than one case matches")
    UNREADABLE = "unreadable", _("the message could not be read")


def raw_message_path(instance: InboundMessage, filename: str) -> str:
    # A random name: nothing about the message or the person is in the path.
    return f"mail/{uuid.uuid4().hex}"


class InboundMessage(models.Model):
    """One message from a vendor (or about one), kept exactly as it arrived."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="inbound_messages"
    )
    # Whose queue an unfiled message waits in, when it can be told (a closed case's
    # organisation, or the one organisation all matching cases belong to).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )
    # A closed case the message named: kept to show, never filed on it.
    case_hint = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("came by"), max_length=8, choices=MessageSource.choices)
    raw = models.FileField(upload_to=raw_message_path, max_length=300)
    raw_format = models.CharField(max_length=8, default="eml")  # "eml" or "msg" (Outlook)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size"))

    message_id = models.CharField(max_length=998, blank=True)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    to_addresses = models.TextField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    # The Date header: when the vendor wrote. Clocks move from its day once confirmed.
    sent_at = models.DateTimeField(_("written at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    # The text shown: the plain part, or the HTML part reduced to text (nothing is fetched).
    body_text = models.TextField(blank=True)
    was_html = models.BooleanField(default=False)

    state = models.CharField(max_length=10, choices=MessageState.choices)
    unfiled_reason = models.CharField(
        max_length=16, choices=UnfiledReason.choices, blank=True, default=""
    )
    suggestion = models.CharField(max_length=16, choices=Suggestion.choices)
    suggestion_language = models.CharField(max_length=8, blank=True)
    # The words that made the suggestion, and for an extension the reason it gave.
    suggestion_evidence = models.TextField(blank=True)
    extension_reason = models.TextField(blank=True)
    is_automatic = models.BooleanField(default=False)
    # Evidence rows made from its attachments, and what was refused and why.
    evidence_ids = models.JSONField(default=list, blank=True)
    problems = models.JSONField(default=list, blank=True)

    event = models.ForeignKey(
        CaseEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["received_at", "pk"]
        indexes = [
            models.Index(fields=["case", "received_at"], name="inbound_case_received"),
            models.Index(fields=["organisation", "state"], name="inbound_org_state"),
            models.Index(fields=["state", "received_at"], name="inbound_state_received"),
        ]

    def __str__(self) -> str:
        return self.subject or f"message #{self.pk}"

    @property
    def waiting(self) -> bool:
        return self.state in (MessageState.UNFILED, MessageState.SUGGESTED)


class MailboxState(models.Model):
    """How polling a mailbox went: shown on /healthz; failures back off (cases.mail.imap)."""

    name = models.CharField(max_length=100, unique=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    messages_read = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
