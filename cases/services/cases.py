"""Services for a case's life: filing, sending, the vendor's moves, incidents, clocks, reminders."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import actions, clocks, facts, notifications, selectors
from cases.exceptions import CaseError, InvalidDates, NotPermitted
from cases.models import (
    Authority,
    Case,
    Channel,
    Deadline,
    DeadlineKind,
    DeadlineState,
    ErasureGround,
    EventKind,
    Incident,
    IncidentKind,
    IncidentSide,
    Organisation,
    Outcome,
    Reminder,
    ReplyToken,
    RequestKind,
    Status,
    User,
    Vendor,
    checklist,
    in_article_order,
)
from cases.models.people import new_calendar_token
from cases.queue import enqueue, enqueue_on_commit
from cases.regions import is_known_region, regions_of
from cases.selectors import reminders_due
from cases.services.events import event_record

logger = logging.getLogger(__name__)


# --- Validation helpers ----------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _not_in_future(day: date, field: str) -> None:
    if day > _today():
        raise InvalidDates(_("This date is in the future."), field=field)


def _not_before(day: date, earlier: date | None, field: str, message: str) -> None:
    if earlier is not None and day < earlier:
        raise InvalidDates(message, field=field)


def _change_status(case: Case, status: str) -> None:
    if case.status != status:
        case.transition_to(status)


def _locked_for(action: str, case: Case) -> Case:
    """The case, locked, once `cases.actions`' table allows `action` on it now (the same table
    the page and the API offer actions from); ActionNotAvailable otherwise."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    events = list(case.events.order_by("occurred_on", "recorded_at", "pk"))
    actions.require_allowed(action, case, events)
    return case


# --- Cases -----------------------------------------------------------------------------------


def clean_region(country: str, region: str) -> str:
    """The region of residence to store for `country`: a known code where the region decides the
    competent authority (Germany's Länder, § 40 BDSG), "" elsewhere; CaseError for an unknown
    code."""
    region = (region or "").strip().upper()
    if not regions_of(country):
        return ""
    if region and not is_known_region(country, region):
        raise CaseError(_("Choose a Land from the list."), field="requester_region")
    return region


@transaction.atomic
def case_create(
    *,
    requester: User,
    vendor: Vendor,
    requester_name: str,
    requester_email: str,
    requester_country: str,
    requester_address: str = "",
    account_identifiers: str = "",
    device_serials: str = "",
    requested_items: Iterable[str] | None = None,
    language: str = "",
    organisation: Organisation | None = None,
    requester_region: str = "",
    kind: str = RequestKind.ACCESS,
    parent: Case | None = None,
    grounds: Iterable[str] = (),
) -> Case:
    """Open a draft request of `kind` to `vendor`: access (GDPR Art. 15) unless told otherwise.
    `requested_items` are items of the kind's checklist (all of them by default); `parent` is
    the access case a follow-up came from (see `case_follow_ups_create`, which checks it).
    `requester_region` is kept only where it decides the competent authority (a German Land,
    § 40 BDSG)."""
    if kind not in RequestKind.values:
        raise CaseError(_("Unknown kind of request."), field="kind")
    items = list(requested_items) if requested_items is not None else checklist(kind)
    unknown = set(items) - set(checklist(kind))
    if unknown:
        raise CaseError(
            _("Unknown item asked for: %s") % ", ".join(sorted(unknown)), field="requested_items"
        )
    if not items:
        raise CaseError(_("Choose at least one thing to ask for."), field="requested_items")
    country = requester_country.upper()
    if vendor.countries and country not in vendor.countries:
        raise CaseError(
            _(
                "%(entity)s serves residents of %(countries)s only: for another country, "
                "choose the other %(vendor)s entry."
            )
            % {
                "entity": vendor.legal_name,
                "countries": ", ".join(vendor.countries),
                "vendor": vendor.name,
            },
            field="requester_country",
        )
    case = Case.objects.create(
        requester=requester,
        organisation=organisation,
        vendor=vendor,
        requester_name=requester_name.strip(),
        requester_email=requester_email.strip().lower(),
        requester_country=country,
        requester_region=clean_region(country, requester_region),
        requester_address=requester_address.strip(),
        account_identifiers=account_identifiers.strip(),
        device_serials=device_serials.strip(),
        requested_items=in_article_order(items, kind),
        language=language or vendor.request_language or "en",
        kind=kind,
        parent=parent,
        grounds=[g for g in ErasureGround.values if g in set(grounds)],
    )
    event_record(case, requester, EventKind.CREATED, on=_today())
    return case


