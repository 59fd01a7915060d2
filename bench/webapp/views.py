"""Bare Django views: one INSERT or one SELECT and a tiny response, through the same middleware
as every page. They are the yardstick for the app's own views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from cases.models import Case, CaseEvent

BENCH_NOTE = "bench: bare insert"


@csrf_exempt
def bare_insert(request: HttpRequest) -> HttpResponse:
    CaseEvent.objects.create(
        case_id=int(request.POST["case"]),
        kind="note",
        occurred_on=timezone.localdate(),
        note=BENCH_NOTE,
    )
    return HttpResponse(status=201)


def bare_select(request: HttpRequest, pk: int) -> HttpResponse:
    status = Case.objects.filter(pk=pk).values_list("status", flat=True).first()
    return HttpResponse(status or "", status=200 if status else 404)
