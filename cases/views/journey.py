"""The consumer's journey: file a request, follow it, record what the vendor did.

Views are thin: cases come only from `selectors.cases_visible_to` (another person's case is a
404), every write is one service call, and a service's CaseError is shown next to its field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from cases import actions, facts, ratelimit, selectors, services
from cases.exceptions import ActionNotAvailable, CaseError
from cases.forms.case_actions import (
    FOLLOW_UP_OFFERS,
    AcknowledgementForm,
    AuthorityReplyForm,
    CloseForm,
    DeliveryForm,
    EvidenceForm,
    ExtensionForm,
    FollowUpForm,
    IdentityProvidedForm,
    IdentityRequestedForm,
    IncidentForm,
    MarkSentForm,
    ReminderSettingsForm,
    ResponseForm,
)
from cases.forms.common import COUNTRY_CHOICES, DATA_CATEGORY_LABELS, show_error
from cases.forms.requests import RequestForm
from cases.guidance import case_next_step, reminder_offset_label
from cases.models import (
    ALL_ITEMS,
    FOLLOW_UP_KINDS,
    Article15Item,
    Case,
    CaseEvent,
    Channel,
    DeadlineKind,
    EventKind,
    ExportStatus,
    IncidentKind,
    LetterKind,
    Outcome,
    RequestKind,
    Vendor,
    in_article_order,
    item_labels,
)
from cases.uploads import ALLOWED_CONTENT_TYPES, SizeLimitUploadHandler
from cases.views.letters_panel import letters_panel
from cases.views.mail import case_mail_context

DRAFT_SESSION_KEY = "journey.request_draft"
DUE_SOON_DAYS = 7
MY_CASES_PAGE = 50


# --- Filing a request ------------------------------------------------------------------------


def _country_param(request: HttpRequest) -> str:
    """The requester's country from `?country=`, if it is one the request form offers."""
    code = request.GET.get("country", "").strip().upper()
    return code if code in dict(COUNTRY_CHOICES) else ""


@require_GET
def request_new(request: HttpRequest) -> HttpResponse:
    """Step 1: pick the company; with `?country=` the national entities of that country first and
    none of another's (`selectors.vendors_for_request`)."""
    country = _country_param(request)
    context = {
        "vendors": selectors.vendors_for_request(country=country),
        "country": country,
        "countries": COUNTRY_CHOICES,
    }
    return render(request, "cases/request_vendor.html", context)


def _initial_request_data(request: HttpRequest, vendor: Vendor) -> dict[str, Any]:
    languages = {code for code, _name in settings.LANGUAGES}
    current = translation.get_language() or settings.LANGUAGE_CODE
    initial: dict[str, Any] = {
        "language": vendor.request_language if vendor.request_language in languages else current,
    }
    if request.user.is_authenticated:
        initial["requester_name"] = request.user.full_name
        initial["requester_email"] = request.user.email
        initial["account_identifiers"] = request.user.email
    country = _country_param(request)
    if country:
        initial["requester_country"] = country
    draft = request.session.get(DRAFT_SESSION_KEY)
    if draft and draft.get("vendor") == vendor.slug:
        initial.update(draft["data"])
    return initial