@transaction.atomic
def case_set_region(*, case: Case, actor: User | None, region: str) -> Case:
    """Record the requester's region of residence, which decides the authority a complaint about
    a company goes to in Germany (the Land's, § 40 BDSG; Art. 77(1)). The change is in the case's
    audit trail (django-auditlog records the case's fields with the actor); no timeline event, as
    it is no fact of the request."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not regions_of(case.requester_country):
        raise CaseError(
            _("Only for a requester who lives in Germany: the Land decides the authority."),
            field="requester_region",
        )
    region = clean_region(case.requester_country, region)
    if not region:
        raise CaseError(_("Choose a Land from the list."), field="requester_region")
    if case.requester_region != region:
        case.requester_region = region
        case.save(update_fields=["requester_region", "updated_at"])
    return case


@transaction.atomic
def case_mark_sent(
    *,
    case: Case,
    actor: User | None,
    sent_on: date,
    channel: str,
    delivered_on: date | None = None,
    sent_at: datetime | None = None,
) -> Case:
    """Record that the request left the requester. By e-mail or web form it reaches the vendor the
    same day; by post the one-month clock (Art. 12(3)) starts on delivery. `sent_at`: the moment
    it left, when the app sent it (cases.mail.sending)."""
    case = _locked_for(actions.MARK_SENT, case)
    if channel not in Channel.values:
        raise CaseError(_("Choose how the request was sent."), field="channel")
    _not_in_future(sent_on, "sent_on")
    if delivered_on is not None:
        _not_in_future(delivered_on, "delivered_on")
        _not_before(
            delivered_on,
            sent_on,
            "delivered_on",
            _("The request cannot arrive before it was sent."),
        )
    received_on = sent_on if channel != Channel.POST else delivered_on
    _change_status(case, Status.AWAITING_RESPONSE if received_on else Status.SENT)
    case.sent_on, case.channel, case.received_on = sent_on, channel, received_on
    case.save(update_fields=["status", "sent_on", "channel", "received_on", "updated_at"])
    extra = {"sent_at": sent_at.isoformat()} if sent_at is not None else {}
    event_record(case, actor, EventKind.SENT, on=sent_on, channel=channel, **extra)
    if channel == Channel.POST and delivered_on:
        event_record(case, actor, EventKind.DELIVERED, on=delivered_on)
    deadlines_refresh(case=case)
    return case


@transaction.atomic
def case_record_delivery(*, case: Case, actor: User | None, delivered_on: date) -> Case:
    """A posted request reached the vendor: the Art. 12(3) clock starts that day."""
    case = _locked_for(actions.DELIVERY, case)
    if case.sent_on is None:
        raise CaseError(_("Mark the request as sent first."), field="delivered_on")
    _not_in_future(delivered_on, "delivered_on")
    _not_before(
        delivered_on,
        case.sent_on,
        "delivered_on",
        _("The request cannot arrive before it was sent."),
    )
    _change_status(case, Status.AWAITING_RESPONSE)
    case.received_on = delivered_on
    case.save(update_fields=["status", "received_on", "updated_at"])
    event_record(case, actor, EventKind.DELIVERED, on=delivered_on)
    deadlines_refresh(case=case)
    return case


@transaction.atomic
def case_record_acknowledgement(
    *, case: Case, actor: User | None, acknowledged_on: date, note: str = ""
) -> Case:
    """The vendor confirmed it has the request. It is not an answer and moves no clock: the
    month of Art. 12(3) runs from receipt of the request, whatever the vendor confirms; the
    statistics count the time to an acknowledgement apart from the time to an answer."""
    case = _locked_for(actions.ACKNOWLEDGEMENT, case)
    received = _require_received(case, "acknowledged_on")
    _not_in_future(acknowledged_on, "acknowledged_on")
    _not_before(
        acknowledged_on,
        received,
        "acknowledged_on",
        _("The vendor cannot reply before it had the request."),
    )
    case.save(update_fields=["updated_at"])
    event_record(case, actor, EventKind.ACKNOWLEDGED, on=acknowledged_on, note=note.strip())
    return case


def _require_received(case: Case, field: str) -> date:
    if case.received_on is None:
        raise CaseError(_("The vendor has not received the request yet."), field=field)
    return case.received_on


def _open_identity_request(case: Case) -> date | None:
    facts = _case_facts(case)
    return next((start for start, end in clocks.identity_pauses(facts) if end is None), None)


@transaction.atomic
def case_identity_requested(
    *, case: Case, actor: User | None, requested_on: date, note: str = ""
) -> Case:
    """The vendor asked for identity or clarification; the clock stands still until it has the
    answer (EDPB Guidelines 01/2022; Art. 12(6) allows it only on reasonable doubt)."""
    case = _locked_for(actions.IDENTITY_REQUESTED, case)
    received = _require_received(case, "requested_on")
    _not_in_future(requested_on, "requested_on")
    _not_before(
        requested_on,
        received,
        "requested_on",
        _("The vendor cannot ask before it had the request."),
    )
    if _open_identity_request(case) is not None:
        raise CaseError(
            _("The vendor's earlier request is still unanswered."), field="requested_on"
        )
    _change_status(case, Status.PAUSED_FOR_IDENTITY)
    case.save(update_fields=["status", "updated_at"])
    event_record(case, actor, EventKind.IDENTITY_REQUESTED, on=requested_on, note=note)
    deadlines_refresh(case=case)
    return case


@transaction.atomic
def case_identity_provided(*, case: Case, actor: User | None, provided_on: date) -> Case:
    """The requester's answer reached the vendor: the paused clock runs again."""
    case = _locked_for(actions.IDENTITY_PROVIDED, case)
    asked_on = _open_identity_request(case)
    if asked_on is None:
        raise CaseError(_("The vendor has not asked for anything."), field="provided_on")
    _not_in_future(provided_on, "provided_on")
    _not_before(
        provided_on, asked_on, "provided_on", _("The answer cannot arrive before the question.")
    )
    extended = case.events.filter(kind=EventKind.EXTENSION_NOTIFIED).exists()
    _change_status(case, Status.EXTENDED if extended else Status.AWAITING_RESPONSE)
    case.save(update_fields=["status", "updated_at"])
    event_record(case, actor, EventKind.IDENTITY_PROVIDED, on=provided_on)
    deadlines_refresh(case=case)
    return case


