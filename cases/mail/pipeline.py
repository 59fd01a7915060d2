"""One pipeline for every message, whichever way it came (IMAP, a provider's webhook, an upload):
keep it as received, file it, turn its attachments into evidence, suggest what it is.

Nothing is lost: whatever cannot be parsed, filed or checked is still stored, with its SHA-256,
and waits in the queue with the reason. Nothing moves a clock here, except a bounce (the request
did not arrive), which is put on the case's timeline at once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import CaseError
from cases.mail import addresses, exports, rules
from cases.mail.parsing import ParsedMail, domain_of, parse, parse_headers_only
from cases.models import (
    Case,
    EventKind,
    InboundMessage,
    MessageSource,
    MessageState,
    Status,
    Suggestion,
    UnfiledReason,
    User,
)
from cases.services.events import event_record
from cases.services.evidence import evidence_add

logger = logging.getLogger(__name__)


# --- Filing ----------------------------------------------------------------------------------


def _subject_candidates(mail: ParsedMail) -> list[Case]:
    """Open cases a message names in its subject, by our reference (DSAR-<id>) or the vendor's
    own, and only where it comes from the vendor's mail domain: a vendor that answers from its
    ticket system instead of replying to our address."""
    sender_domain = domain_of(mail.from_address)
    if not sender_domain:
        return []
    ids = [int(n) for n in addresses.CASE_REFERENCE_RE.findall(mail.subject)]
    query = Q(pk__in=ids) if ids else Q()
    candidates = Case.objects.filter(vendor__email__iendswith=f"@{sender_domain}").exclude(
        status=Status.CLOSED
    )
    by_ref = list(candidates.filter(query)) if ids else []
    if by_ref:
        return by_ref
    found = []
    for case in candidates.exclude(vendor_reference="").only("pk", "vendor_reference")[:5000]:
        ref = case.vendor_reference.strip()
        if len(ref) >= 4 and re.search(rf"(?<!\w){re.escape(ref)}(?!\w)", mail.subject):
            found.append(case)
    return found


def file_message(
    mail: ParsedMail, extra_recipients: Iterable[str] = (), *, raw: bytes = b""
) -> tuple[Case | None, str, Case | None]:
    """(case, reason it is not filed, closed case it named) for a message that came to our
    inbound address: its reply token first, then the references in its subject."""
    recipients = [*mail.recipients, *extra_recipients]
    tokens = addresses.tokens_in(recipients)
    if not tokens and rules.is_bounce(mail):
        # A bounce quotes the request it returns, with our Reply-To in it.
        tokens = addresses.tokens_in([raw[:1_000_000].decode("utf-8", "replace")])
    reason = UnfiledReason.NO_TOKEN
    for token in tokens:
        stored = addresses.reply_token_find(token)
        if stored is None:
            reason = UnfiledReason.UNKNOWN_TOKEN
            continue
        if stored.revoked_at is not None or not stored.case.is_open:
            return None, UnfiledReason.CLOSED_CASE, stored.case
        return stored.case, UnfiledReason.NONE, None
    candidates = _subject_candidates(mail)
    if len(candidates) == 1:
        return candidates[0], UnfiledReason.NONE, None
    if len(candidates) > 1:
        return None, UnfiledReason.AMBIGUOUS, None
    return None, reason, None


# --- Attachments -----------------------------------------------------------------------------


def _attachments_to_evidence(
    message: InboundMessage, mail: ParsedMail, actor: User | None = None
) -> None:
    """Each attachment through the same checks as an upload (size, type by content:
    `evidence_add`); what fails is noted on the message, which keeps it in its raw bytes. An
    export goes on to the export analyser (`exports.export_received`)."""
    case = message.case
    assert case is not None
    limit = settings.MAIL_MAX_ATTACHMENTS
    problems = list(message.problems)
    ids = list(message.evidence_ids)
    when = message.sent_at or message.received_at or timezone.now()
    for index, attachment in enumerate(mail.attachments):
        if index >= limit:
            problems.append(
                _("%(count)s more attachments were not read (at most %(limit)s per message).")
                % {"count": len(mail.attachments) - limit, "limit": limit}
            )
            break
        upload = SimpleUploadedFile(attachment.name[:200], attachment.data, attachment.content_type)
        try:
            evidence = evidence_add(
                case=case,
                actor=actor,
                upload=upload,
                description=_("Attached to the e-mail “%(subject)s” of %(day)s")
                % {"subject": message.subject[:200], "day": timezone.localtime(when).date()},
                is_vendor_answer=True,
            )
        except CaseError as error:
            problems.append(f"{attachment.name[:120]}: {error.message}")
            continue
        ids.append(evidence.pk)
        if exports.is_export(evidence):
            transaction.on_commit(lambda pk=evidence.pk: exports.export_received(evidence_id=pk))
    message.problems, message.evidence_ids = problems, ids
    message.save(update_fields=["problems", "evidence_ids"])


# --- Bounces ---------------------------------------------------------------------------------


def _flag_bounce(message: InboundMessage) -> None:
    """A delivery failure is put on the timeline at once: the request did not arrive, so no
    clock of Art. 12(3) can have started from it. Recorded as a note (the person decides what
    to do: another address, the web form, post); no other fact of the case changes."""
    case = message.case
    assert case is not None
    day = timezone.localtime(message.sent_at or message.received_at).date()
    day = min(day, timezone.localdate())
    event = event_record(
        case,
        None,
        EventKind.NOTE,
        on=day,
        note=_("The e-mail did not reach the company: its mail server returned it."),
        bounce=True,
        inbound_message_id=message.pk,
    )
    message.event, message.state, message.decided_at = event, MessageState.CONFIRMED, timezone.now()
    message.save(update_fields=["event", "state", "decided_at"])


def message_file_on(
    *,
    message: InboundMessage,
    case: Case,
    mail: ParsedMail | None = None,
    actor: User | None = None,
) -> None:
    """Put `message` on `case` (open): attachments become evidence; a bounce is flagged."""
    if mail is None:
        mail = _analysed(_parse_stored(message), source=message.source, case=case)
    message.case, message.unfiled_reason = case, UnfiledReason.NONE
    message.organisation = case.organisation
    message.state = MessageState.SUGGESTED
    message.save(update_fields=["case", "unfiled_reason", "organisation", "state"])
    if mail.attachments:
        _attachments_to_evidence(message, mail, actor)
    if message.suggestion == Suggestion.BOUNCE:
        _flag_bounce(message)


# --- The pipeline ----------------------------------------------------------------------------


def _parse_stored(message: InboundMessage) -> ParsedMail:
    with message.raw.open("rb") as raw:
        data = raw.read()
    try:
        return parse(data)
    except Exception:
        return ParsedMail()


def _analysed(mail: ParsedMail, *, source: str, case: Case | None) -> ParsedMail:
    """The message to read: a forward's attached original when the person forwarded it (an
    upload, or a message from the case's requester), else the message itself."""
    inner = mail.forwarded
    if inner is None:
        return mail
    from_person = case is not None and mail.from_address == case.requester_email.lower()
    if (
        source == MessageSource.UPLOAD
        or from_person
        or mail.subject.lower().startswith(("fwd:", "fw:", "tr:", "wg:"))
    ):
        inner.recipients = [*inner.recipients, *mail.recipients]
        return inner
    return mail


