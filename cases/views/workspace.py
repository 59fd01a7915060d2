"""The advocacy workspace: an organisation's dashboard, cases, bulk jobs, members, campaigns,
statistics and audit trail; the mandate pages of the data subject; the public statistics.

Every organisation page goes through `_member(request, slug, minimum_role)`: anonymous people
are sent to log in, people who are not members get a 404 (an organisation's workspace is not
shown to outsiders), members below the role get a 403. Cases come only from
`organisation_cases`, so another organisation's case is a 404.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import selectors, services
from cases.exceptions import CaseError
from cases.forms.common import show_error
from cases.forms.workspace import (
    AssignForm,
    BulkActionForm,
    CampaignForm,
    CampaignJoinForm,
    DashboardFilterForm,
    InvitationForm,
    MandateForm,
    NoteForm,
    OrganisationCreateForm,
    OrganisationForm,
    RevokeForm,
    RoleForm,
)
from cases.mail.selectors import organisation_mail_queue
from cases.models import (
    ALL_ITEMS,
    MANDATE_CONSENT_VERSION,
    Article15Item,
    BulkJob,
    Campaign,
    Case,
    IncidentKind,
    Invitation,
    Mandate,
    MandateScope,
    Membership,
    Organisation,
    Vendor,
    in_article_order,
    item_labels,
)
from cases.models.workspace import consent_text
from cases.templatetags.workspace_tags import percent

Role = Membership.Role


# --- Permissions -----------------------------------------------------------------------------


def _member(request: HttpRequest, slug: str, minimum: str = Role.VIEWER) -> Membership:
    """The signed-in user's membership in the organisation `slug`, at least `minimum`."""
    membership = selectors.membership_for(request.user, slug)
    if membership is None:
        raise Http404
    _require(membership, minimum)
    return membership


def _require(membership: Membership, minimum: str) -> None:
    if selectors.ROLE_RANK[membership.role] < selectors.ROLE_RANK[minimum]:
        raise PermissionDenied


def _org_case(membership: Membership, case_id: int) -> Case:
    return get_object_or_404(
        selectors.organisation_cases(membership.organisation).select_related(
            "vendor__lead_authority", "assignee", "requester"
        ),
        pk=case_id,
    )


def _context(membership: Membership, **extra: Any) -> dict[str, Any]:
    role = membership.role
    return {
        "organisation": membership.organisation,
        "membership": membership,
        "can_work": selectors.ROLE_RANK[role] >= selectors.ROLE_RANK[Role.CASEWORKER],
        "is_admin": role == Role.ADMIN,
        **extra,
    }


# --- Dashboard -------------------------------------------------------------------------------