@transaction.atomic
def case_extension_notified(
    *, case: Case, actor: User | None, notified_on: date, reason: str
) -> Case:
    """The vendor extended by two months (Art. 12(3)). A notice after the first month is itself a
    breach of Art. 12(3), recorded as an incident."""
    case = _locked_for(actions.EXTENSION, case)
    received = _require_received(case, "notified_on")
    _not_in_future(notified_on, "notified_on")
    _not_before(
        notified_on,
        received,
        "notified_on",
        _("The vendor cannot reply before it had the request."),
    )
    if not reason.strip():
        raise CaseError(
            _("Say which reason the vendor gave (or that it gave none)."), field="reason"
        )
    _change_status(case, Status.EXTENDED)
    case.save(update_fields=["status", "updated_at"])
    event_record(case, actor, EventKind.EXTENSION_NOTIFIED, on=notified_on, reason=reason.strip())
    deadlines_refresh(case=case)

    notice = case.deadlines.filter(kind=DeadlineKind.EXTENSION_NOTICE).first()
    late = notice is not None and notified_on > notice.due_on
    if late and not case.incidents.filter(kind=IncidentKind.LATE_EXTENSION_NOTICE).exists():
        _incident_create(
            case=case,
            actor=actor,
            kind=IncidentKind.LATE_EXTENSION_NOTICE,
            discovered_on=notified_on,
            occurred_on=notified_on,
            description=_(
                "The extension was notified on %(notified)s, after the last day allowed, %(due)s."
            )
            % {"notified": notified_on.isoformat(), "due": notice.due_on.isoformat()},
        )
    return case


