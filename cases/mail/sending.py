"""A letter to the vendor sent from the app as an e-mail (Django's e-mail framework, SMTP from
EMAIL_URL): the letter's text in the body, its PDF attached, the person copied, and a reply
address of the case's own so that the answer files itself. The mailto link and the plain text
to paste stay for anyone who prefers their own mail program.
"""

from __future__ import annotations

import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import services
from cases.exceptions import CaseError
from cases.letters.compose import access_request_text
from cases.mail.addresses import case_reference, inbound_domain, reply_address_issue
from cases.models import TO_AUTHORITY, Channel, Letter, LetterKind, LetterStatus, User

logger = logging.getLogger(__name__)


def _refusal(letter: Letter) -> str | None:
    """Why `letter` cannot be e-mailed from the app now, or None. The page reads it too."""
    if letter.kind in TO_AUTHORITY:
        return _("Letters to an authority go through its own form or address.")
    if not letter.case.vendor.email:
        return _("The company has no privacy e-mail address on record.")
    if letter.status != LetterStatus.READY or not letter.pdf:
        return _("The letter is not ready yet.")
    if not services.letter_may_be_marked_sent(letter):
        return _("This letter is already marked as sent.")
    return None


def letter_may_be_emailed(letter: Letter) -> bool:
    return _refusal(letter) is None


def _subject_and_body(letter: Letter) -> tuple[str, str]:
    if letter.kind == LetterKind.ACCESS_REQUEST:
        subject, body = access_request_text(letter)
    else:
        with translation.override(letter.language):
            subject = f"{letter.get_kind_display().capitalize()}: {letter.case.requester_name}"
        body = letter.rendered_text
    return f"{subject} [{case_reference(letter.case)}]", body


def letter_send_email(*, letter: Letter, actor: User | None) -> Letter:
    """E-mail `letter` to the vendor and record it as sent (`letter_mark_sent`), with the moment
    it left in the event. The letter is marked inside the transaction and the message sent
    before it commits: if the mail server refuses, nothing is recorded; a letter cannot be sent
    twice (the row is locked and `letter_mark_sent` refuses a sent letter)."""
    with transaction.atomic():
        letter = (
            Letter.objects.select_for_update(of=("self",))
            .select_related("case__vendor")
            .get(pk=letter.pk)
        )
        refusal = _refusal(letter)
        if refusal is not None:
            raise CaseError(refusal, field="letter")
        case = letter.case
        subject, body = _subject_and_body(letter)
        reply_to = reply_address_issue(case=case, letter=letter)
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[case.vendor.email],
            cc=[case.requester_email],
            reply_to=[reply_to] if reply_to else [case.requester_email],
            headers={
                "Message-ID": make_msgid(domain=inbound_domain() or None),
                # Sent by a person's click, not by a machine: vendors' auto-replies still answer.
                "Auto-Submitted": "no",
            },
        )
        with letter.pdf.open("rb") as pdf:
            name = f"{letter.kind}-{case_reference(case)}.pdf"
            message.attach(name, pdf.read(), "application/pdf")
        sent_at = timezone.now()
        services.letter_mark_sent(
            letter=letter,
            actor=actor,
            sent_on=timezone.localtime(sent_at).date(),
            channel=Channel.EMAIL,
            sent_at=sent_at,
        )
        message.send(fail_silently=False)
    logger.info("letter %s e-mailed to the vendor of case %s", letter.pk, case.pk)
    return letter


__all__ = ["letter_may_be_emailed", "letter_send_email"]