def _create_case(request: HttpRequest, vendor: Vendor, form: RequestForm) -> HttpResponse | None:
    """File the request for the logged-in person; None when the form gets an error."""
    verdict = ratelimit.hit(
        "request_create", f"user:{request.user.pk}", f"ip:{ratelimit.client_ip(request)}"
    )
    if not verdict.allowed:
        return ratelimit.too_many_requests(request, verdict)
    data = form.cleaned_data
    fields = {
        "requester": request.user,
        "vendor": vendor,
        "requester_name": data["requester_name"],
        "requester_email": data["requester_email"],
        "requester_country": data["requester_country"],
        "requester_region": data["requester_region"],
        "requester_address": data["requester_address"],
        "account_identifiers": data["account_identifiers"],
        "device_serials": data["device_serials"],
        "requested_items": data["requested_items"],
        "language": data["language"],
    }
    # A request started on a campaign's page goes to its organisation under the mandate agreed
    # to there: one consent, given before filing.
    joining = selectors.pending_campaign(request.session, vendor.pk)
    try:
        with transaction.atomic():
            if joining is not None:
                case = services.campaign_case_create(
                    campaign=joining.campaign,
                    consent_text_version=joining.consent_text_version,
                    **fields,
                )
            else:
                case = services.case_create(**fields)
            # The letter to send is prepared at once: the case page opens on it being prepared
            # and shows it when the worker has rendered it, not on "no letter yet".
            services.letter_request(case=case, actor=request.user, kind=LetterKind.ACCESS_REQUEST)
    except CaseError as error:
        show_error(form, error)
        return None
    request.session.pop(DRAFT_SESSION_KEY, None)
    request.session.pop(selectors.CAMPAIGN_SESSION_KEY, None)
    messages.success(
        request,
        _("Your request to %(vendor)s is ready. Send it, then record the day you sent it.")
        % {"vendor": vendor.name},
    )
    if joining is not None:
        messages.success(
            request,
            _("%(organisation)s now acts on this request with you.")
            % {"organisation": joining.campaign.organisation},
        )
    return redirect("cases:case_detail", case_id=case.pk)