@transaction.atomic
def case_record_response(
    *,
    case: Case,
    actor: User | None,
    received_on: date,
    missing_items: Iterable[str] = (),
    contains: Iterable[str] | None = None,
    note: str = "",
) -> Case:
    """The vendor answered. Every item of the kind's checklist it left out (Art. 15, 17, 19,
    21(1), 7(3), 18, 20) becomes a ground for a reminder:
    give the checklist of what the answer `contains` (every requested item not in it is
    missing, `facts.missing_items`) or the `missing_items` themselves."""
    case = _locked_for(actions.RESPONSE, case)
    if contains is not None:
        if missing_items:
            raise CaseError(
                _("Give either what the answer contains or what it lacks."), field="missing_items"
            )
        missing_items = facts.missing_items(case.requested_items, contains)
    _not_in_future(received_on, "received_on")
    if case.sent_on is None:
        raise CaseError(_("Mark the request as sent first."), field="received_on")
    _not_before(
        received_on,
        case.sent_on,
        "received_on",
        _("The answer cannot come before the request was sent."),
    )
    unknown = set(missing_items) - set(checklist(case.kind))
    if unknown:
        raise CaseError(_("Unknown item: %s") % ", ".join(sorted(unknown)), field="missing_items")
    missing = in_article_order(missing_items, case.kind)
    if case.status != Status.COMPLAINT_FILED:
        _change_status(case, Status.ANSWERED)
    case.outcome = Outcome.PARTIAL if missing else Outcome.COMPLETE
    case.missing_items = missing
    case.save(update_fields=["status", "outcome", "missing_items", "updated_at"])
    event_record(
        case, actor, EventKind.RESPONSE_RECEIVED, on=received_on, note=note, missing_items=missing
    )
    deadlines_refresh(case=case)
    return case


@transaction.atomic
def case_record_reminder_sent(*, case: Case, actor: User | None, sent_on: date) -> Case:
    """A reminder went to the vendor; it customarily has 14 days before a complaint."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _not_in_future(sent_on, "sent_on")
    _not_before(sent_on, case.sent_on, "sent_on", _("A reminder cannot precede the request."))
    if case.status != Status.COMPLAINT_FILED:
        _change_status(case, Status.ESCALATED)
    case.save(update_fields=["status", "updated_at"])
    event_record(case, actor, EventKind.REMINDER_SENT, on=sent_on)
    deadlines_refresh(case=case)
    return case


@transaction.atomic
def case_record_complaint_filed(
    *, case: Case, actor: User | None, filed_on: date, authority: Authority
) -> Case:
    """A complaint was lodged (Art. 77); the authority owes news within 3 months (Art. 78(2))."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _not_in_future(filed_on, "filed_on")
    _not_before(filed_on, case.sent_on, "filed_on", _("A complaint cannot precede the request."))
    _change_status(case, Status.COMPLAINT_FILED)
    case.save(update_fields=["status", "updated_at"])
    event_record(
        case,
        actor,
        EventKind.COMPLAINT_FILED,
        on=filed_on,
        authority_id=authority.pk,
        authority=authority.short_name,
    )
    deadlines_refresh(case=case)
    return case


def _complaint_filed_on(case: Case, field: str, day: date) -> None:
    """Check `day` for something the authority sent about the complaint on `case`."""
    filed = case.events.filter(kind=EventKind.COMPLAINT_FILED).order_by("occurred_on").first()
    if filed is None:
        raise CaseError(_("No complaint has been filed on this case."), field=field)
    _not_in_future(day, field)
    _not_before(day, filed.occurred_on, field, _("The reply cannot precede the complaint."))


@transaction.atomic
def case_record_authority_reply(
    *, case: Case, actor: User | None, replied_on: date, note: str = ""
) -> Case:
    """The authority reported progress or an outcome on the complaint: that meets its three
    months (Art. 78(2)). A mere acknowledgement of receipt does not:
    `case_record_authority_acknowledgement`."""
    case = _locked_for(actions.AUTHORITY_REPLY, case)
    _complaint_filed_on(case, "replied_on", replied_on)
    event_record(case, actor, EventKind.AUTHORITY_REPLIED, on=replied_on, note=note)
    deadlines_refresh(case=case)
    return case


