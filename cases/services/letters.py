"""Services for letters: ask for one, render it (in a worker), retry it, mark it sent.

A letter is a row first and a PDF later: `letter_request` writes the row (status queued) and
enqueues the render after commit; `letter_render` claims the row, renders and stores the PDF.
The database is the source of truth: when the broker is down, `letters_requeue_stuck` (run by
beat) queues again what waited too long, so a Redis outage delays letters but loses none.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import ActionNotAvailable, CaseError, InvalidDates
from cases.letters.compose import letter_html
from cases.letters.phrases import LANGUAGES
from cases.letters.recipients import recipient_language
from cases.letters.rules import incidents_for, letter_incident, letter_refusal
from cases.models import (
    TO_AUTHORITY,
    Authority,
    Case,
    CaseEvent,
    Channel,
    EventKind,
    Incident,
    Letter,
    LetterKind,
    LetterStatus,
    Mandate,
    MandateScope,
    User,
)
from cases.queue import enqueue, enqueue_on_commit
from cases.services.cases import (
    case_mark_sent,
    case_record_complaint_filed,
    case_record_reminder_sent,
    deadlines_refresh,
)
from cases.services.events import event_record
from cases.services.webhooks import webhooks_emit_for_letter

logger = logging.getLogger(__name__)

RENDER_TASK = "tasks.letters.letter_render"


def _actor(actor: User | None) -> User | None:
    return actor if getattr(actor, "pk", None) else None


# --- Asking for a letter ---------------------------------------------------------------------

# What a letter written by somebody other than the data subject needs their mandate to cover.
MANDATE_SCOPE_NEEDED = {
    LetterKind.REMINDER: MandateScope.CORRESPONDENCE,
    LetterKind.INCIDENT_NOTICE: MandateScope.CORRESPONDENCE,
    LetterKind.COMPLAINT: MandateScope.COMPLAINT,
    LetterKind.BREACH_REPORT: MandateScope.COMPLAINT,
}


def _check_mandate_covers(case: Case, actor: User | None, kind: str) -> None:
    """On a case an organisation runs, anybody but the data subject writes in their name only as
    far as the mandate goes (GDPR Art. 80(1)): to the company with `correspondence`, to an
    authority with `complaint`. Checked here, whoever asks: a page, the API with any key, a
    bulk job."""
    needed = MANDATE_SCOPE_NEEDED.get(kind)
    if needed is None or case.organisation_id is None:
        return
    if actor is not None and actor.pk == case.requester_id:
        return  # the data subject writes in their own name
    mandate = Mandate.objects.active().filter(case=case, organisation=case.organisation_id).first()
    if mandate is None or needed not in mandate.scope:
        raise CaseError(_("The data subject's mandate does not cover this letter."), field="kind")


def letter_request(
    *,
    case: Case,
    actor: User | None,
    kind: str,
    language: str | None = None,
    authority: Authority | None = None,
    incident: Incident | None = None,
    court_proceedings_pending: bool | None = None,
) -> Letter:
    """Ask for a letter: a new version of `kind` for the case, queued for rendering.

    A complaint (Art. 77) needs the authority it goes to; a reminder needs a request that was
    sent and something to remind of; an incident notice needs an incident of a kind the vendor
    must answer for (the latest one unless `incident` says which). The language defaults to
    the recipient's. A complaint asked for on a page must say whether court proceedings on
    the same matter are pending (`court_proceedings_pending`), which it then states; through
    the API the answer is optional and, when not given, the complaint says nothing of it.
    Earlier versions are kept.
    """
    if kind not in LetterKind.values:
        raise CaseError(_("Unknown kind of letter."), field="kind")
    if language and language not in LANGUAGES:
        raise CaseError(_("Letters are written in English, French or German."), field="language")
    today = timezone.localdate()
    with transaction.atomic():
        # Locking the case serialises version numbers for concurrent requests.
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("vendor__lead_authority", "organisation")
            .get(pk=case.pk)
        )
        refusal = letter_refusal(case, kind, today=today)
        if refusal is not None:
            message, field = refusal
            raise ActionNotAvailable(message, field=field)
        _check_mandate_covers(case, _actor(actor), kind)
        if kind in TO_AUTHORITY:
            if authority is None:
                raise CaseError(_("Choose the authority the letter goes to."), field="authority")
        else:
            authority = None
        candidates = incidents_for(kind, case.incidents.all())
        if candidates is None:
            incident = None
        elif incident is None:
            incident = candidates[0]  # letter_refusal made sure there is one
        elif incident.pk not in {c.pk for c in candidates}:
            raise CaseError(
                _("This letter cannot be about that incident: choose one of those it lists."),
                field="incident",
            )
        language = language or recipient_language(case=case, kind=kind, authority=authority)
        latest = case.letters.filter(kind=kind).aggregate(latest=Max("version"))["latest"]
        letter = Letter.objects.create(
            case=case,
            kind=kind,
            version=(latest or 0) + 1,
            language=language,
            authority=authority,
            status=LetterStatus.QUEUED,
            created_by=_actor(actor),
            court_proceedings_pending=(
                court_proceedings_pending if kind == LetterKind.COMPLAINT else None
            ),
        )
        event_record(
            case,
            actor,
            EventKind.LETTER_GENERATED,
            on=today,
            letter_id=letter.pk,
            letter_kind=kind,
            version=letter.version,
            language=language,
            authority_id=authority.pk if authority else None,
            incident_id=incident.pk if incident else None,
        )
        enqueue_on_commit(RENDER_TASK, letter.pk)
    return letter


# --- Rendering -------------------------------------------------------------------------------


def letter_render(*, letter_id: int) -> bool:
    """Render a queued (or failed) letter to PDF, once; True if this call rendered it.

    The row lock is the claim: a letter another worker is rendering is skipped, and a ready one
    is never rendered again, so a duplicate task does nothing. A render error (a template, the
    PDF engine) marks the letter failed with the error, for the user to retry; it is not raised,
    as running the task again would fail the same way. A database error is raised: the row stays
    queued and is picked up again.
    """
    from cases.letters.render import html_to_text, render_pdf  # WeasyPrint loads only in workers

    with transaction.atomic():
        letter = (
            Letter.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case__vendor__lead_authority", "case__organisation", "authority")
            .filter(pk=letter_id, status__in=[LetterStatus.QUEUED, LetterStatus.FAILED])
            .first()
        )
        if letter is None:
            return False
        try:
            html = letter_html(letter)
            pdf = render_pdf(html)
        except DatabaseError:
            raise
        except Exception as exc:
            logger.exception("letter %s could not be rendered", letter_id)
            letter.status = LetterStatus.FAILED
            letter.error = f"{type(exc).__name__}: {exc}"[:2000]
            letter.save(update_fields=["status", "error"])
            return False
        letter.pdf.save(f"{letter.kind}.pdf", ContentFile(pdf), save=False)
        letter.sha256 = hashlib.sha256(pdf).hexdigest()
        letter.rendered_text = html_to_text(html)
        letter.rendered_at = timezone.now()
        letter.status = LetterStatus.READY
        letter.error = ""
        letter.save(
            update_fields=["pdf", "sha256", "rendered_text", "rendered_at", "status", "error"]
        )
        webhooks_emit_for_letter(letter=letter)
    return True


@transaction.atomic
def letter_retry(*, letter: Letter, actor: User | None) -> Letter:
    """Queue a failed letter for rendering again."""
    retried = Letter.objects.filter(pk=letter.pk, status=LetterStatus.FAILED).update(
        status=LetterStatus.QUEUED, error=""
    )
    if not retried:
        raise CaseError(_("Only a letter that failed can be tried again."), field="letter")
    enqueue_on_commit(RENDER_TASK, letter.pk)
    letter.refresh_from_db()
    return letter


def letters_requeue_stuck(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Queue again every letter still waiting for its render after LETTER_REQUEUE_AFTER_SECONDS:
    its task was lost (broker down when it was asked for, a worker killed). Rendering claims the
    row, so a letter queued twice is rendered once."""
    now = now or timezone.now()
    waited = timedelta(seconds=settings.LETTER_REQUEUE_AFTER_SECONDS)
    stuck = (
        Letter.objects.filter(status=LetterStatus.QUEUED, created_at__lt=now - waited)
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    queued = 0
    for letter_id in stuck:
        if not enqueue(RENDER_TASK, letter_id):
            break  # broker still down: the next beat tick tries again
        queued += 1
    return queued


# --- Sending ---------------------------------------------------------------------------------


@transaction.atomic
def incident_mark_reported(
    *, incident: Incident, actor: User | None, reported_on: date, letter: Letter | None = None
) -> Incident:
    """The incident was reported to the vendor. For a misdirected export this dates the 72 hours
    the vendor has to notify its authority (Art. 33(1)), shown as information only
    (`facts.breach_notice_due`), not as a clock. A date already recorded is kept: the first
    report is the one that counts."""
    incident = Incident.objects.select_for_update().select_related("case").get(pk=incident.pk)
    if reported_on > timezone.localdate():
        raise InvalidDates(_("This date is in the future."), field="sent_on")
    if reported_on < incident.discovered_on:
        raise InvalidDates(_("It cannot be reported before it was discovered."), field="sent_on")
    if incident.reported_to_vendor_on is None:
        incident.reported_to_vendor_on = reported_on
        incident.save(update_fields=["reported_to_vendor_on"])
        event_record(
            incident.case,
            actor,
            EventKind.NOTE,
            on=reported_on,
            note=_("Incident notice sent to the company."),
            incident_reported=incident.pk,
            incident_kind=incident.kind,
            letter_id=letter.pk if letter else None,
        )
        deadlines_refresh(case=incident.case)
    return incident


def _notice_incident(
    letter: Letter,
    *,
    events: Sequence[CaseEvent] | None = None,
    incidents: Sequence[Incident] | None = None,
) -> Incident | None:
    """The incident an incident notice reports; None for other letters (or if it is gone)."""
    if letter.kind != LetterKind.INCIDENT_NOTICE:
        return None
    return letter_incident(letter, events=events, incidents=incidents)


def _send_refusal(letter: Letter, incident: Incident | None) -> CaseError | None:
    """Why `letter` cannot be marked sent now, or None if it can. The one rule for both the
    service and the page's "Mark as sent" form; `incident` is `_notice_incident(letter)`."""
    if letter.sent_on is not None:
        return CaseError(_("This letter is already marked as sent."), field="sent_on")
    # The access request may go out as plain text before (or without) its PDF.
    if letter.status != LetterStatus.READY and letter.kind != LetterKind.ACCESS_REQUEST:
        return CaseError(_("The letter is not ready yet."), field="sent_on")
    if letter.kind == LetterKind.ACCESS_REQUEST and letter.case.sent_on is not None:
        return CaseError(_("The request is already marked as sent."), field="sent_on")
    if letter.kind in TO_AUTHORITY and letter.authority_id is None:
        return CaseError(_("This letter names no authority."), field="authority")
    if letter.kind == LetterKind.INCIDENT_NOTICE and incident is None:
        return CaseError(_("The incident of this notice no longer exists."), field="sent_on")
    return None


def letter_may_be_marked_sent(
    letter: Letter,
    *,
    events: Sequence[CaseEvent] | None = None,
    incidents: Sequence[Incident] | None = None,
) -> bool:
    """Whether `letter_mark_sent` would take this letter today (the date aside): what the case
    page reads to offer its "Mark as sent" form (passing the events and incidents it read)."""
    incident = _notice_incident(letter, events=events, incidents=incidents)
    return _send_refusal(letter, incident) is None


@transaction.atomic
def letter_mark_sent(
    *,
    letter: Letter,
    actor: User | None,
    sent_on: date,
    channel: str | None = None,
    sent_at: datetime | None = None,
) -> Letter:
    """Record that a letter went out, and start the clock it starts: the access request the
    one-month answer (Art. 12(3)), a reminder the 14 days it gives, a complaint the authority's
    three months (Art. 78(2)); an incident notice dates the vendor's 72 hours for a breach
    (Art. 33(1)), which are information, not a clock."""
    letter = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("case__vendor", "authority")
        .get(pk=letter.pk)
    )
    incident = _notice_incident(letter)
    refusal = _send_refusal(letter, incident)
    if refusal is not None:
        raise refusal
    if sent_on > timezone.localdate():
        raise InvalidDates(_("This date is in the future."), field="sent_on")
    case = letter.case
    if letter.kind == LetterKind.ACCESS_REQUEST:
        channel = channel or case.vendor.preferred_channel or Channel.EMAIL
        case_mark_sent(case=case, actor=actor, sent_on=sent_on, channel=channel, sent_at=sent_at)
    elif letter.kind == LetterKind.REMINDER:
        case_record_reminder_sent(case=case, actor=actor, sent_on=sent_on)
    elif letter.kind == LetterKind.COMPLAINT:
        case_record_complaint_filed(
            case=case, actor=actor, filed_on=sent_on, authority=letter.authority
        )
    elif letter.kind == LetterKind.INCIDENT_NOTICE and incident is not None:  # checked above
        incident_mark_reported(incident=incident, actor=actor, reported_on=sent_on, letter=letter)
    elif letter.kind == LetterKind.BREACH_REPORT:
        # A report starts no clock of the person's: the authority acts of its own motion.
        event_record(
            case,
            actor,
            EventKind.NOTE,
            on=sent_on,
            note=_("Breach report sent to %(authority)s.") % {"authority": letter.authority},
            letter_id=letter.pk,
        )
    letter.sent_on = sent_on
    letter.save(update_fields=["sent_on"])
    return letter


__all__ = [
    "incident_mark_reported",
    "letter_mark_sent",
    "letter_may_be_marked_sent",
    "letter_render",
    "letter_request",
    "letter_retry",
    "letters_requeue_stuck",
]
