"""Bare Django views: one INSERT or one SELECT and a tiny response, through the same middleware
as every page. They are the yardstick for the app's own views.

The INSERT goes to a table without triggers (an expired session row, which `clearsessions`
removes): a case event would also move its case's page version (migration 0005), two writes
where the yardstick means one."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.views.decorators.csrf import csrf_exempt

from cases.models import Case

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