@transaction.atomic
def case_record_authority_acknowledgement(
    *, case: Case, actor: User | None, acknowledged_on: date, note: str = ""
) -> Case:
    """The authority only acknowledged receipt of the complaint. Recorded for the timeline; it
    is no news of progress or outcome, so its three months run on (Art. 78(2))."""
    case = _locked_for(actions.AUTHORITY_REPLY, case)
    _complaint_filed_on(case, "acknowledged_on", acknowledged_on)
    event_record(case, actor, EventKind.AUTHORITY_ACKNOWLEDGED, on=acknowledged_on, note=note)
    return case


def case_record_authority_answer(
    *, case: Case, actor: User | None, kind: str, replied_on: date, note: str = ""
) -> Case:
    """What the authority sent about the complaint, as the case page and the API ask for it:
    `kind` "acknowledgement" (receipt only, Art. 78(2) runs on) or "progress" (progress or an
    outcome, which meets it)."""
    if kind == actions.REPLY_ACKNOWLEDGEMENT:
        try:
            return case_record_authority_acknowledgement(
                case=case, actor=actor, acknowledged_on=replied_on, note=note
            )
        except CaseError as error:
            if error.field == "acknowledged_on":
                error.field = "replied_on"  # the one date field this action asks for
            raise
    if kind == actions.REPLY_PROGRESS:
        return case_record_authority_reply(case=case, actor=actor, replied_on=replied_on, note=note)
    raise CaseError(_("Say what the authority sent."), field="kind")


@transaction.atomic
def case_close(*, case: Case, actor: User | None, outcome: str = "", note: str = "") -> Case:
    """Close the case; its pending reminders are cancelled."""
    case = _locked_for(actions.CLOSE, case)
    if outcome and outcome not in Outcome.values:
        raise CaseError(_("Unknown outcome."), field="outcome")
    _change_status(case, Status.CLOSED)
    case.outcome = outcome or case.outcome
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "outcome", "closed_at", "updated_at"])
    event_record(case, actor, EventKind.CLOSED, on=_today(), note=note, outcome=case.outcome)
    # Its reply addresses (cases.mail) stop filing mail on it: later mail waits in the queue.
    ReplyToken.objects.filter(case=case, revoked_at__isnull=True).update(revoked_at=case.closed_at)
    deadlines_refresh(case=case)
    return case


# --- Incidents -------------------------------------------------------------------------------


def _incident_create(*, case: Case, actor: User | None, **fields: Any) -> Incident:
    incident = Incident.objects.create(
        case=case, created_by=actor if getattr(actor, "pk", None) else None, **fields
    )
    event_record(
        case,
        actor,
        EventKind.INCIDENT_RECORDED,
        on=incident.discovered_on,
        incident_id=incident.pk,
        incident_kind=incident.kind,
        records_affected=incident.records_affected,
    )
    return incident


@transaction.atomic
def incident_record(
    *,
    case: Case,
    actor: User | None,
    kind: str,
    discovered_on: date,
    occurred_on: date | None = None,
    reported_to_vendor_on: date | None = None,
    authority_notified_on: date | None = None,
    records_affected: int | None = None,
    data_categories: Iterable[str] = (),
    description: str = "",
    side: str = "",
    special_categories: bool = False,
) -> Incident:
    """Record what went wrong. A misdirected export is a personal data breach (Art. 4(12)); its
    `side` says whose data they were: the person's own, sent to somebody else (`own_data`, the
    default), or a stranger's that reached the person (`others_data`: reported, not complained
    of, Art. 77). `special_categories`: the person says the data touched health, sex life or
    another category of Art. 9(1). The 72 hours the vendor has to notify its authority
    (Art. 33(1)) are information only (`facts.breach_notice_due`), not a clock. An excessive
    identity demand (Art. 12(6)) disputes the identity pauses: the refresh below counts the
    clocks without them."""
    case = _locked_for(actions.INCIDENT, case)
    if kind not in IncidentKind.values:
        raise CaseError(_("Choose what happened."), field="kind")
    _not_in_future(discovered_on, "discovered_on")
    if occurred_on is not None:
        _not_in_future(occurred_on, "occurred_on")
        _not_before(
            discovered_on,
            occurred_on,
            "discovered_on",
            _("It cannot be discovered before it happened."),
        )
    if reported_to_vendor_on is not None:
        _not_in_future(reported_to_vendor_on, "reported_to_vendor_on")
        _not_before(
            reported_to_vendor_on,
            discovered_on,
            "reported_to_vendor_on",
            _("It cannot be reported before it was discovered."),
        )
    if records_affected is not None and records_affected < 0:
        raise CaseError(_("Enter a number of zero or more."), field="records_affected")
    if kind == IncidentKind.MISDIRECTED_EXPORT:
        side = side or IncidentSide.OWN_DATA
        if side not in IncidentSide.values:
            raise CaseError(_("Say whose data were sent to the wrong person."), field="side")
    else:
        side = ""
    incident = _incident_create(
        case=case,
        actor=actor,
        kind=kind,
        discovered_on=discovered_on,
        occurred_on=occurred_on,
        reported_to_vendor_on=reported_to_vendor_on,
        authority_notified_on=authority_notified_on,
        records_affected=records_affected,
        data_categories=[c.strip() for c in data_categories if c.strip()],
        description=description.strip(),
        side=side,
        special_categories=special_categories,
    )
    deadlines_refresh(case=case)
    return incident


