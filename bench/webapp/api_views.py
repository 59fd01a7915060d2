"""A bare DRF list of cases for bench/api.py to compare GET /api/v1/cases/ with.

It lists exactly the rows an organisation's key sees (`organisation_cases`: its cases under an
active mandate), with the same columns (`with_clock_columns`, the vendor), the same serializer
and the same pagination, newest first like the API. What it leaves out is what the API adds on
top: authentication, permission, throttle, filter parsing and the error handler. Only
bench.webapp.urls mounts it: it lists an organisation's cases to anybody."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import generics
from rest_framework.permissions import AllowAny

from cases.api.pagination import PageNumberPagination
from cases.api.serializers import CaseSerializer
from cases.models import Case, Organisation
from cases.selectors import organisation_cases
from cases.selectors.api import CASE_LIST_FIELDS, with_clock_columns


class BareOrganisationCaseList(generics.ListAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    pagination_class = PageNumberPagination
    serializer_class = CaseSerializer

    def get_queryset(self) -> QuerySet[Case]:
        organisation = Organisation(pk=self.kwargs["organisation_id"])
        cases = organisation_cases(organisation).select_related("vendor").only(*CASE_LIST_FIELDS)
        return with_clock_columns(cases).order_by("-created_at", "-pk")