def _request_context(request: HttpRequest, vendor: Vendor, **extra: Any) -> dict[str, Any]:
    """What the request pages show, with the campaign being joined: the person sees, before
    filing, that the request goes to its organisation under the mandate they agreed to."""
    return {
        "vendor": vendor,
        "joining": selectors.pending_campaign(request.session, vendor.pk),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def request_details(request: HttpRequest, vendor_slug: str) -> HttpResponse:
    """Step 2: who you are and what to ask for. A person who is not logged in keeps what they
    typed in the session while they register or log in, then confirms."""
    vendor = selectors.vendor_for_request(vendor_slug)
    if vendor is None:
        raise Http404
    if request.method == "POST":
        form = RequestForm(request.POST)
        if form.is_valid():
            if request.user.is_authenticated:
                response = _create_case(request, vendor, form)
                if response is not None:
                    return response
            else:
                request.session[DRAFT_SESSION_KEY] = {
                    "vendor": vendor.slug,
                    "data": form.to_session(),
                }
                messages.info(
                    request,
                    _(
                        "Your request is kept. Create an account (or log in) to file it: it "
                        "lets you follow the deadline and get reminders."
                    ),
                )
                confirm = reverse("cases:request_confirm")
                return redirect(f"{reverse('cases:register')}?next={confirm}")
    else:
        form = RequestForm(initial=_initial_request_data(request, vendor))
    return render(
        request, "cases/request_details.html", _request_context(request, vendor, form=form)
    )


def _draft_summary(form: RequestForm) -> list[tuple[str, str]]:
    data = form.cleaned_data
    countries = dict(form.fields["requester_country"].choices)
    regions = dict(form.fields["requester_region"].choices)
    languages = dict(settings.LANGUAGES)
    items = dict(Article15Item.choices)
    return [
        (form.fields["requester_name"].label, data["requester_name"]),
        (form.fields["requester_email"].label, data["requester_email"]),
        (form.fields["requester_country"].label, countries.get(data["requester_country"], "")),
        *(
            [(form.fields["requester_region"].label, regions[data["requester_region"]])]
            if data["requester_region"]
            else []
        ),
        (form.fields["requester_address"].label, data["requester_address"] or "—"),
        (form.fields["account_identifiers"].label, data["account_identifiers"]),
        (form.fields["device_serials"].label, data["device_serials"] or "—"),
        (
            form.fields["requested_items"].label,
            "; ".join(str(items[i]) for i in data["requested_items"]),
        ),
        (form.fields["language"].label, languages.get(data["language"], data["language"])),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def request_confirm(request: HttpRequest) -> HttpResponse:
    """Step 3 for a person who just registered or logged in: check and file."""
    draft = request.session.get(DRAFT_SESSION_KEY)
    vendor = selectors.vendor_for_request(draft["vendor"]) if draft else None
    if vendor is None:
        messages.info(request, _("There is no request waiting to be filed. Start a new one."))
        return redirect("cases:request_new")
    form = RequestForm(data=draft["data"])
    if not form.is_valid():
        messages.error(request, _("Some details need another look."))
        return render(
            request, "cases/request_details.html", _request_context(request, vendor, form=form)
        )
    if request.method == "POST":
        response = _create_case(request, vendor, form)
        if response is not None:
            return response
        return render(
            request, "cases/request_details.html", _request_context(request, vendor, form=form)
        )
    return render(
        request,
        "cases/request_confirm.html",
        _request_context(request, vendor, summary=_draft_summary(form)),
    )


# --- My cases --------------------------------------------------------------------------------


@login_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    """The person's cases, what is overdue or due soon first."""
    today = timezone.localdate()
    # Pages without a total count: counting would run the ordering query a second time.
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    start = (number - 1) * MY_CASES_PAGE
    cases = list(selectors.cases_by_urgency(request.user)[start : start + MY_CASES_PAGE + 1])
    page = {
        "number": number,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if len(cases) > MY_CASES_PAGE else None,
    }
    rows = []
    for case in cases[:MY_CASES_PAGE]:
        days = (case.next_due - today).days if case.next_due else None
        urgency = (
            "none"
            if days is None
            else "overdue"
            if days < 0
            else "soon"
            if days <= DUE_SOON_DAYS
            else "later"
        )
        rows.append({"case": case, "days": days, "late": -days if days else 0, "urgency": urgency})
    return render(request, "cases/my_cases.html", {"page": page, "rows": rows, "today": today})


# --- The case page ---------------------------------------------------------------------------


def _event_detail(event: CaseEvent) -> str:
    """A few words from the event's data for the timeline."""
    data = event.data or {}
    kind = event.kind
    if kind == EventKind.SENT and data.get("channel") in Channel.values:
        return _("by %(channel)s") % {"channel": Channel(data["channel"]).label}
    if kind == EventKind.EXTENSION_NOTIFIED and data.get("reason"):
        return _("reason given: %(reason)s") % {"reason": data["reason"]}
    if kind == EventKind.RESPONSE_RECEIVED:
        labels = item_labels()
        missing = [labels[i] for i in ALL_ITEMS if i in set(data.get("missing_items", []))]
        if missing:
            return _("missing: %(items)s") % {"items": "; ".join(str(m) for m in missing)}
        return _("nothing missing") if "missing_items" in data else ""
    if kind == EventKind.INCIDENT_RECORDED and data.get("incident_kind") in IncidentKind.values:
        return str(IncidentKind(data["incident_kind"]).label)
    if kind == EventKind.EVIDENCE_ADDED and data.get("file_name"):
        return data["file_name"]
    if kind == EventKind.DEADLINE_MISSED:
        deadline_kind = data.get("deadline_kind") or data.get("kind")
        if deadline_kind in DeadlineKind.values:
            return str(DeadlineKind(deadline_kind).label)
    if kind == EventKind.COMPLAINT_FILED and data.get("authority"):
        return data["authority"]
    if kind == EventKind.CLOSED and data.get("outcome") in Outcome.values and data["outcome"]:
        return str(Outcome(data["outcome"]).label)
    return ""


def _standing_events(
    events: list[CaseEvent], case_clocks: list[Any], *, today: date
) -> list[CaseEvent]:
    """The timeline without the "deadline missed" entries a later-recorded fact has made untrue
    (an extension notified in time, a pause, a re-dated receipt): `facts.missed_event_stands`."""
    if not any(e.kind == EventKind.DEADLINE_MISSED for e in events):
        return events
    known = facts.facts_of(events)
    return [
        e
        for e in events
        if e.kind != EventKind.DEADLINE_MISSED
        or facts.missed_event_stands(e, case_clocks, events=known, today=today)
    ]


def _timeline_rows(events: list[CaseEvent]) -> list[tuple[str, str, str, str, str]]:
    """The timeline, written out here rather than by filters in the template's loop (the
    longest on the page): per event its ISO day, that day as the language writes it, what
    happened, a few words of detail and the note. Several events often share a day."""
    # Looked up once per page: get_kind_display() rebuilds its choices on every call.
    kind_labels = {kind: capfirst(str(label)) for kind, label in EventKind.choices}
    days: dict[date, str] = {}
    rows = []
    for event in events:
        day = event.occurred_on
        if day not in days:
            days[day] = date_format(day, "DATE_FORMAT")
        label = kind_labels.get(event.kind) or capfirst(event.kind)
        rows.append((day.isoformat(), days[day], label, _event_detail(event), event.note))
    return rows


@dataclass(frozen=True)
class Action:
    """One thing a person can record on a case: its form, its service call, its message."""

    name: str
    title: str
    make_form: Callable[..., forms.Form]
    run: Callable[[HttpRequest, Case, Any], object]
    done: str
    field_map: dict[str, str] | None = None
    summary: str = ""  # one line under its link on the case page: what it records


def _form_kwargs(name: str, case: Case, files: dict[str, list[Any]]) -> dict[str, Any]:
    # Each form's ids start with its action, so that the forms of one page never share an id.
    kwargs: dict[str, Any] = {"auto_id": f"id_{name}_%s"}
    if name == actions.RESPONSE:
        kwargs["requested"] = case.requested_items
    if name == actions.EVIDENCE:
        kwargs["incidents"] = files["incidents"]
    return kwargs


def _run_mark_sent(request: HttpRequest, case: Case, form: Any) -> object:
    data = form.cleaned_data
    return services.case_mark_sent(
        case=case,
        actor=request.user,
        sent_on=data["sent_on"],
        channel=data["channel"],
        delivered_on=data["delivered_on"],
    )


def _run_delivery(request: HttpRequest, case: Case, form: Any) -> object:
    return services.case_record_delivery(
        case=case, actor=request.user, delivered_on=form.cleaned_data["delivered_on"]
    )


def _run_identity_requested(request: HttpRequest, case: Case, form: Any) -> object:
    return services.case_identity_requested(
        case=case,
        actor=request.user,
        requested_on=form.cleaned_data["requested_on"],
        note=form.cleaned_data["note"],
    )


def _run_identity_provided(request: HttpRequest, case: Case, form: Any) -> object:
    return services.case_identity_provided(
        case=case, actor=request.user, provided_on=form.cleaned_data["provided_on"]
    )


def _run_acknowledgement(request: HttpRequest, case: Case, form: Any) -> object:
    return services.case_record_acknowledgement(
        case=case,
        actor=request.user,
        acknowledged_on=form.cleaned_data["acknowledged_on"],
        note=form.cleaned_data["note"],
    )


def _run_extension(request: HttpRequest, case: Case, form: Any) -> object:
    return services.case_extension_notified(
        case=case,
        actor=request.user,
        notified_on=form.cleaned_data["notified_on"],
        reason=form.cleaned_data["reason"],
    )


def _run_response(request: HttpRequest, case: Case, form: Any) -> object:
    return services.case_record_response(
        case=case,
        actor=request.user,
        received_on=form.cleaned_data["received_on"],
        contains=form.cleaned_data["contains"],
        note=form.cleaned_data["note"],
    )


def _run_authority_reply(request: HttpRequest, case: Case, form: Any) -> object:
    return services.case_record_authority_answer(
        case=case,
        actor=request.user,
        kind=form.cleaned_data["kind"],
        replied_on=form.cleaned_data["replied_on"],
        note=form.cleaned_data["note"],
    )


def _run_incident(request: HttpRequest, case: Case, form: Any) -> object:
    data = form.cleaned_data
    return services.incident_record(
        case=case,
        actor=request.user,
        kind=data["kind"],
        discovered_on=data["discovered_on"],
        occurred_on=data["occurred_on"],
        reported_to_vendor_on=data["reported_to_vendor_on"],
        records_affected=data["records_affected"],
        data_categories=form.categories,
        description=data["description"],
        side=data["side"],
        special_categories=data["special_categories"],
    )


def _run_evidence(request: HttpRequest, case: Case, form: Any) -> object:
    return services.evidence_add(
        case=case,
        actor=request.user,
        upload=form.cleaned_data["file"],
        description=form.cleaned_data["description"],
        incident=form.incident_object,
        is_vendor_answer=form.cleaned_data["is_vendor_answer"],
    )


def _run_close(request: HttpRequest, case: Case, form: Any) -> object:
    return services.case_close(
        case=case,
        actor=request.user,
        outcome=form.cleaned_data["outcome"],
        note=form.cleaned_data["note"],
    )


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            actions.MARK_SENT,
            gettext_lazy("I sent the request"),
            MarkSentForm,
            _run_mark_sent,
            gettext_lazy("Recorded: the request was sent."),
            summary=gettext_lazy("The day you sent your request, and how."),
        ),
        Action(
            actions.DELIVERY,
            gettext_lazy("The letter arrived"),
            DeliveryForm,
            _run_delivery,
            gettext_lazy("Recorded: the letter arrived. The clock has started."),
            summary=gettext_lazy(
                "The day the company received your request: the clock starts then."
            ),
        ),
        Action(
            actions.ACKNOWLEDGEMENT,
            gettext_lazy("The company confirmed receipt"),
            AcknowledgementForm,
            _run_acknowledgement,
            gettext_lazy("Recorded: the confirmation of receipt. The deadline runs on."),
            summary=gettext_lazy("Only a confirmation that it has your request, not an answer."),
        ),
        Action(
            actions.RESPONSE,
            gettext_lazy("The company answered"),
            ResponseForm,
            _run_response,
            gettext_lazy("Recorded: the company's answer."),
            {"missing_items": "contains"},
            summary=gettext_lazy("The day the answer arrived, and what it contains."),
        ),
        Action(
            actions.AUTHORITY_REPLY,
            gettext_lazy("The authority wrote about my complaint"),
            AuthorityReplyForm,
            _run_authority_reply,
            gettext_lazy("Recorded: what the authority sent."),
            summary=gettext_lazy(
                "An acknowledgement of receipt, or news of progress or an outcome."
            ),
        ),
        Action(
            actions.IDENTITY_REQUESTED,
            gettext_lazy("The company asked who I am"),
            IdentityRequestedForm,
            _run_identity_requested,
            gettext_lazy(
                "Recorded: the company's question. The clock stands still until it has your answer."
            ),
            summary=gettext_lazy("The day the company asked you to prove who you are."),
        ),
        Action(
            actions.IDENTITY_PROVIDED,
            gettext_lazy("I answered the company's question"),
            IdentityProvidedForm,
            _run_identity_provided,
            gettext_lazy("Recorded: your answer. The clock runs again."),
            summary=gettext_lazy("The day you gave the company what it asked for."),
        ),
        Action(
            actions.EXTENSION,
            gettext_lazy("The company needs more time"),
            ExtensionForm,
            _run_extension,
            gettext_lazy("Recorded: the extension."),
            summary=gettext_lazy("The day the company said it needs more time, and why."),
        ),
        Action(
            actions.INCIDENT,
            gettext_lazy("Something went wrong"),
            IncidentForm,
            _run_incident,
            gettext_lazy("Recorded: the incident."),
            summary=gettext_lazy(
                "A data leak or a mistake, such as your data sent to someone else."
            ),
        ),
        Action(
            actions.EVIDENCE,
            gettext_lazy("Add a file"),
            EvidenceForm,
            _run_evidence,
            gettext_lazy("The file is kept with the case."),
            summary=gettext_lazy("A letter, an e-mail or a screenshot that shows what happened."),
        ),
        Action(
            actions.CLOSE,
            gettext_lazy("Close the case"),
            CloseForm,
            _run_close,
            gettext_lazy("The case is closed."),
            summary=gettext_lazy("How it ended, once you need nothing more."),
        ),
    )
}