# --- Clocks ----------------------------------------------------------------------------------


def _case_facts(case: Case) -> list[clocks.Fact]:
    """A case's events as facts, plus one `clocks.IDENTITY_PAUSE_DISPUTED` fact per recorded
    excessive identity demand (GDPR Art. 12(6)): the person disputes the vendor's pauses."""
    facts = [
        clocks.Fact(kind=e.kind, on=e.occurred_on, ref=e.pk, data=e.data) for e in case.events.all()
    ]
    disputes = case.incidents.filter(kind=IncidentKind.EXCESSIVE_IDENTITY_DEMAND)
    facts += [
        clocks.Fact(kind=clocks.IDENTITY_PAUSE_DISPUTED, on=i.discovered_on, ref=i.pk)
        for i in disputes
    ]
    return facts


def _calendar(obj: Vendor | Authority) -> clocks.Calendar:
    return clocks.Calendar(obj.country, obj.subdivision or None)


def case_clock_specs(case: Case, *, today: date | None = None) -> list[clocks.ClockSpec]:
    facts = _case_facts(case)
    authority_ids = {
        f.data.get("authority_id") for f in facts if f.kind == EventKind.COMPLAINT_FILED
    }
    authorities = Authority.objects.filter(pk__in=[a for a in authority_ids if a])
    return clocks.case_clocks(
        clocks.CaseFacts(
            received_on=case.received_on,
            vendor_calendar=_calendar(case.vendor),
            facts=facts,
            authority_calendars={a.pk: _calendar(a) for a in authorities},
            today=today or _today(),
        )
    )


@transaction.atomic
def deadlines_refresh(*, case: Case, today: date | None = None) -> list[Deadline]:
    """Recompute a case's clocks from its events and store them; idempotent."""
    today = today or _today()
    # Re-read the row: a caller's copy may predate the change that asked for this refresh.
    case = Case.objects.select_related("vendor").get(pk=case.pk)
    specs = case_clock_specs(case, today=today)
    existing = {d.key: d for d in case.deadlines.select_for_update()}
    kept: list[Deadline] = []
    for spec in specs:
        deadline = existing.pop(spec.key, None) or Deadline(case=case, kind=spec.kind, key=spec.key)
        state = spec.state
        # A clock the daily scan already marked missed stays missed while nothing answered it
        # and its last day is the one the scan saw; a clock now met, paused or re-dated by a
        # later-recorded fact is not (the re-dated one is marked again, for its new day).
        if (
            state == DeadlineState.OPEN
            and deadline.state == DeadlineState.MISSED
            and spec.paused_since is None
            and deadline.due_on == spec.due_on
            and spec.due_on < today
        ):
            state = DeadlineState.MISSED
        changed = (
            deadline.pk is None
            or deadline.due_on != spec.due_on
            or deadline.state != state
            or deadline.met_on != spec.met_on
            or deadline.paused_since != spec.paused_since
            or deadline.due_on_with_disputed_pause != spec.due_on_with_disputed_pause
        )
        if changed:
            deadline.due_on, deadline.state = spec.due_on, state
            deadline.met_on, deadline.paused_since = spec.met_on, spec.paused_since
            deadline.due_on_with_disputed_pause = spec.due_on_with_disputed_pause
            if state != DeadlineState.MISSED:
                deadline.missed_at = None
            deadline.save()
        kept.append(deadline)
    # Clocks that no longer follow from the facts (e.g. the request was re-dated) go away.
    if existing:
        Deadline.objects.filter(pk__in=[d.pk for d in existing.values()]).delete()
    deadlines_mark_missed(today=today, case=case)
    reminders_sync(case=case, deadlines=[Deadline.objects.get(pk=d.pk) for d in kept])
    case_next_due_store(case_ids=[case.pk])
    return kept


