"""Services for the advocacy workspace: members and invitations, mandates (GDPR Art. 80(1)),
campaigns, assignment, internal notes and bulk jobs.

Every service checks the actor's role itself, so that a view, a task or the admin that forgets to
cannot grant more than the role allows. Roles rank viewer < caseworker < admin.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from auditlog.context import set_actor
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cases.exceptions import CaseError, NotPermitted
from cases.models import (
    FOLLOW_UP_KINDS,
    MANDATE_CONSENT_VERSION,
    Authority,
    BulkJob,
    Campaign,
    Case,
    CaseNote,
    EventKind,
    Invitation,
    Mandate,
    MandateScope,
    Membership,
    Organisation,
    RequestKind,
    RequestVariant,
    User,
    Vendor,
)
from cases.models.workspace import MANDATE_CONSENT_TEXTS, token_digest
from cases.queue import enqueue, enqueue_on_commit
from cases.selectors import ROLE_RANK, membership_role, organisation_cases
from cases.services.cases import case_create
from cases.services.events import event_record
from cases.services.follow_ups import case_follow_ups_create
from cases.services.letters import letter_request
from cases.services.roles import require_role
from cases.services.webhooks import webhooks_emit_for_mandate
from cases.typography import one_full_stop

BULK_JOB_TASK = "tasks.workspace.bulk_job_run"

logger = logging.getLogger(__name__)

Role = Membership.Role


def _today() -> Any:
    return timezone.localdate()


# --- Organisations and members ---------------------------------------------------------------


# Addresses under /org/ that are pages, not organisations.
RESERVED_ORGANISATION_SLUGS = frozenset({"new"})


def unique_slug(text: str, *, taken: Iterable[str], max_length: int = 80) -> str:
    """A slug made from `text` (Django's slugify: accents dropped) that is not in `taken`:
    "-2", "-3" are appended as needed. Text with nothing sluggable gives "x"."""
    taken_set = set(taken)
    base = slugify(text)[:max_length].strip("-") or "x"
    candidate, n = base, 1
    while candidate in taken_set:
        n += 1
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    return candidate


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    name: str,
    address: str,
    declares_nonprofit: bool,
    email: str = "",
    slug: str = "",
) -> Organisation:
    """A new organisation, with its creator as its first admin.

    Art. 80(1) GDPR: only a not-for-profit body, properly constituted, with statutory objectives
    in the public interest and active in data protection, may act for a data subject. The creator
    declares it; the organisation stays "not yet verified" until staff check it in the admin.
    """
    name, address = name.strip(), address.strip()
    if not name:
        raise CaseError(_("Give the organisation a name."), field="name")
    if not address:
        raise CaseError(_("Give the organisation's postal address."), field="address")
    if not declares_nonprofit:
        raise CaseError(
            _("Only a not-for-profit body under Article 80(1) GDPR can act for people here."),
            field="declaration",
        )
    if slug and (
        slug in RESERVED_ORGANISATION_SLUGS or Organisation.objects.filter(slug=slug).exists()
    ):
        raise CaseError(_("This address is taken; choose another."), field="slug")
    if not slug:
        base = slugify(name)[:80] or "x"
        taken = Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True)
        slug = unique_slug(name, taken=[*taken, *RESERVED_ORGANISATION_SLUGS])
    organisation = Organisation.objects.create(
        name=name,
        slug=slug,
        email=email.strip(),
        address=address,
        nonprofit_declared_at=timezone.now(),
    )
    Membership.objects.create(user=actor, organisation=organisation, role=Role.ADMIN)
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, actor: User, name: str, email: str, address: str
) -> Organisation:
    """Change the organisation's name and contact details (admins only)."""
    require_role(actor, organisation, Role.ADMIN)
    if not name.strip():
        raise CaseError(_("Give the organisation a name."), field="name")
    organisation.name, organisation.email = name.strip(), email.strip()
    organisation.address = address.strip()
    organisation.save(update_fields=["name", "email", "address"])
    return organisation


def _invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("cases:invitation_accept", args=[token])


def _send_invitation(invitation_id: int, token: str) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "url": _invitation_url(token),
        "role": invitation.get_role_display(),
    }
    language = getattr(invitation.invited_by, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = one_full_stop(
            render_to_string("workspace/emails/invitation_subject.txt", context).strip()
        )
        body = one_full_stop(render_to_string("workspace/emails/invitation_body.txt", context))
    try:
        send_mail(subject, body, None, [invitation.email])
    except Exception:
        # The admin sees the invitation as pending and can send it again.
        logger.exception("invitation %s: e-mail not sent", invitation_id)


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, actor: User, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite an e-mail address to join with `role`; returns the invitation and its token (sent
    by e-mail after commit). A pending invitation to the same address is replaced."""
    require_role(actor, organisation, Role.ADMIN)
    email = email.strip().lower()
    if role not in Role.values:
        raise CaseError(_("Choose a role."), field="role")
    if not email or "@" not in email:
        raise CaseError(_("Enter an e-mail address."), field="email")
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise CaseError(_("This person is already a member."), field="email")
    now = timezone.now()
    for pending in Invitation.objects.select_for_update().filter(
        organisation=organisation, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ):
        pending.revoked_at = now
        pending.save(update_fields=["revoked_at"])
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_digest(token),
        invited_by=actor,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    transaction.on_commit(lambda: _send_invitation(invitation.pk, token))
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    require_role(actor, invitation.organisation, Role.ADMIN)
    if invitation.accepted_at is not None:
        raise CaseError(_("This invitation was already accepted."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=token_digest(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the organisation; only the account with the invited e-mail address may."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        raise CaseError(_("This invitation is no longer valid. Ask for a new one."))
    if user.email.lower() != invitation.email.lower():
        raise CaseError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    if Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
        raise CaseError(_("You are already a member of this organisation."))
    membership = Membership.objects.create(
        user=user, organisation=invitation.organisation, role=invitation.role
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def _other_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: User, role: str) -> Membership:
    """An admin changes a member's role; the last admin stays an admin."""
    require_role(actor, membership.organisation, Role.ADMIN)
    if role not in Role.values:
        raise CaseError(_("Choose a role."), field="role")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.ADMIN and role != Role.ADMIN and not _other_admins(membership):
        raise CaseError(_("The organisation needs at least one admin."), field="role")
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
        if role == Role.VIEWER:
            _unassign_member(membership)
    return membership


def _unassign_member(membership: Membership) -> None:
    cases = Case.objects.select_for_update().filter(
        organisation_id=membership.organisation_id, assignee_id=membership.user_id
    )
    for case in cases:
        case.assignee = None
        case.save(update_fields=["assignee", "updated_at"])


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """A member leaves, or an admin removes them; their cases there lose their assignee."""
    if actor.pk != membership.user_id:
        require_role(actor, membership.organisation, Role.ADMIN)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.ADMIN and not _other_admins(membership):
        raise CaseError(_("The organisation needs at least one admin: name another one first."))
    _unassign_member(membership)
    membership.delete()


# --- Mandates (GDPR Art. 80(1)) --------------------------------------------------------------


def _clean_scope(scope: Iterable[str]) -> list[str]:
    chosen = [s for s in MandateScope.values if s in set(scope)]
    unknown = set(scope) - set(MandateScope.values)
    if unknown or not chosen:
        raise CaseError(_("Choose what the organisation may do for you."), field="scope")
    return chosen


@transaction.atomic
def mandate_grant(
    *,
    case: Case,
    actor: User,
    organisation: Organisation,
    scope: Iterable[str],
    consent_text_version: str = MANDATE_CONSENT_VERSION,
    campaign: Campaign | None = None,
    kinds: Iterable[str] = (RequestKind.ACCESS,),
) -> Mandate:
    """The data subject mandates a not-for-profit body to act on this case (GDPR Art. 80(1));
    the organisation's members see the case from now on. `kinds` are the requests it may send
    in the person's name (access by default); a campaign adds its own kind."""
    case = Case.objects.select_for_update().select_related("vendor").get(pk=case.pk)
    if case.requester_id != actor.pk:
        raise NotPermitted(_("Only the person the request is about can give a mandate."))
    if consent_text_version not in MANDATE_CONSENT_TEXTS:
        raise CaseError(_("Unknown consent text."), field="consent_text_version")
    chosen = _clean_scope(scope)
    current = Mandate.objects.active().filter(case=case).select_related("organisation").first()
    if current is not None:
        raise CaseError(
            _("%(organisation)s already acts on this case. End that mandate first.")
            % {"organisation": current.organisation},
            field="organisation",
        )
    if campaign is not None:
        if campaign.organisation_id != organisation.pk or not campaign.is_open:
            raise CaseError(_("This campaign is closed."), field="campaign")
        if not campaign.vendors.filter(pk=case.vendor_id).exists():
            raise CaseError(
                _("This campaign is not about %(vendor)s.") % {"vendor": case.vendor.name},
                field="campaign",
            )
    wanted = {*kinds, RequestKind.ACCESS, *([campaign.kind] if campaign is not None else [])}
    if wanted - set(RequestKind.values):
        raise CaseError(_("Unknown kind of request."), field="kinds")
    mandate = Mandate.objects.create(
        case=case,
        organisation=organisation,
        campaign=campaign,
        scope=chosen,
        kinds=[k for k in RequestKind.values if k in wanted],
        consent_text_version=consent_text_version,
        granted_by=actor,
    )
    webhooks_emit_for_mandate(mandate=mandate)
    case.organisation = organisation
    case.save(update_fields=["organisation", "updated_at"])
    event_record(
        case,
        actor,
        EventKind.NOTE,
        on=_today(),
        note=_("You handed this case to %(organisation)s (Art. 80(1) GDPR).")
        % {"organisation": organisation.name},
        mandate_id=mandate.pk,
        mandate="granted",
        organisation_id=organisation.pk,
    )
    _statistics_refresh_soon()
    return mandate


@transaction.atomic
def campaign_case_create(
    *, campaign: Campaign, consent_text_version: str, requester: User, **case_fields: Any
) -> Case:
    """File a request that started on a campaign's page and hand it to the campaign's
    organisation in the same step (Art. 80(1) GDPR).

    The person read and agreed to the mandate on the campaign page: that is the one consent.
    Filing never leaves a case waiting for a second one, so nobody who joined a campaign ends
    up with a request the organisation never sees. Either both the case and the mandate exist,
    or neither does.
    """
    case = case_create(requester=requester, **case_fields)
    mandate_grant(
        case=case,
        actor=requester,
        organisation=campaign.organisation,
        scope=campaign.scope,
        consent_text_version=consent_text_version,
        campaign=campaign,
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, actor: User, reason: str = "") -> Mandate:
    """End a mandate: by the data subject at any time, or by an admin of the organisation. The
    organisation loses access at once; the mandate and the audit trail stay."""
    case = Case.objects.select_for_update().get(pk=mandate.case_id)
    mandate = Mandate.objects.select_for_update().select_related("organisation").get(pk=mandate.pk)
    if actor.pk != case.requester_id:
        require_role(actor, mandate.organisation, Role.ADMIN)
    if mandate.revoked_at is not None:
        raise CaseError(_("This mandate has already ended."))
    mandate.revoked_at, mandate.revoked_by = timezone.now(), actor
    mandate.revocation_reason = reason.strip()[:500]
    mandate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    if case.organisation_id == mandate.organisation_id:
        case.organisation, case.assignee = None, None
        case.save(update_fields=["organisation", "assignee", "updated_at"])
    event_record(
        case,
        actor,
        EventKind.NOTE,
        on=_today(),
        note=_("The mandate to %(organisation)s ended.") % {"organisation": mandate.organisation},
        mandate_id=mandate.pk,
        mandate="revoked",
        organisation_id=mandate.organisation_id,
    )
    # The follow-ups run under this mandate's consent (`case_follow_ups_create` copied it onto
    # them): ending it on the access case ends it for the whole family.
    derived = Mandate.objects.active().filter(
        case__parent=case, organisation_id=mandate.organisation_id
    )
    for follow_up in derived:
        mandate_revoke(mandate=follow_up, actor=actor, reason=reason)
    _statistics_refresh_soon()
    return mandate


def _statistics_refresh_soon() -> None:
    """The organisation's statistics count only its mandated cases: refresh them after commit
    (a refresh that starts later covers this one, so a burst of mandates costs one or two)."""
    enqueue_on_commit("tasks.workspace.statistics_refresh", timezone.now().isoformat())


# --- Campaigns -------------------------------------------------------------------------------


def _campaign_fields(
    *,
    title: str,
    vendors: Iterable[Vendor],
    request_variant: str,
    scope: Iterable[str],
    landing_en: str,
) -> tuple[list[Vendor], list[str]]:
    if not title.strip():
        raise CaseError(_("Give the campaign a title."), field="title")
    vendor_list = list(vendors)
    if not vendor_list:
        raise CaseError(_("Choose at least one company."), field="vendors")
    if request_variant not in RequestVariant.values:
        raise CaseError(_("Choose what the request asks for."), field="request_variant")
    if not landing_en.strip():
        raise CaseError(_("Write the English landing text."), field="landing_en")
    return vendor_list, _clean_scope(scope)


def _check_campaign_kind(kind: str) -> None:
    if kind not in RequestKind.values:
        raise CaseError(_("Unknown kind of request."), field="kind")


@transaction.atomic
def campaign_create(
    *,
    organisation: Organisation,
    actor: User,
    title: str,
    slug: str = "",
    vendors: Iterable[Vendor],
    request_variant: str = RequestVariant.FULL,
    scope: Iterable[str] = (MandateScope.CORRESPONDENCE, MandateScope.COMPLAINT),
    landing_en: str,
    landing_fr: str = "",
    landing_de: str = "",
    is_open: bool = True,
    kind: str = RequestKind.ACCESS,
) -> Campaign:
    """A campaign whose public link preselects the vendor and asks for the mandate. A campaign
    of a follow-up `kind` ("stop human review of your recordings": an objection) asks the
    mandate to cover that kind too, so that bulk actions can send it (Art. 80(1))."""
    _check_campaign_kind(kind)
    require_role(actor, organisation, Role.ADMIN)
    vendor_list, chosen = _campaign_fields(
        title=title,
        vendors=vendors,
        request_variant=request_variant,
        scope=scope,
        landing_en=landing_en,
    )
    slug = slug.strip()
    if slug and Campaign.objects.filter(organisation=organisation, slug=slug).exists():
        raise CaseError(_("This address is taken; choose another."), field="slug")
    if not slug:  # left blank: made from the title, unique within the organisation
        slug = unique_slug(
            title,
            taken=Campaign.objects.filter(organisation=organisation).values_list("slug", flat=True),
        )
    campaign = Campaign.objects.create(
        organisation=organisation,
        slug=slug,
        title=title.strip(),
        request_variant=request_variant,
        kind=kind,
        scope=chosen,
        landing_en=landing_en.strip(),
        landing_fr=landing_fr.strip(),
        landing_de=landing_de.strip(),
        is_open=is_open,
        created_by=actor,
    )
    campaign.vendors.set(vendor_list)
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    actor: User,
    title: str,
    vendors: Iterable[Vendor],
    request_variant: str,
    scope: Iterable[str],
    landing_en: str,
    landing_fr: str = "",
    landing_de: str = "",
    is_open: bool = True,
    kind: str = RequestKind.ACCESS,
) -> Campaign:
    require_role(actor, campaign.organisation, Role.ADMIN)
    _check_campaign_kind(kind)
    vendor_list, chosen = _campaign_fields(
        title=title,
        vendors=vendors,
        request_variant=request_variant,
        scope=scope,
        landing_en=landing_en,
    )
    campaign.title, campaign.scope = title.strip(), chosen
    campaign.request_variant, campaign.kind = request_variant, kind
    campaign.landing_en, campaign.landing_fr = landing_en.strip(), landing_fr.strip()
    campaign.landing_de, campaign.is_open = landing_de.strip(), is_open
    campaign.save()
    campaign.vendors.set(vendor_list)
    return campaign