def _without_nul(mail: ParsedMail) -> ParsedMail:
    """PostgreSQL text holds no NUL character; a broken message may contain some."""
    for name in ("message_id", "from_address", "subject", "text"):
        setattr(mail, name, getattr(mail, name).replace("\x00", ""))
    mail.to = [a.replace("\x00", "") for a in mail.to]
    return mail


def message_ingest(
    *,
    raw: bytes,
    source: str,
    case: Case | None = None,
    actor: User | None = None,
    envelope_recipients: Iterable[str] = (),
    full_size: int | None = None,
) -> InboundMessage:
    """Store, file and read one message. `case`: the case it was uploaded on (the person says
    where it belongs); otherwise it is filed by its reply token or subject, or queued.
    `full_size`: the size of a message of which only the headers were fetched (too large).
    The same bytes twice (a poll repeated after a crash) give the same message once."""
    digest = hashlib.sha256(raw).hexdigest()
    existing = InboundMessage.objects.filter(sha256=digest)
    existing = existing.filter(case=case) if case is not None else existing
    if (found := existing.first()) is not None:
        return found

    problems: list[str] = []
    unreadable = False
    too_large = len(raw) > settings.MAIL_MAX_BYTES or full_size is not None
    try:
        mail = parse_headers_only(raw) if too_large else parse(raw)
    except Exception:
        logger.warning("inbound message %s could not be parsed", digest, exc_info=True)
        mail, unreadable = ParsedMail(), True
        problems.append(_("The message could not be read; it is kept as it arrived."))
    if too_large:
        problems.append(
            _("The message is too large (%(size)s bytes): only its headers were read.")
            % {"size": full_size or len(raw)}
        )
        raw = raw[: settings.MAIL_MAX_BYTES]
    if mail.defects:
        problems.append(_("The message is malformed in places; it was read as far as possible."))

    hint: Case | None = None
    if case is not None:
        reason = UnfiledReason.NONE
    elif unreadable:
        reason = UnfiledReason.UNREADABLE
    else:
        case, reason, hint = file_message(mail, envelope_recipients, raw=raw)
    mail = _analysed(mail, source=source, case=case)
    verdict = rules.classify(mail)
    organisation = (case or hint).organisation if (case or hint) else None

    mail = _without_nul(mail)
    message = InboundMessage(
        case=None,
        organisation=organisation,
        case_hint=hint,
        source=source,
        raw_format="msg" if raw.startswith(b"\xd0\xcf\x11\xe0") else "eml",
        sha256=digest,
        size=full_size or len(raw),
        message_id=mail.message_id,
        from_address=mail.from_address[:320],
        to_addresses=", ".join(mail.to)[:2000],
        subject=mail.subject,
        sent_at=mail.date,
        body_text=mail.text,
        was_html=mail.was_html,
        state=MessageState.UNFILED,
        unfiled_reason=reason,
        suggestion=verdict.kind,
        suggestion_language=verdict.language,
        suggestion_evidence=verdict.evidence,
        extension_reason=verdict.extension_reason,
        is_automatic=verdict.automatic,
        problems=problems,
    )
    # Stored under a random name before the row exists; if the row cannot be written the file
    # goes again (the same order as evidence).
    message.raw.save("message", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            message.save()
            if case is not None:
                message_file_on(message=message, case=case, mail=mail, actor=actor)
    except Exception:
        message.raw.storage.delete(message.raw.name)
        raise
    logger.info(
        "inbound message %s from %s: %s (%s)", message.pk, source, verdict.kind, reason or "filed"
    )
    return message


def message_date(message: InboundMessage) -> datetime:
    """When the vendor wrote: the Date header, else when it reached us."""
    return message.sent_at or message.received_at


__all__ = ["file_message", "message_date", "message_file_on", "message_ingest"]