def case_next_due_store(*, case_ids: Iterable[int]) -> None:
    """Store each case's next due day (`facts.next_due`, by its SQL twin over the stored
    clocks) in `Case.next_due_on`, which lists filter and sort on. `deadlines_refresh` calls it
    whenever a case's clocks or status may have changed."""
    Case.objects.filter(pk__in=list(case_ids)).update(next_due_on=facts.next_due_sql())


def deadlines_mark_missed(*, today: date | None = None, case: Case | None = None) -> int:
    """Mark open clocks whose last day has passed as missed, once each, with a timeline event."""
    today = today or _today()
    # A closed case has nothing left to miss.
    overdue = Deadline.objects.filter(
        state=DeadlineState.OPEN, due_on__lt=today, paused_since__isnull=True
    ).exclude(case__status=Status.CLOSED)
    if case is not None:
        overdue = overdue.filter(case=case)
    marked = 0
    while batch := list(overdue.select_related("case").order_by("due_on", "pk")[:500]):
        for deadline in batch:
            with transaction.atomic():
                # The conditional update is the claim: a concurrent scan marks nothing twice.
                claimed = Deadline.objects.filter(pk=deadline.pk, state=DeadlineState.OPEN).update(
                    state=DeadlineState.MISSED, missed_at=timezone.now()
                )
                if claimed:
                    marked += 1
                # History entered after the fact can reopen a clock and miss it again on the same
                # date; the timeline says so once.
                already_told = deadline.case.events.filter(
                    kind=EventKind.DEADLINE_MISSED,
                    data__deadline_kind=deadline.kind,
                    data__due_on=deadline.due_on.isoformat(),
                ).exists()
                if claimed and not already_told:
                    event_record(
                        deadline.case,
                        None,
                        EventKind.DEADLINE_MISSED,
                        on=deadline.due_on + timedelta(days=1),
                        deadline_kind=deadline.kind,
                        due_on=deadline.due_on.isoformat(),
                    )
    return marked


def deadlines_refresh_paused(*, today: date | None = None) -> int:
    """Paused clocks move one day later every day the vendor waits; keep their dates current."""
    case_ids = (
        Deadline.objects.filter(paused_since__isnull=False, state=DeadlineState.OPEN)
        .values_list("case_id", flat=True)
        .distinct()
    )
    count = 0
    for case in Case.objects.filter(pk__in=list(case_ids)).select_related("vendor"):
        deadlines_refresh(case=case, today=today)
        count += 1
    return count


# --- Reminders -------------------------------------------------------------------------------


reminder_send_at = facts.reminder_send_at


def reminders_sync(*, case: Case, deadlines: Iterable[Deadline]) -> None:
    """Make the case's reminder rows match `facts.reminder_schedule`: create, re-date, cancel or
    revive one row per (deadline, offset). A sent row is history and stays as it is."""
    now = timezone.now()
    deadlines = list(deadlines)
    planned = facts.reminder_schedule(case, deadlines, now=now)
    stored = Reminder.objects.filter(deadline__in=deadlines)
    rows = {(r.deadline_id, r.offset_days): r for r in stored}
    due_now = False
    for key, reminder in rows.items():
        if reminder.sent_at is not None:
            continue  # sent at most once, whatever happens to the date afterwards
        send_at = planned.get(key)
        if send_at is None:
            if reminder.cancelled_at is None:
                reminder.cancelled_at = now
                reminder.save(update_fields=["cancelled_at"])
        elif reminder.send_at != send_at or reminder.cancelled_at is not None:
            reminder.send_at, reminder.cancelled_at = send_at, None
            reminder.save(update_fields=["send_at", "cancelled_at"])
            due_now = due_now or send_at <= now
    for (deadline_id, offset), send_at in planned.items():
        if (deadline_id, offset) not in rows:
            Reminder.objects.create(deadline_id=deadline_id, offset_days=offset, send_at=send_at)
            due_now = due_now or send_at <= now
    if due_now:
        # Don't wait for the next beat tick; if the broker is down, that tick catches up.
        enqueue_on_commit("tasks.reminders.reminders_dispatch")