def _filter_form(
    request: HttpRequest, membership: Membership, assignees: list[Any]
) -> DashboardFilterForm:
    organisation = membership.organisation
    return DashboardFilterForm(
        request.GET or None,
        vendors=list(Vendor.objects.order_by("-voice_assistant", "name").only("pk", "name")),
        assignees=assignees,
        campaigns=list(Campaign.objects.filter(organisation=organisation).only("pk", "title")),
    )


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's cases: filters, search, sort, 50 a page, and bulk actions."""
    membership = _member(request, slug)
    assignees = list(selectors.organisation_assignees(membership.organisation))
    form = _filter_form(request, membership, assignees)
    filters = form.filters()
    page = selectors.dashboard_page(
        membership.organisation,
        filters,
        request.GET.get("page"),
        per_page=settings.WORKSPACE_PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    # Its own ids: the filters above have an "assignee" field too (one id="id_assignee" only).
    bulk_form = BulkActionForm(assignees=assignees, auto_id="bulk_%s")
    return render(
        request,
        "workspace/dashboard.html",
        _context(
            membership,
            form=form,
            page=page,
            query=query.urlencode(),
            bulk_form=bulk_form,
            jobs=list(selectors.bulk_jobs_of(membership.organisation)[:5]),
            mail_waiting=organisation_mail_queue(membership.organisation).count(),
        ),
    )


def _csv_response(rows: Iterable[Iterable[Any]], filename: str) -> StreamingHttpResponse:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def stream() -> Iterator[str]:
        for row in rows:
            yield writer.writerow(["" if v is None else v for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


EXPORT_HEADER = [
    "case",
    "requester",
    "email",
    "country",
    "company",
    "status",
    "outcome",
    "sent_on",
    "received_on",
    "next_due",
    "assignee",
    "campaign",
    "vendor_reference",
    "created_at",
]


@login_required
@require_POST
def bulk(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a bulk action on the ticked cases, or on every case the filters match."""
    membership = _member(request, slug, Role.CASEWORKER)
    organisation = membership.organisation
    assignees = list(selectors.organisation_assignees(organisation))
    filter_form = _filter_form(request, membership, assignees)
    form = BulkActionForm(request.POST, assignees=assignees)
    back = reverse("cases:org_dashboard", args=[slug]) + (
        f"?{request.GET.urlencode()}" if request.GET else ""
    )
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect(back)
    matching = selectors.dashboard_cases(organisation, filter_form.filters())
    if form.cleaned_data["select_all"]:
        ids: list[Any] = list(matching.order_by("pk").values_list("pk", flat=True))
        if not ids:
            messages.error(request, _("No case matches the filters."))
            return redirect(back)
    else:
        ids = form.case_ids()
    action = form.cleaned_data["action"]
    if action == "export":
        numeric = [int(i) for i in ids if str(i).isdigit()]
        rows = selectors.export_rows(matching.filter(pk__in=numeric).order_by("pk"))
        return _csv_response(_with_header(EXPORT_HEADER, rows), f"{slug}-cases.csv")
    try:
        job = services.bulk_job_create(
            organisation=organisation,
            actor=request.user,
            kind=action,
            case_ids=ids,
            assignee=form.cleaned_data.get("assignee_user"),
            authority=form.cleaned_data.get("authority"),
            request_kind=form.cleaned_data.get("request_kind") or "",
            grounds=form.cleaned_data.get("grounds") or [],
        )
    except CaseError as error:
        messages.error(request, error.message)
        return redirect(back)
    return redirect("cases:org_job", slug=slug, job_id=job.pk)


def _with_header(header: list[str], rows: Iterable[Any]) -> Iterator[Iterable[Any]]:
    yield header
    yield from rows


def _job(membership: Membership, job_id: int) -> BulkJob:
    return get_object_or_404(selectors.bulk_jobs_of(membership.organisation), pk=job_id)


@login_required
@require_GET
def job_detail(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    """A bulk job's progress; the page polls its status fragment (or reloads without script)."""
    membership = _member(request, slug)
    job = _job(membership, job_id)
    return render(request, "workspace/job.html", _context(membership, job=job))


@login_required
@require_POST
def job_requeue(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    membership = _member(request, slug)
    job = _job(membership, job_id)
    _require(membership, Role.CASEWORKER)
    try:
        services.bulk_job_requeue(job=job, actor=request.user)
        messages.success(request, _("The job was queued again."))
    except CaseError as error:
        messages.error(request, error.message)
    return redirect("cases:org_job", slug=slug, job_id=job.pk)


@login_required
@require_GET
def job_status(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    membership = _member(request, slug)
    job = _job(membership, job_id)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "state": job.state,
                "done": job.done,
                "total": job.total,
                "succeeded": job.succeeded,
                "failures": job.failures,
                "finished": job.is_finished,
            }
        )
    return render(request, "workspace/_job_status.html", _context(membership, job=job))


# --- A case in the workspace -----------------------------------------------------------------


@login_required
@require_GET
def org_case(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    """The organisation's side of a case: mandate, assignee, internal notes."""
    membership = _member(request, slug)
    case = _org_case(membership, case_id)
    organisation = membership.organisation
    return render(
        request,
        "workspace/case.html",
        _context(
            membership,
            case=case,
            mandate=selectors.active_mandate(case),
            notes=list(selectors.case_notes(case, organisation)),
            note_form=NoteForm(),
            assign_form=AssignForm(
                initial={"assignee": case.assignee_id or ""},
                assignees=list(selectors.organisation_assignees(organisation)),
            ),
        ),
    )


@login_required
@require_POST
def org_case_assign(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    membership = _member(request, slug)
    case = _org_case(membership, case_id)  # another organisation's case: 404
    _require(membership, Role.CASEWORKER)
    form = AssignForm(
        request.POST, assignees=list(selectors.organisation_assignees(membership.organisation))
    )
    if form.is_valid():
        try:
            services.case_assign(
                case=case,
                actor=request.user,
                organisation=membership.organisation,
                assignee=form.user(),
            )
            messages.success(request, _("Assignment saved."))
        except CaseError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Choose a caseworker of the organisation."))
    return redirect("cases:org_case", slug=slug, case_id=case.pk)


@login_required
@require_POST
def org_case_note(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    membership = _member(request, slug)
    case = _org_case(membership, case_id)  # another organisation's case: 404
    _require(membership, Role.CASEWORKER)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.case_note_add(
                case=case,
                actor=request.user,
                organisation=membership.organisation,
                body=form.cleaned_data["body"],
            )
            messages.success(request, _("Note added."))
        except CaseError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Write something."))
    return redirect("cases:org_case", slug=slug, case_id=case.pk)


@login_required
@require_POST
def org_mandate_revoke(request: HttpRequest, slug: str, mandate_id: int) -> HttpResponse:
    """An admin ends the organisation's mandate (it declines or stops acting on the case)."""
    membership = _member(request, slug, Role.ADMIN)
    mandate = get_object_or_404(
        Mandate.objects.active().filter(organisation=membership.organisation), pk=mandate_id
    )
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.mandate_revoke(mandate=mandate, actor=request.user, reason=reason)
        messages.success(request, _("The mandate ended; the case left the workspace."))
    except CaseError as error:
        messages.error(request, error.message)
    return redirect("cases:org_dashboard", slug=slug)


# --- Members, invitations, settings ----------------------------------------------------------


@login_required
@require_GET
def members(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _member(request, slug)
    organisation = membership.organisation
    return render(
        request,
        "workspace/members.html",
        _context(
            membership,
            members=list(selectors.organisation_members(organisation)),
            invitations=list(selectors.pending_invitations(organisation)),
            invitation_form=InvitationForm(),
            roles=Role.choices,
        ),
    )


@login_required
@require_POST
def member_invite(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _member(request, slug, Role.ADMIN)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                organisation=membership.organisation,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
        except CaseError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Enter an e-mail address and a role."))
    return redirect("cases:org_members", slug=slug)


def _other_membership(membership: Membership, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("organisation", "user").filter(
            organisation=membership.organisation
        ),
        pk=membership_id,
    )


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    membership = _member(request, slug, Role.ADMIN)
    target = _other_membership(membership, membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                membership=target, actor=request.user, role=form.cleaned_data["role"]
            )
            messages.success(request, _("Role changed."))
        except CaseError as error:
            messages.error(request, error.message)
    return redirect("cases:org_members", slug=slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    """An admin removes a member, or a member leaves (their own membership)."""
    membership = _member(request, slug)
    target = _other_membership(membership, membership_id)
    if target.pk != membership.pk and membership.role != Role.ADMIN:
        raise PermissionDenied
    try:
        services.membership_remove(membership=target, actor=request.user)
    except CaseError as error:
        messages.error(request, error.message)
        return redirect("cases:org_members", slug=slug)
    if target.pk == membership.pk:
        messages.success(
            request, _("You left %(organisation)s.") % {"organisation": membership.organisation}
        )
        return redirect("cases:landing")
    messages.success(request, _("Member removed."))
    return redirect("cases:org_members", slug=slug)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    membership = _member(request, slug, Role.ADMIN)
    invitation = get_object_or_404(
        Invitation.objects.filter(organisation=membership.organisation), pk=invitation_id
    )
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
        messages.success(request, _("Invitation withdrawn."))
    except CaseError as error:
        messages.error(request, error.message)
    return redirect("cases:org_members", slug=slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the e-mail. Accepting needs an account with the invited address."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    error = None
    if request.method == "POST":
        try:
            services.invitation_accept(token=token, user=request.user)
        except CaseError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("Welcome to %(organisation)s.") % {"organisation": invitation.organisation},
            )
            return redirect("cases:org_dashboard", slug=invitation.organisation.slug)
    elif not invitation.is_pending:
        error = _("This invitation is no longer valid. Ask for a new one.")
    elif request.user.email.lower() != invitation.email.lower():
        error = _(
            "This invitation was sent to %(email)s. Log in with that address to accept it."
        ) % {"email": invitation.email}
    return render(
        request,
        "workspace/invitation.html",
        {"invitation": invitation, "error": error},
        status=400 if error and request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def org_settings(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _member(request, slug, Role.ADMIN)
    organisation = membership.organisation
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation,
                actor=request.user,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                address=form.cleaned_data["address"],
            )
            messages.success(request, _("Saved."))
            return redirect("cases:org_settings", slug=slug)
        except CaseError as error:
            show_error(form, error)
    return render(request, "workspace/settings.html", _context(membership, form=form))


# --- Campaigns -------------------------------------------------------------------------------


@login_required
@require_GET
def campaigns(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _member(request, slug)
    return render(
        request,
        "workspace/campaigns.html",
        _context(membership, campaigns=list(selectors.campaigns_of(membership.organisation))),
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, slug: str, campaign_slug: str = "") -> HttpResponse:
    membership = _member(request, slug, Role.ADMIN)
    organisation = membership.organisation
    campaign = (
        get_object_or_404(Campaign.objects.filter(organisation=organisation), slug=campaign_slug)
        if campaign_slug
        else None
    )
    initial = {}
    if campaign is not None:
        initial = {
            "title": campaign.title,
            "slug": campaign.slug,
            "vendors": list(campaign.vendors.all()),
            "request_variant": campaign.request_variant,
            "kind": campaign.kind,
            "scope": campaign.scope,
            "landing_en": campaign.landing_en,
            "landing_fr": campaign.landing_fr,
            "landing_de": campaign.landing_de,
            "is_open": campaign.is_open,
        }
    form = CampaignForm(request.POST or None, initial=initial)
    if campaign is not None:
        form.fields["slug"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in data if k != "slug"}
        try:
            if campaign is None:
                campaign = services.campaign_create(
                    organisation=organisation, actor=request.user, slug=data["slug"], **fields
                )
            else:
                services.campaign_update(campaign=campaign, actor=request.user, **fields)
            messages.success(request, _("Campaign saved."))
            return redirect("cases:org_campaigns", slug=slug)
        except CaseError as error:
            show_error(form, error)
    return render(
        request,
        "workspace/campaign_form.html",
        _context(membership, form=form, campaign=campaign),
    )


@require_http_methods(["GET", "POST"])
def campaign_join(request: HttpRequest, org_slug: str, campaign_slug: str) -> HttpResponse:
    """A campaign's public page: the landing text, the company preselected, and the mandate.

    A person hands one of their open requests to the organisation at once, or starts a new
    request: the request form opens with the company chosen, and filing it hands it to the
    organisation under the mandate agreed to here (one consent, see `campaign_case_create`).
    """
    campaign = selectors.public_campaign(org_slug, campaign_slug)
    if campaign is None:
        raise Http404
    vendors = list(campaign.vendors.all())
    language = translation.get_language() or "en"
    user = request.user
    cases = list(selectors.open_cases_to_hand_over(user, vendors)) if user.is_authenticated else []
    preselected = next((v for v in vendors if v.slug == request.GET.get("vendor")), None)
    if preselected is None and len(vendors) == 1:
        preselected = vendors[0]
    form = CampaignJoinForm(
        request.POST or None,
        campaign=campaign,
        cases=cases,
        initial={
            "vendor": preselected,
            "case": "new",
            "consent_text_version": MANDATE_CONSENT_VERSION,
        },
    )
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not campaign.is_open:
            messages.error(request, _("This campaign is closed."))
        elif form.is_valid():
            vendor = form.cleaned_data["vendor"]
            chosen = form.cleaned_data.get("case") or "new"
            if chosen == "new":
                request.session[selectors.CAMPAIGN_SESSION_KEY] = {
                    "campaign": campaign.pk,
                    "vendor": vendor.pk,
                    "consent_text_version": form.cleaned_data["consent_text_version"],
                }
                return redirect("cases:request_details", vendor_slug=vendor.slug)
            case = next((c for c in cases if str(c.pk) == chosen), None)
            if case is None:
                raise Http404
            try:
                services.mandate_grant(
                    case=case,
                    actor=user,
                    organisation=campaign.organisation,
                    scope=campaign.scope,
                    consent_text_version=form.cleaned_data["consent_text_version"],
                    campaign=campaign,
                )
            except CaseError as error:
                show_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(organisation)s now acts on this request with you.")
                    % {"organisation": campaign.organisation},
                )
                return redirect("cases:case_detail", case_id=case.pk)
    return render(
        request,
        "workspace/campaign_join.html",
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "landing": campaign.landing_text(language),
            "form": form,
            "vendors": vendors,
            "consent": consent_text(MANDATE_CONSENT_VERSION, campaign.organisation),
            "scope_labels": _scope_labels(campaign.scope),
            "items": _item_labels(campaign.requested_items),
        },
    )


def _scope_labels(scope: list[str]) -> list[str]:
    labels = dict(MandateScope.choices)
    return [str(labels[s]) for s in scope if s in labels]


def _item_labels(items: list[str]) -> list[str]:
    labels = dict(Article15Item.choices)
    return [str(labels[i]) for i in in_article_order(items)]


# --- The data subject's mandates -------------------------------------------------------------


def _own_case(request: HttpRequest, case_id: int) -> Case:
    return get_object_or_404(
        Case.objects.filter(requester=request.user).select_related("vendor"), pk=case_id
    )


@login_required
@require_http_methods(["GET", "POST"])
def mandate_grant(request: HttpRequest, case_id: int) -> HttpResponse:
    """The requester hands their case to an organisation (Art. 80(1)). GET: the page with the
    form, the only place that lists every organisation; POST: the grant."""
    case = _own_case(request, case_id)
    if request.method == "GET":
        if selectors.active_mandate(case) is not None:
            messages.info(request, _("An organisation already acts on this request."))
            return redirect(reverse("cases:case_detail", args=[case.pk]) + "#workspace-panel")
        form = MandateForm(initial={"consent_text_version": MANDATE_CONSENT_VERSION})
        context = {
            "case": case,
            "form": form,
            "consent": consent_text(MANDATE_CONSENT_VERSION, _("the organisation you choose")),
        }
        return render(request, "workspace/mandate_new.html", context)
    form = MandateForm(request.POST)
    if form.is_valid():
        try:
            services.mandate_grant(
                case=case,
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                scope=form.cleaned_data["scope"],
                consent_text_version=form.cleaned_data["consent_text_version"],
                kinds=form.cleaned_data.get("kinds") or (),
            )
        except CaseError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(organisation)s now acts on this request with you.")
                % {"organisation": form.cleaned_data["organisation"]},
            )
    else:
        messages.error(request, _("Choose an organisation, what it may do, and agree to the text."))
    return redirect("cases:case_detail", case_id=case.pk)


@login_required
@require_POST
def mandate_revoke(request: HttpRequest, case_id: int, mandate_id: int) -> HttpResponse:
    """The requester ends the mandate: the organisation loses access at once."""
    case = _own_case(request, case_id)
    mandate = get_object_or_404(Mandate.objects.active().filter(case=case), pk=mandate_id)
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.mandate_revoke(mandate=mandate, actor=request.user, reason=reason)
        messages.success(
            request, _("The mandate ended: the organisation no longer sees this case.")
        )
    except CaseError as error:
        messages.error(request, error.message)
    return redirect("cases:case_detail", case_id=case.pk)


# --- Audit trail -----------------------------------------------------------------------------


def _audit_case(request: HttpRequest, case_id: int) -> tuple[Case, Organisation | None]:
    """A case the user may see, and the organisation whose internal entries they see (the one
    holding the mandate, if they are among its members)."""
    case = get_object_or_404(selectors.cases_visible_to(request.user), pk=case_id)
    organisation = None
    if case.organisation_id is not None:
        membership = (
            Membership.objects.select_related("organisation")
            .filter(user=request.user, organisation_id=case.organisation_id)
            .first()
        )
        organisation = membership.organisation if membership else None
    return case, organisation


AUDIT_ACTIONS = {0: "create", 1: "update", 2: "delete", 3: "access"}


def _audit_rows(entries: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for entry in entries:
        yield {
            "entry": entry,
            "when": entry.timestamp,
            "who": entry.actor.email if entry.actor else (entry.actor_email or ""),
            "what": entry.content_type.model if entry.content_type_id else "",
            "object": entry.object_repr,
            "action": AUDIT_ACTIONS.get(entry.action, str(entry.action)),
            "changes": selectors.audit_changes(entry),
        }


@login_required
@require_GET
def case_audit(request: HttpRequest, case_id: int) -> HttpResponse:
    """Every change to the case and what hangs off it, with actor, time and before/after."""
    case, organisation = _audit_case(request, case_id)
    entries = selectors.case_audit(case, organisation=organisation)
    if request.GET.get("format") == "csv":
        return _csv_response(
            _with_header(
                ["timestamp", "actor", "model", "object", "action", "field", "before", "after"],
                (
                    [
                        row["when"].isoformat(),
                        row["who"],
                        row["what"],
                        row["object"],
                        row["action"],
                        name,
                        _cell(before),
                        _cell(after),
                    ]
                    for row in _audit_rows(entries.iterator())
                    for name, before, after in (row["changes"] or [("", "", "")])
                ),
            ),
            f"case-{case.pk}-audit.csv",
        )
    page = Paginator(entries, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/audit.html",
        {"case": case, "page": page, "rows": list(_audit_rows(page.object_list))},
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@login_required
@require_GET
def org_audit(request: HttpRequest, slug: str) -> HttpResponse:
    """Changes to the organisation's members, invitations, campaigns and mandates."""
    membership = _member(request, slug, Role.ADMIN)
    entries = selectors.organisation_audit(membership.organisation)
    page = Paginator(entries, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/org_audit.html",
        _context(membership, page=page, rows=list(_audit_rows(page.object_list))),
    )


# --- Statistics ------------------------------------------------------------------------------


def _stats_downloads(stats: selectors.VendorStatistics, fmt: str, filename: str) -> HttpResponse:
    if fmt not in ("csv", "json"):
        raise Http404
    if fmt == "json":
        response = JsonResponse(stats.as_json())
        response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        return response
    kinds = [kind.value for kind in IncidentKind]
    header = [
        "vendor",
        "request_kind",
        "month",
        "cases",
        "sent",
        "receipt_confirmed",
        "answered",
        "answered_on_time",
        "complete_answers",
        "answers_due",
        "complete_answers_on_time",
        "median_days_to_receipt_confirmed",
        "median_days_to_answer",
        "median_days_to_complete_answer",
        "extensions",
        # every kind's checklist; a row leaves the items of other kinds empty
        *[f"missing_{i}" for i in ALL_ITEMS],
        *[f"incidents_{k}" for k in kinds],
    ]

    def rows() -> Iterator[list[Any]]:
        yield header
        for row in stats.vendors + stats.months + stats.follow_ups:
            month = row.get("month")
            incidents = row.get("incidents", {})
            yield [
                row["vendor_name"],
                row["kind"],
                month.strftime("%Y-%m") if month else "all",
                row["cases"],
                row["sent"],
                row["acknowledged"],
                row["answered"],
                row["on_time"],
                row["complete"],
                row["due"],
                row["complete_on_time"],
                row.get("median_days_to_acknowledgement"),
                row.get("median_days"),
                row.get("median_days_to_complete"),
                row["extended"],
                *[row["missing"].get(i, "") for i in ALL_ITEMS],
                *[incidents.get(k, 0) if "incidents" in row else "" for k in kinds],
            ]

    return _csv_response(rows(), f"{filename}.csv")


def _charts(stats: selectors.VendorStatistics) -> dict[str, Any]:
    """Geometry for the server-rendered SVG bar charts (no script, readable as a table too). A
    company with no figure yet gets "no data", never a bar of 0."""
    vendors = stats.vendors
    bar_height, gap, label_width, width = 22, 8, 160, 360

    def bars(key: str, *, share: bool = False) -> dict[str, Any]:
        values = [r.get(key) for r in vendors]
        scale = 1 if share else max((v for v in values if v), default=0) or 1
        return {
            "height": len(vendors) * (bar_height + gap) + gap,
            "width": label_width + width + 70,
            "bars": [
                {
                    "label": r["vendor_name"],
                    "y": gap + i * (bar_height + gap),
                    "text_y": gap + i * (bar_height + gap) + round(bar_height * 0.7),
                    # at least a sliver, so that a 0 shows as a bar of 0, not as nothing
                    "width": max(round(width * ((v or 0) / scale), 1), 2),
                    "value": v,
                    "shown": percent(v) if share else v,
                }
                for i, (r, v) in enumerate(zip(vendors, values, strict=True))
            ],
            "x": label_width,
            "bar_height": bar_height,
        }

    return {
        "on_time": bars("on_time_share", share=True),
        "complete": bars("median_days_to_complete"),
        "acknowledged": bars("median_days_to_acknowledgement"),
    }


def _stats_page(
    request: HttpRequest, stats: selectors.VendorStatistics, template: str, **context: Any
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "stats": stats,
            "charts": _charts(stats),
            "items": Article15Item.choices,
            "kinds": IncidentKind.choices,
            "item_labels": item_labels(),
            **context,
        },
    )


@login_required
@require_GET
def org_stats(request: HttpRequest, slug: str, fmt: str = "") -> HttpResponse:
    """How each vendor behaves in the organisation's mandated cases (the summary; the figures
    per month have their own page and are in the downloads)."""
    membership = _member(request, slug)
    stats = selectors.organisation_statistics_stored(membership.organisation, months=bool(fmt))
    if fmt:
        return _stats_downloads(stats, fmt, f"{slug}-statistics")
    months_url = reverse("cases:org_stats_months", args=[slug])
    return _stats_page(
        request, stats, "workspace/stats.html", months_url=months_url, **_context(membership)
    )


@login_required
@require_GET
def org_stats_months(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _member(request, slug)
    stats = selectors.organisation_statistics_stored(membership.organisation, vendors=False)
    return render(
        request,
        "workspace/stats_months.html",
        {
            "stats": stats,
            "back_url": reverse("cases:org_stats", args=[slug]),
            **_context(membership),
        },
    )


@require_GET
def public_stats(request: HttpRequest, fmt: str = "") -> HttpResponse:
    """The same figures over every case; only groups of at least STATS_MIN_GROUP cases."""
    stats = selectors.public_statistics_stored(months=bool(fmt))
    if fmt:
        return _stats_downloads(stats, fmt, "voice-assistant-statistics")
    months_url = reverse("cases:public_stats_months")
    return _stats_page(request, stats, "workspace/public_stats.html", months_url=months_url)


@require_GET
def public_stats_months(request: HttpRequest) -> HttpResponse:
    stats = selectors.public_statistics_stored(vendors=False)
    return render(
        request,
        "workspace/public_stats_months.html",
        {"stats": stats, "back_url": reverse("cases:public_stats")},
    )


# --- Where a member starts -------------------------------------------------------------------


@login_required
@require_GET
def my_organisations(request: HttpRequest) -> HttpResponse:
    """Where a member starts; someone in no organisation is offered to create one."""
    memberships = list(selectors.memberships_of(request.user))
    if len(memberships) == 1:
        return redirect("cases:org_dashboard", slug=memberships[0].organisation.slug)
    return render(
        request,
        "workspace/organisations.html",
        {"memberships": memberships, "form": OrganisationCreateForm() if not memberships else None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest) -> HttpResponse:
    """Create an organisation and become its admin; staff verify it later (Art. 80(1))."""
    form = OrganisationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.organisation_create(
                actor=request.user,
                name=data["name"],
                address=data["address"],
                email=data["email"],
                declares_nonprofit=data["declaration"],
            )
        except CaseError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(organisation)s was created and you are its admin. Until our staff have "
                    "verified it, its campaign pages and letters say it is not yet verified."
                )
                % {"organisation": organisation},
            )
            return redirect("cases:org_dashboard", slug=organisation.slug)
    return render(request, "workspace/organisation_new.html", {"form": form})