def _action_title(name: str, case: Case) -> str:
    if name == actions.RESPONSE and case.outcome:
        return gettext_lazy("The company sent more")
    return ACTIONS[name].title


def render_case(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    can_edit: bool | None = None,
    reminder_form: ReminderSettingsForm | None = None,
) -> HttpResponse:
    """The case page: status, clocks, what to do next, the actions that fit (each a link to its
    own page with its form: rendering every form here cost most of the page), the timeline."""
    context = selectors.case_page(case)
    files = selectors.case_files(case)
    events = context["events"]
    if can_edit is None:
        can_edit = selectors.case_editable_by(request.user, case)
    available = actions.available_actions(case, events) if can_edit else []
    offered = [
        {
            "name": name,
            "title": _action_title(name, case),
            "summary": ACTIONS[name].summary,
            "url": reverse(f"cases:case_{name}", args=[case.pk]),
        }
        for name in available
    ]
    running = [
        c
        for c in context["clocks"]
        if c["state"] != facts.ClockState.MET
        and c["deadline"].kind in (DeadlineKind.RESPONSE, DeadlineKind.EXTENDED_RESPONSE)
    ]
    identity_open = actions.identity_request_open(events)
    today = context["today"]
    labels = item_labels()
    context.update(files)
    context.update(
        {
            # The case family: the access case a follow-up came from, the follow-ups asked
            # from an access case, and whether more may be asked from this one.
            "family": selectors.case_family(case, events),
            "can_ask_more": can_edit and case.kind == RequestKind.ACCESS,
            "actions": offered,
            "next_step": case_next_step(
                case,
                open_due=running[-1]["deadline"].due_on if running else None,
                identity_open=identity_open,
                late=bool(running) and running[-1]["state"] == facts.ClockState.MISSED,
            ),
            "timeline": _timeline_rows(
                _standing_events(events, [c["deadline"] for c in context["clocks"]], today=today)
            ),
            "requested_labels": [
                labels[i] for i in in_article_order(case.requested_items, case.kind)
            ],
            "missing_labels": [labels[i] for i in in_article_order(case.missing_items, case.kind)],
            "incident_rows": [
                (
                    i,
                    [str(DATA_CATEGORY_LABELS.get(c, c)) for c in i.data_categories],
                    facts.breach_notice_due(i),
                )
                for i in files["incidents"]
            ],
            "upload_max_bytes": settings.UPLOAD_MAX_BYTES,
            # The exports analysed on the case, read with the evidence (no query of their own).
            "voice_exports": [
                {
                    "pk": e.voice_export_id,
                    "name": e.original_name,
                    "status": ExportStatus(e.voice_export_status).label,
                }
                for e in files["evidence"]
                if getattr(e, "voice_export_id", None)
            ],
            "can_edit": can_edit,
            "reminders": _reminder_rows(case),
            "reminder_form": (reminder_form or _reminder_form(case)) if can_edit else None,
            # The panel reads only the letters: the rest it takes from what the page read.
            "letters_panel": letters_panel(
                case,
                today=context["today"],
                events=events,
                deadlines=[c["deadline"] for c in context["clocks"]],
                incidents=files["incidents"],
            ),
        }
    )
    context.update(case_mail_context(case, request.user, can_edit=can_edit, events=events))
    return render(request, "cases/case_detail.html", context, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return render_case(request, selectors.case_for_page(request.user, case_id))


# --- Reminders -------------------------------------------------------------------------------


def _reminder_rows(case: Case) -> dict[str, Any]:
    """`selectors.case_reminders` with each reminder's day and clock in words."""
    reminders = selectors.case_reminders(case)

    def row(reminder: Any) -> dict[str, Any]:
        return {
            "reminder": reminder,
            "when": reminder_offset_label(reminder.offset_days),
            "about": capfirst(reminder.deadline.get_kind_display()),
        }

    reminders["scheduled"] = [row(r) for r in reminders["scheduled"]]  # type: ignore[attr-defined]
    reminders["sent"] = [row(r) for r in reminders["sent"]]  # type: ignore[attr-defined]
    reminders["next"] = reminders["scheduled"][0] if reminders["scheduled"] else None
    return reminders


def _reminder_form(case: Case) -> ReminderSettingsForm:
    return ReminderSettingsForm(
        initial={"enabled": case.reminders_enabled, "offsets": list(facts.reminder_offsets(case))}
    )


@login_required
@require_http_methods(["POST"])
def case_reminders(request: HttpRequest, case_id: int) -> HttpResponse:
    """Turn the case's reminder e-mails off, or choose their days; errors show on the case page."""
    case = selectors.case_for_page(request.user, case_id)
    if not selectors.case_editable_by(request.user, case):
        raise PermissionDenied
    form = ReminderSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.case_set_reminders(
                case=case,
                actor=request.user,
                enabled=form.cleaned_data["enabled"],
                # Turned off with no day ticked: the default days come back when turned on.
                offsets=form.cleaned_data["offsets"] or None,
            )
        except CaseError as error:
            show_error(form, error)
        else:
            if form.cleaned_data["enabled"]:
                messages.success(request, _("Your reminders for this case are saved."))
            else:
                messages.success(request, _("Reminders for this case are off."))
            return redirect(reverse("cases:case_detail", args=[case.pk]) + "#reminders")
    return render_case(request, case, status=400, reminder_form=form)


def _render_action(request: HttpRequest, case: Case, name: str, form: forms.Form) -> HttpResponse:
    """An action's own page: the case it is about, its form, the way back."""
    context = {
        "case": case,
        "name": name,
        "title": _action_title(name, case),
        "summary": ACTIONS[name].summary,
        "form": form,
        "url": reverse(f"cases:case_{name}", args=[case.pk]),
        "multipart": name == actions.EVIDENCE,
    }
    return render(request, "cases/case_action.html", context)


def _offered_now(case: Case, name: str) -> bool:
    events = list(case.events.order_by("occurred_on", "recorded_at", "pk"))
    return name in actions.available_actions(case, events)


def _case_action(request: HttpRequest, case_id: int, name: str) -> HttpResponse:
    """GET: the action's page with its empty form. POST: record it through its service, then
    back to the case page; with an error, the action's page again with the error at its field."""
    case = selectors.case_for_page(request.user, case_id)
    if not selectors.case_editable_by(request.user, case):
        raise PermissionDenied
    action = ACTIONS[name]
    incidents = list(case.incidents.all()) if name == actions.EVIDENCE else []
    kwargs = _form_kwargs(name, case, {"incidents": incidents})
    if request.method != "POST":
        if not _offered_now(case, name):
            return _no_longer_offered(request, case)
        return _render_action(request, case, name, action.make_form(**kwargs))
    form = action.make_form(request.POST, request.FILES, **kwargs)
    valid = form.is_valid()
    handler = next(
        (h for h in request.upload_handlers if isinstance(h, SizeLimitUploadHandler)), None
    )
    if handler is not None and handler.exceeded:
        # The handler dropped the file while it arrived; say why instead of "choose a file".
        form.errors.pop("file", None)
        form.add_error(
            "file",
            _("The file is larger than the limit of %(size)s.")
            % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)},
        )
        valid = False
    if valid:
        try:
            action.run(request, case, form)
        except ActionNotAvailable:
            # The service refused what its table (cases.actions) does not allow now.
            return _no_longer_offered(request, case)
        except CaseError as error:
            show_error(form, error, fields=action.field_map)
        else:
            messages.success(request, action.done)
            return redirect(reverse("cases:case_detail", args=[case.pk]) + "#timeline")
    elif not _offered_now(case, name):
        # Not worth correcting: it could not be recorded anyway.
        return _no_longer_offered(request, case)
    return _render_action(request, case, name, form)


