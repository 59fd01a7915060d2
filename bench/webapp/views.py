"""Bare Django views, through the same middleware (and login) as every page: the yardsticks for
the app's own views in bench/web.py.

- `bare_case_page` does the reads a case page does on the same rows (the case by the same
  visibility rule with its vendor, authority and organisation; its deadlines, events with their
  actors, evidence, incidents, reminders and letters: the same nine queries) and renders a small
  template
  listing them: what a case page costs at the least.
- `bare_vendor_list` and `bare_request_form` stand beside the request form's two GET pages: a
  list of the vendors, and one vendor and a plain form of the same fields and choices.
- `bare_case_writes` does only the writes of filing a request: the case, its letter, their
  events and audit entries, and the letter's render task.
- `bare_insert` / `bare_select`: one INSERT or one SELECT and a tiny response, kept as context
  lines (not targets). The INSERT goes to a table without triggers (an expired session row,
  which `clearsessions` removes)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.views.decorators.csrf import csrf_exempt

from cases.forms.common import COUNTRY_CHOICES
from cases.models import (
    Article15Item,
    Case,
    CaseEvent,
    EventKind,
    Letter,
    LetterKind,
    LetterStatus,
    Reminder,
    Vendor,
)
from cases.queue import enqueue_on_commit
from cases.selectors import cases_visible_to
from cases.services.letters import RENDER_TASK

BENCH_MARKER = "bench: bare insert"


@csrf_exempt
def bare_insert(request: HttpRequest) -> HttpResponse:
    Session.objects.create(
        session_key=get_random_string(40),
        session_data=BENCH_MARKER,
        expire_date=timezone.now(),
    )
    return HttpResponse(status=201)


def bare_select(request: HttpRequest, pk: int) -> HttpResponse:
    status = Case.objects.filter(pk=pk).values_list("status", flat=True).first()
    return HttpResponse(status or "", status=200 if status else 404)


@csrf_exempt
def bare_case_writes(request: HttpRequest) -> HttpResponse:
    """What filing a request must write, for the signed-in person, and nothing else (no form,
    rate limit, vendor lookup, check or message): the case with its audit entry and its CREATED
    event, the access-request letter queued with its LETTER_GENERATED event, in one
    transaction, and the letter's render task published after it commits, as filing does."""
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    with transaction.atomic():
        case = Case.objects.create(
            requester=request.user,
            vendor_id=int(request.POST["vendor"]),
            requester_name="Anna Muller",
            requester_email="anna@bench.example",
            requester_country="DE",
            account_identifiers="anna@bench.example",
            requested_items=["audio", "transcripts", "annotations"],
            language="de",
        )
        today = timezone.localdate()
        CaseEvent.record(case, request.user, EventKind.CREATED, on=today)
        letter = Letter.objects.create(
            case=case,
            kind=LetterKind.ACCESS_REQUEST,
            version=1,
            language=case.language,
            status=LetterStatus.QUEUED,
            created_by=request.user,
        )
        CaseEvent.record(
            case, request.user, EventKind.LETTER_GENERATED, on=today, letter_id=letter.pk
        )
        enqueue_on_commit(RENDER_TASK, letter.pk)
    return HttpResponse(status=201)


@login_required
def bare_case_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The same reads as a case page, on the same rows, and a small template listing them: the
    case by the same visibility rule (its requester, or an organisation the person belongs to
    under an active mandate) with its vendor, lead authority and organisation; its deadlines,
    events with their actors, evidence, incidents, reminders with their deadlines and letters.
    Nine queries, like the page."""
    case = get_object_or_404(
        cases_visible_to(request.user).select_related("vendor__lead_authority", "organisation"),
        pk=pk,
    )
    context = {
        "case": case,
        "deadlines": list(case.deadlines.order_by("due_on", "pk")),
        "events": list(
            case.events.select_related("actor").order_by("occurred_on", "recorded_at", "pk")
        ),
        "evidence": list(case.evidence.order_by("uploaded_at", "pk")),
        "incidents": list(case.incidents.order_by("discovered_on", "pk")),
        "reminders": list(
            Reminder.objects.filter(deadline__case=case)
            .select_related("deadline")
            .order_by("send_at", "pk")
        ),
        "letters": list(case.letters.order_by("kind", "-version")),
    }
    return render(request, "bench/case.html", context)


def bare_vendor_list(request: HttpRequest) -> HttpResponse:
    """The vendors, as the first step of the request form lists them, in a small template."""
    vendors = Vendor.objects.order_by("-voice_assistant", "name")
    return render(request, "bench/vendors.html", {"vendors": vendors})


class BareRequestForm(forms.Form):
    """The request form's fields and choices, without its labels, help or checks."""

    requester_name = forms.CharField(max_length=200)
    requester_email = forms.EmailField()
    requester_country = forms.ChoiceField(choices=[("", "-"), *COUNTRY_CHOICES])
    requester_address = forms.CharField(widget=forms.Textarea, required=False)
    account_identifiers = forms.CharField(widget=forms.Textarea)
    device_serials = forms.CharField(widget=forms.Textarea, required=False)
    requested_items = forms.MultipleChoiceField(
        choices=Article15Item.choices, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(choices=settings.LANGUAGES)


def bare_request_form(request: HttpRequest, slug: str) -> HttpResponse:
    """One vendor by slug and a plain form of the request form's size."""
    vendor = Vendor.objects.filter(slug=slug).first()
    if vendor is None:
        raise Http404
    form = BareRequestForm(initial={"language": vendor.request_language})
    return render(request, "bench/form.html", {"vendor": vendor, "form": form})