@transaction.atomic
def case_set_reminders(
    *, case: Case, actor: User, enabled: bool, offsets: Sequence[int] | None
) -> Case:
    """Turn the case's reminder e-mails off, or on at the chosen days around each deadline
    (`offsets`, negative before it; None: the site's default). Only those who may act on the
    case may: its requester, or a caseworker or admin of the organisation it is mandated to."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    visible = selectors.cases_visible_to(actor).filter(pk=case.pk).exists()
    if not visible or not selectors.case_editable_by(actor, case):
        raise NotPermitted(_("You may not change the reminders of this case."))
    chosen: list[int] | None = None
    if offsets is not None:
        chosen = sorted({int(o) for o in offsets})
        if any(abs(o) > facts.REMINDER_OFFSET_LIMIT for o in chosen):
            raise CaseError(
                _("A reminder can be at most %(days)s days before or after a deadline.")
                % {"days": facts.REMINDER_OFFSET_LIMIT}
            )
        if enabled and not chosen:
            raise CaseError(_("Choose at least one day, or turn reminders off."))
    case.reminders_enabled, case.reminder_offsets = enabled, chosen
    case.save(update_fields=["reminders_enabled", "reminder_offsets", "updated_at"])
    reminders_sync(case=case, deadlines=case.deadlines.all())
    return case


def reminders_enqueue_due(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Queue every due, unsent reminder, however long ago it fell due: a worker that was down for
    a week catches up. The row claim in `reminder_deliver` makes a duplicate queue entry
    harmless."""
    now = now or timezone.now()
    queued = 0
    while ids := list(reminders_due(now=now).values_list("pk", flat=True)[:batch_size]):
        for reminder_id in ids:
            if not enqueue("tasks.reminders.reminder_send", reminder_id):
                return queued  # broker down: stop; the next beat tick tries again
            Reminder.objects.filter(pk=reminder_id).update(queued_at=now)
            queued += 1
    return queued


def reminder_deliver(*, reminder_id: int, now: datetime | None = None) -> bool:
    """Send one reminder e-mail, exactly once.

    The conditional UPDATE claims the row: a second worker, a duplicate message or a retry finds
    `sent_at` set and sends nothing. If sending fails, the transaction rolls back the claim so the
    next scan tries again.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            claimed = Reminder.objects.filter(
                pk=reminder_id, sent_at__isnull=True, cancelled_at__isnull=True, send_at__lte=now
            ).update(sent_at=now, attempts=F("attempts") + 1)
            if not claimed:
                return False
            reminder = Reminder.objects.select_related(
                "deadline__case__vendor", "deadline__case__requester", "deadline__case__assignee"
            ).get(pk=reminder_id)
            notifications.reminder_email_send(
                reminder=reminder, today=timezone.localtime(now).date()
            )
    except Exception as exc:
        Reminder.objects.filter(pk=reminder_id).update(
            attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    return True


# --- Users -----------------------------------------------------------------------------------


def user_calendar_reset(*, user: User) -> str:
    """Revoke the user's calendar feed URL by issuing a new secret."""
    user.calendar_token = new_calendar_token()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


__all__ = [
    "case_clock_specs",
    "case_close",
    "case_create",
    "case_extension_notified",
    "case_identity_provided",
    "case_identity_requested",
    "case_mark_sent",
    "case_next_due_store",
    "case_record_acknowledgement",
    "case_record_authority_acknowledgement",
    "case_record_authority_answer",
    "case_record_authority_reply",
    "case_record_complaint_filed",
    "case_record_delivery",
    "case_record_reminder_sent",
    "case_record_response",
    "case_set_region",
    "case_set_reminders",
    "deadlines_mark_missed",
    "deadlines_refresh",
    "deadlines_refresh_paused",
    "incident_record",
    "reminder_deliver",
    "reminder_send_at",
    "reminders_enqueue_due",
    "reminders_sync",
    "user_calendar_reset",
]