def _no_longer_offered(request: HttpRequest, case: Case) -> HttpResponse:
    messages.error(request, _("This cannot be recorded on this case any more."))
    return redirect("cases:case_detail", case_id=case.pk)


def _action_view(name: str) -> Callable[[HttpRequest, int], HttpResponse]:
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, case_id: int) -> HttpResponse:
        return _case_action(request, case_id, name)

    view.__name__ = f"case_{name}"
    view.__doc__ = f"Record on a case: {name.replace('_', ' ')} (its page, and its form's POST)."
    return view


case_mark_sent = _action_view(actions.MARK_SENT)
case_delivery = _action_view(actions.DELIVERY)
case_acknowledgement = _action_view(actions.ACKNOWLEDGEMENT)
case_identity_requested = _action_view(actions.IDENTITY_REQUESTED)
case_identity_provided = _action_view(actions.IDENTITY_PROVIDED)
case_extension = _action_view(actions.EXTENSION)
case_response = _action_view(actions.RESPONSE)
case_incident = _action_view(actions.INCIDENT)
case_authority_reply = _action_view(actions.AUTHORITY_REPLY)
case_close = _action_view(actions.CLOSE)


@login_required
@require_http_methods(["GET", "POST"])
@csrf_protect
def _evidence_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(request, case_id, actions.EVIDENCE)


