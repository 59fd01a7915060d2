"""Bare Django views: one INSERT or one SELECT and a tiny response, through the same middleware
as every page. They are the yardstick for the app's own views. A third, `bare_case_writes`, does
only the database writes of filing a request: it shows how much of that page's cost the writes
alone take.

The INSERT goes to a table without triggers (an expired session row, which `clearsessions`
removes): a case event would also move its case's page version (migration 0005), two writes
where the yardstick means one."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.views.decorators.csrf import csrf_exempt

from cases.models import Case, CaseEvent, EventKind

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
    rate limit, vendor lookup or message): the case with its audit entry, and its CREATED event,
    in one transaction."""
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
        CaseEvent.record(case, request.user, EventKind.CREATED, on=timezone.localdate())
    return HttpResponse(status=201)
