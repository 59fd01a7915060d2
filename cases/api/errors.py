"""One shape for every error the API answers:

    {"error": {"code": "invalid_transition", "message": "...", "fields": {"sent_on": ["..."]}}}

Input the schema does not allow is 400. Well-formed input that a rule of the domain refuses,
rules the schema cannot express, is 422: a domain error (`CaseError`) with the field it names,
or a reference to an object that does not exist or is not the case's (DRF's `does_not_exist`).
A refused transition or an action the case does not allow now is 409, a role that does not
allow it 403; DRF's other errors (authentication, permission, not found, throttling) keep
their status.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cases.exceptions import ActionNotAvailable, CaseError, InvalidTransition, NotPermitted

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Conflict."


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"
    default_detail = "Unprocessable request."


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _flatten(value)]
    return [str(detail)]


def _fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail as {"field" or "field.sub" or "field.0": [messages]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for name, value in detail.items():
            key = f"{prefix}.{name}" if prefix else str(name)
            if isinstance(value, dict) or (
                isinstance(value, list) and any(isinstance(v, dict | list) for v in value)
            ):
                nested = value if isinstance(value, dict) else dict(enumerate(value))
                fields.update(_fields(nested, key))
            else:
                fields[key] = _flatten(value)
    else:
        fields[prefix or "non_field_errors"] = _flatten(detail)
    return fields


def _case_error_status(exc: CaseError) -> int:
    if isinstance(exc, InvalidTransition | ActionNotAvailable):
        return status.HTTP_409_CONFLICT
    if isinstance(exc, NotPermitted):
        return status.HTTP_403_FORBIDDEN
    return status.HTTP_422_UNPROCESSABLE_ENTITY


# Validation codes that mean "well-formed, but no such object here": a rule the schema cannot
# express, so 422 like a domain error, not 400.
# `KIND_RULE`: what a request of one kind must or must not give (a follow-up names its parent
# and takes the data subject from it), rules of the domain that the schema leaves to the text.
KIND_RULE = "kind_rule"
UNPROCESSABLE_CODES = {"does_not_exist", KIND_RULE}


def _codes(codes: Any) -> set[str]:
    if isinstance(codes, dict):
        return {c for value in codes.values() for c in _codes(value)}
    if isinstance(codes, list):
        return {c for value in codes for c in _codes(value)}
    return {str(codes)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error in the one shape."""
    if isinstance(exc, CaseError):
        fields = {exc.field: [str(exc.message)]} if exc.field else {}
        return Response(error_body(exc.code, exc.message, fields), status=_case_error_status(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        # A bug: logged with its traceback, answered in the same shape.
        logger.exception("API error", exc_info=exc)
        return Response(
            error_body("server_error", _("Something went wrong on our side.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else None
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(detail)
        non_field = fields.pop("non_field_errors", [])
        message = non_field[0] if non_field else _("Some fields are not valid.")
        response.data = error_body("invalid", message, fields)
        if _codes(exc.get_codes()) <= UNPROCESSABLE_CODES:
            response.status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    elif isinstance(exc, Http404):
        response.data = error_body("not_found", _("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        response.data = error_body("permission_denied", _("You may not do this."))
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = code if isinstance(code, str) else "error"
        response.data = error_body(code, " ".join(_flatten(detail)) if detail else code)
    return response


@csrf_exempt  # nothing to protect; a 404 must not become the site's HTML 403 page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any /api/ URL that matches nothing: a 404 in the API's shape, not the site's page."""
    return JsonResponse(error_body("not_found", _("No such API endpoint.")), status=404)