# --- Work on cases ---------------------------------------------------------------------------


def _mandated_case(case: Case | int, organisation: Organisation) -> Case:
    """The case, locked, if the organisation holds an active mandate for it."""
    pk = case.pk if isinstance(case, Case) else case
    found = (
        organisation_cases(organisation)
        .select_for_update(of=("self",))
        .select_related("vendor__lead_authority")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise CaseError(_("This case is not (or no longer) mandated to the organisation."))
    return found


@transaction.atomic
def case_assign(
    *, case: Case | int, actor: User, organisation: Organisation, assignee: User | None
) -> Case:
    """Give a mandated case to a caseworker of the organisation (or to nobody)."""
    require_role(actor, organisation, Role.CASEWORKER)
    if assignee is not None:
        role = membership_role(assignee, organisation)
        if role is None or ROLE_RANK[role] < ROLE_RANK[Role.CASEWORKER]:
            raise CaseError(
                _("Only a caseworker or admin of the organisation can take a case."),
                field="assignee",
            )
    locked = _mandated_case(case, organisation)
    if locked.assignee_id != (assignee.pk if assignee else None):
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
    return locked


NOTE_MAX_LENGTH = 10_000


@transaction.atomic
def case_note_add(*, case: Case, actor: User, organisation: Organisation, body: str) -> CaseNote:
    """An internal note: seen by the organisation's members, never by the requester."""
    require_role(actor, organisation, Role.CASEWORKER)
    body = body.strip()
    if not body:
        raise CaseError(_("Write something."), field="body")
    if len(body) > NOTE_MAX_LENGTH:
        raise CaseError(_("Keep a note under 10,000 characters."), field="body")
    locked = _mandated_case(case, organisation)
    return CaseNote.objects.create(case=locked, organisation=organisation, author=actor, body=body)


# --- Bulk jobs -------------------------------------------------------------------------------

BULK_MAX_CASES = 20_000


@transaction.atomic
def bulk_job_create(
    *,
    organisation: Organisation,
    actor: User,
    kind: str,
    case_ids: Iterable[int | str],
    assignee: User | None = None,
    authority: Authority | None = None,
    request_kind: str = "",
    grounds: Iterable[str] = (),
) -> BulkJob:
    """Validate a bulk action and queue it for a worker. Cases that turn out not to be the
    organisation's are reported one by one in the job; they do not stop it."""
    require_role(actor, organisation, Role.CASEWORKER)
    if kind not in BulkJob.Kind.values:
        raise CaseError(_("Choose an action."), field="action")
    try:
        ids = list(dict.fromkeys(int(i) for i in case_ids))
    except (TypeError, ValueError):
        raise CaseError(
            _("The selection holds something that is not a case."), field="cases"
        ) from None
    if not ids:
        raise CaseError(_("Select at least one case."), field="cases")
    if len(ids) > BULK_MAX_CASES:
        raise CaseError(
            _("Select at most %(max)s cases at once.") % {"max": f"{BULK_MAX_CASES:,}"},
            field="cases",
        )
    params: dict[str, Any] = {}
    if kind == BulkJob.Kind.ASSIGN:
        if assignee is not None:
            role = membership_role(assignee, organisation)
            if role is None or ROLE_RANK[role] < ROLE_RANK[Role.CASEWORKER]:
                raise CaseError(
                    _("Only a caseworker or admin of the organisation can take a case."),
                    field="assignee",
                )
        params["assignee_id"] = assignee.pk if assignee else None
    if kind == BulkJob.Kind.COMPLAINTS and authority is not None:
        params["authority_id"] = authority.pk
    if kind == BulkJob.Kind.FOLLOW_UPS:
        if request_kind not in FOLLOW_UP_KINDS:
            raise CaseError(_("Choose the request to send."), field="request_kind")
        if request_kind == RequestKind.ERASURE and not grounds:
            raise CaseError(_("Say why the data must be erased."), field="grounds")
        params["request_kind"], params["grounds"] = request_kind, list(grounds)
    job = BulkJob.objects.create(
        organisation=organisation,
        kind=kind,
        requested_by=actor,
        case_ids=ids,
        params=params,
        total=len(ids),
    )
    enqueue_on_commit(BULK_JOB_TASK, job.pk)
    return job


def bulk_job_requeue(*, job: BulkJob, actor: User) -> BulkJob:
    """Hand an unfinished job to the broker again (after a broker outage or a lost worker);
    running it twice is safe, see `bulk_job_run`."""
    require_role(actor, job.organisation, Role.CASEWORKER)
    if job.is_finished:
        raise CaseError(_("This job has finished."))
    if not enqueue(BULK_JOB_TASK, job.pk):
        raise CaseError(_("The job queue cannot be reached; try again in a moment."))
    return job


def _bulk_one(job: BulkJob, case_id: int, actor: User | None) -> None:
    """One case of a bulk job; raises CaseError for a per-case failure."""
    organisation = job.organisation
    if actor is None:
        raise CaseError(_("The person who started this job no longer has an account."))
    if job.kind == BulkJob.Kind.ASSIGN:
        assignee_id = job.params.get("assignee_id")
        assignee = User.objects.filter(pk=assignee_id).first() if assignee_id else None
        if assignee_id and assignee is None:
            raise CaseError(_("The chosen caseworker no longer has an account."))
        case_assign(case=case_id, actor=actor, organisation=organisation, assignee=assignee)
        return
    require_role(actor, organisation, Role.CASEWORKER)
    case = _mandated_case(case_id, organisation)
    if job.kind == BulkJob.Kind.REMINDERS:
        letter_request(case=case, actor=actor, kind="reminder", authority=None)
    elif job.kind == BulkJob.Kind.COMPLAINTS:
        authority_id = job.params.get("authority_id")
        authority = (
            Authority.objects.filter(pk=authority_id).first()
            if authority_id
            else case.vendor.lead_authority
        )
        if authority is None:
            raise CaseError(_("No authority is known for this company: choose one."))
        letter_request(case=case, actor=actor, kind="complaint", authority=authority)
    elif job.kind == BulkJob.Kind.FOLLOW_UPS:
        # Refused for a case whose mandate does not cover the kind, or that has one open: the
        # job records why and goes on (Art. 80(1): the person decided what may be sent).
        case_follow_ups_create(
            parent=case,
            actor=actor,
            kinds=[job.params["request_kind"]],
            grounds=job.params.get("grounds", []),
        )


def bulk_job_run(*, job_id: int, chunk: int | None = None) -> BulkJob | None:
    """Work through a job a chunk at a time, storing progress after each chunk.

    The job row is locked while a chunk runs, so two workers given the same job (a redelivered
    message) take turns and never process a case twice; a run after a crash resumes at `done`.
    Each case runs in its own savepoint: a failure is recorded and the job goes on.
    """
    chunk = chunk or settings.WORKSPACE_BULK_CHUNK
    job = BulkJob.objects.filter(pk=job_id).select_related("requested_by").first()
    if job is None or job.is_finished:
        return job
    actor = job.requested_by
    with set_actor(actor):
        while True:
            try:
                with transaction.atomic():
                    job = (
                        BulkJob.objects.select_for_update(of=("self",))
                        .select_related("organisation", "requested_by")
                        .get(pk=job_id)
                    )
                    if job.is_finished:
                        return job
                    if job.started_at is None:
                        job.started_at = timezone.now()
                    job.state = BulkJob.State.RUNNING
                    batch = job.case_ids[job.done : job.done + chunk]
                    for case_id in batch:
                        try:
                            with transaction.atomic():
                                _bulk_one(job, case_id, actor)
                        except CaseError as error:
                            job.failures.append({"case_id": case_id, "message": error.message})
                        except IntegrityError:
                            logger.warning("bulk job %s, case %s: conflict", job_id, case_id)
                            job.failures.append(
                                {"case_id": case_id, "message": _("Conflicting change; retry.")}
                            )
                        except Exception:
                            # A bug on one case must not stop the others; the log has the trace.
                            logger.exception("bulk job %s, case %s failed", job_id, case_id)
                            job.failures.append(
                                {"case_id": case_id, "message": _("Unexpected error.")}
                            )
                        else:
                            job.succeeded += 1
                        job.done += 1
                    if job.done >= job.total:
                        job.state, job.finished_at = BulkJob.State.DONE, timezone.now()
                    job.save()
            except Exception as error:
                BulkJob.objects.filter(pk=job_id).update(
                    state=BulkJob.State.FAILED,
                    error=f"{type(error).__name__}: {error}"[:2000],
                    finished_at=timezone.now(),
                )
                raise
            if job.is_finished:
                return job


__all__ = [
    "BULK_MAX_CASES",
    "bulk_job_create",
    "bulk_job_requeue",
    "bulk_job_run",
    "campaign_case_create",
    "campaign_create",
    "campaign_update",
    "case_assign",
    "case_note_add",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_revoke",
    "mandate_grant",
    "mandate_revoke",
    "membership_change_role",
    "membership_remove",
    "organisation_create",
    "organisation_update",
    "unique_slug",
]
