"""Attachments that are a vendor's data export, handed on to the export analyser
(`services.analyse_export`, cases/exports)."""

from __future__ import annotations

import logging

from cases import services
from cases.exceptions import CaseError
from cases.models import Evidence

logger = logging.getLogger(__name__)

# What a vendor's export arrives as (an archive, or one JSON or CSV file).
EXPORT_CONTENT_TYPES = frozenset({"application/zip", "application/json", "text/csv"})


def is_export(evidence: Evidence) -> bool:
    return evidence.content_type in EXPORT_CONTENT_TYPES


def export_received(*, evidence_id: int) -> None:
    """Called after commit for each attachment that `is_export`: its analysis is queued (once
    per evidence, however often this runs). A refusal is logged, never raised: the message and
    its attachment are kept whatever the analyser thinks of it."""
    evidence = Evidence.objects.select_related("case").filter(pk=evidence_id).first()
    if evidence is None or evidence.case is None:
        return
    try:
        services.analyse_export(case=evidence.case, evidence=evidence)
    except CaseError as error:
        logger.warning("evidence %s not analysed as an export: %s", evidence_id, error.message)
