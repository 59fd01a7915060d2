"""Services for evidence: files that prove what a vendor did, kept privately with their hash."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import actions
from cases.exceptions import CaseError
from cases.models import Case, EventKind, Evidence, Incident, User
from cases.services.events import event_record
from cases.uploads import UnsupportedFile, safe_filename, sniff

logger = logging.getLogger(__name__)


def evidence_add(
    *,
    case: Case,
    actor: User | None,
    upload: UploadedFile,
    description: str = "",
    incident: Incident | None = None,
    is_vendor_answer: bool = False,
) -> Evidence:
    """Keep an uploaded file as evidence on `case`, with its SHA-256 so that a complaint can show
    it is unchanged. The type is judged by content (cases.uploads), never by the browser."""
    # Read afresh: the caller's copy may predate a change of status. Not locked, since the file
    # is stored outside the transaction (below); closing meanwhile still leaves the file proven.
    current = Case.objects.get(pk=case.pk)
    events = list(current.events.order_by("occurred_on", "recorded_at", "pk"))
    actions.require_allowed(actions.EVIDENCE, current, events)
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise CaseError(
            _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)},
            field="file",
        )
    try:
        kind = sniff(upload.file, upload.name or "", upload.content_type or "")
    except UnsupportedFile as exc:
        raise CaseError(str(exc), field="file") from exc
    if incident is not None and incident.case_id != case.pk:
        raise CaseError(_("This incident belongs to another case."), field="incident")

    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = safe_filename(upload.name or "", kind)
    evidence = Evidence(
        case=case,
        incident=incident,
        original_name=name,
        content_type=kind.content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        description=description.strip()[:500],
        is_vendor_answer=is_vendor_answer,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    # Stored under a random name (Evidence.file's upload_to) before the row exists; if the
    # row cannot be written the file goes again, so storage holds no orphans.
    evidence.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            evidence.save()
            event_record(
                case,
                actor,
                EventKind.EVIDENCE_ADDED,
                on=timezone.localdate(),
                note=evidence.description,
                evidence_id=evidence.pk,
                file_name=name,
                sha256=evidence.sha256,
            )
    except Exception:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


__all__ = ["evidence_add"]
