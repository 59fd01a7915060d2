"""Page-number pagination with a capped count: `?page=2&page_size=100` (at most
API_MAX_PAGE_SIZE per page).

DRF's PageNumberPagination counts every matching row on every page (`SELECT COUNT(*)`), so a page
gets slower as the table grows although it shows the same 50 rows. Here the count stops at
API_COUNT_CAP (1,000): `SELECT COUNT(*) FROM (SELECT id ... LIMIT cap + 1)` reads at most
1,001 ids. Below the cap `count` is exact and `count_is_exact` is true; above it `count` is the
cap and `count_is_exact` false ("more than this many"). `next` does not depend on the count:
the page query fetches one row more than it shows, so clients can page past the cap. Cursor
pagination would have dropped the count and the page numbers partner tools use; a cap keeps both.

A page is always two queries, whatever the number of rows: the rows and the capped count.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

BIGINT = 2**63 - 1


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    page_query_description = "A page number (1 for the first page)."
    template = None  # JSON only: no browsable API page controls

    def get_page_size(self, request: Request) -> int:
        """`page_size` as the schema gives it (an integer from 1 to the maximum), or 400:
        DRF would fall back to the default on `page_size=null` and clamp `page_size=1000`."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Use a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
                parameter["description"] = (
                    f"How many items per page, from 1 to {self.max_page_size} "
                    f"(default {self.page_size})."
                )
        return parameters

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise ValidationError({self.page_query_param: [_("Use a whole number from 1.")]})
        self.number = int(raw)
        offset = (self.number - 1) * page_size
        if self.number < 1 or offset + page_size >= BIGINT:  # no such page: PostgreSQL's OFFSET
            raise NotFound(self.invalid_page_message)  # and LIMIT are bigints
        rows = list(queryset[offset : offset + page_size + 1])
        self.has_next = len(rows) > page_size
        rows = rows[:page_size]
        if not rows and self.number > 1:
            raise NotFound(self.invalid_page_message)
        cap = settings.API_COUNT_CAP
        # Only the ids, without ORDER BY or joins for display: which rows are counted does not
        # matter, only how many there are up to the cap.
        counted = queryset.order_by().values("pk")[: cap + 1].count()
        self.count_is_exact = counted <= cap
        self.count = min(counted, cap)
        return rows

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response(
            {
                "count": self.count,
                "count_is_exact": self.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number == 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        cap = settings.API_COUNT_CAP
        response["required"] = ["count", "count_is_exact", "next", "previous", "results"]
        properties = response["properties"]
        properties["count"] = {
            "type": "integer",
            "example": 123,
            "description": (
                f"How many items match, counted up to {cap:,}: exact when `count_is_exact` is "
                f"true; otherwise {cap:,}, and there are more. Counting stops there so that a "
                "page costs the same however many rows match."
            ),
        }
        properties["count_is_exact"] = {
            "type": "boolean",
            "example": True,
            "description": f"False when more than {cap:,} items match and `count` is the cap.",
        }
        properties["next"]["description"] = (
            "The next page, or null on the last one (known without the count: pages past the "
            "cap are reachable)."
        )
        # Keep the documented key order: count, count_is_exact, next, previous, results.
        response["properties"] = {
            key: properties[key] for key in ("count", "count_is_exact", "next", "previous")
        } | {"results": properties["results"]}
        return response
