"""Bench-only URLs (mounted by dsar/urls.py when DSAR_API_BENCH_URLS=1, which only bench/api.py
sets): a bare DRF list of cases to compare GET /api/v1/cases/ with. No authentication, no
permission, no throttle, no scoping, no filters: the same model, serializer and pagination."""

from __future__ import annotations

from django.urls import path
from rest_framework import generics
from rest_framework.permissions import AllowAny

from cases.api.pagination import PageNumberPagination
from cases.api.serializers import CaseSerializer
from cases.models import Case


class BareCaseList(generics.ListAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    pagination_class = PageNumberPagination
    serializer_class = CaseSerializer
    queryset = Case.objects.select_related("vendor").order_by("-created_at", "-pk")


class BareOrganisationCaseList(BareCaseList):
    """The same, over one organisation's cases only (the rows its key sees, without the mandate
    check): what the framework, authentication and scoping cost on the same rows."""

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().filter(organisation_id=self.kwargs["organisation_id"])


urlpatterns = [
    path("bench/bare-cases/", BareCaseList.as_view()),
    path("bench/bare-cases/<int:organisation_id>/", BareOrganisationCaseList.as_view()),
]