@csrf_exempt  # only to install the size limit before the body is read; checked just below
def case_evidence(request: HttpRequest, case_id: int) -> HttpResponse:
    """Upload evidence (GET: its page). The size limit is installed before anything reads the
    body, so an oversized file is never written to disk; CSRF is checked right after
    (csrf_protect)."""
    request.upload_handlers.insert(
        0, SizeLimitUploadHandler(settings.UPLOAD_MAX_BYTES, request=request)
    )
    return _evidence_upload(request, case_id)


@login_required
@require_GET
def evidence_download(request: HttpRequest, case_id: int, evidence_id: int) -> FileResponse:
    """A file, to those who may see the case only, always as a download with a safe type."""
    case = selectors.case_for_page(request.user, case_id)
    evidence = get_object_or_404(case.evidence, pk=evidence_id)
    content_type = evidence.content_type
    if content_type not in ALLOWED_CONTENT_TYPES:
        content_type = "application/octet-stream"
    elif content_type.startswith("text/") or content_type == "application/json":
        content_type += "; charset=utf-8"
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Asking for more after access (erasure, objection, withdrawal, restriction, portability) ---


@login_required
@require_http_methods(["GET", "POST"])
def case_follow_up(request: HttpRequest, case_id: int) -> HttpResponse:
    """Ask for more from an access case: one new case per kind chosen, each a follow-up of it
    (`services.case_follow_ups_create`). Kinds the vendor cannot receive or the mandate does not
    cover are shown with the reason, not offered; erasure while the copy is still awaited is
    offered with a warning of what may be lost."""
    case = selectors.case_for_page(request.user, case_id)
    if not selectors.case_editable_by(request.user, case):
        raise PermissionDenied
    if case.kind != RequestKind.ACCESS:
        raise Http404("Only an access case starts a family.")
    refused = {
        kind: services.follow_up_refusal(parent=case, actor=request.user, kind=kind)
        for kind in FOLLOW_UP_KINDS
    }
    offered = [(k.value, FOLLOW_UP_OFFERS[k]) for k in FOLLOW_UP_KINDS if refused[k] is None]
    form = FollowUpForm(request.POST or None, kinds=offered)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.case_follow_ups_create(
                parent=case,
                actor=request.user,
                kinds=form.cleaned_data["kinds"],
                grounds=form.cleaned_data["grounds"],
            )
        except CaseError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Your new request is ready: get its letter and send it.",
                    "Your %(count)d new requests are ready: get each letter and send it.",
                    len(created),
                )
                % {"count": len(created)},
            )
            # One new case: its page, where its letter waits; several: the access case, whose
            # family lists them all.
            target = created[0] if len(created) == 1 else case
            return redirect(reverse("cases:case_detail", args=[target.pk]))
    events = list(case.events.all())
    return render(
        request,
        "cases/follow_up.html",
        {
            "case": case,
            "form": form,
            "not_offered": [
                (FOLLOW_UP_OFFERS[k], refused[k][0]) for k in FOLLOW_UP_KINDS if refused[k]
            ],
            "copy_pending": facts.access_copy_pending(case.kind, case.status, events)
            and refused[RequestKind.ERASURE] is None,
        },
    )
