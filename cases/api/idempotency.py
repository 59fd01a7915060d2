"""`Idempotency-Key` on creating POSTs: a retried request gets the first answer, not a second
resource.

The first request with a key claims it (a row unique per caller and key) before it runs; its
successful (2xx) answer is stored and replayed to every retry with the same key, with the header
`Idempotent-Replayed: true`. A failed first request releases the key, so a corrected retry can
run. The same key with a different request (method, path or body) is refused with 422; a retry
that arrives while the first request still runs gets 409. Keys are kept API_IDEMPOTENCY_HOURS.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.errors import Conflict, Unprocessable
from cases.api.permissions import principal_of
from cases.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
# Visible ASCII without spaces (a UUID fits): what the schema says, checked as written.
KEY_PATTERN = re.compile(rf"[!-~]{{1,{MAX_LENGTH}}}")

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type={"type": "string", "minLength": 1, "maxLength": MAX_LENGTH},
    location=OpenApiParameter.HEADER,
    required=False,
    pattern=f"^{KEY_PATTERN.pattern}$",
    description=(
        "Any unique string (a UUID) per intended creation. A retry with the same key and the "
        "same request returns the first answer instead of creating a duplicate; the same key "
        "with another request answers 422. Kept 24 hours."
    ),
)


def request_fingerprint(request: Request) -> str:
    """SHA-256 of the method, path and body (uploaded files by their content)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    data: dict[str, Any] = {}
    if not hasattr(request.data, "items"):  # a JSON list or scalar: the view will refuse it
        digest.update(json.dumps(request.data, sort_keys=True, default=str).encode())
        return digest.hexdigest()
    for name, value in request.data.items():
        if hasattr(value, "chunks"):
            file_digest = hashlib.sha256()
            for chunk in value.chunks():
                file_digest.update(chunk)
            value.seek(0)
            data[name] = {"file": value.name, "sha256": file_digest.hexdigest()}
        else:
            data[name] = request.data.getlist(name) if hasattr(request.data, "getlist") else value
    digest.update(json.dumps(data, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _claim(
    principal: str, key: str, request: Request, fingerprint: str
) -> tuple[IdempotencyRecord, bool]:
    """Create the record (True), or return what an earlier request with this key left."""
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    principal=principal,
                    key=key,
                    method=request.method or "",
                    path=request.path[:500],
                    fingerprint=fingerprint,
                )
                return record, True
        except IntegrityError:
            earlier = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
            if earlier is None:
                continue  # released in the meantime
            if earlier.created_at < cutoff:
                earlier.delete()  # expired: this is a new request
                continue
            return earlier, False
    raise Conflict(_("This Idempotency-Key is in use by a request that is still running."))


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a creating `post` of an API view."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not KEY_PATTERN.fullmatch(key):
            raise ValidationError(
                {
                    HEADER: [
                        _("Use a key of 1 to %(max)s visible ASCII characters, without spaces.")
                        % {"max": MAX_LENGTH}
                    ]
                }
            )
        principal = principal_of(request).ident
        fingerprint = request_fingerprint(request)
        record, created = _claim(principal, key, request, fingerprint)
        if not created:
            if record.fingerprint != fingerprint:
                raise Unprocessable(
                    _("This Idempotency-Key was used for a different request."),
                    code="idempotency_key_reused",
                )
            if record.status_code is None:
                raise Conflict(
                    _("A request with this Idempotency-Key is still running; retry later."),
                    code="idempotency_key_in_use",
                )
            return Response(
                record.response_body,
                status=record.status_code,
                headers={"Idempotent-Replayed": "true"},
            )
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if 200 <= response.status_code < 300:
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code, response_body=response.data
            )
        else:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response

    return wrapper
