"""Bare DRF lists of cases for bench/api.py to compare GET /api/v1/cases/ with: no
authentication, permission, throttle, scoping or filters; the same model, serializer and
pagination. Only bench.webapp.urls mounts them: they list every case to anybody."""

from __future__ import annotations

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
