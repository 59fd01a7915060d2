"""Attachments that are a vendor's data export, handed on to the export analyser.

HOOK FOR THE COORDINATOR: `export_received` is where the export analyser (cases/exports,
helper h18's `analyse_export`) is called once both branches are merged. Until then it only
logs, so that the mail pipeline and its tests do not depend on the analyser.
"""

from __future__ import annotations

import logging

from cases.models import Evidence

logger = logging.getLogger(__name__)

# What a vendor's export arrives as (an archive, or one JSON or CSV file).
EXPORT_CONTENT_TYPES = frozenset({"application/zip", "application/json", "text/csv"})


def is_export(evidence: Evidence) -> bool:
    return evidence.content_type in EXPORT_CONTENT_TYPES


def export_received(*, evidence_id: int) -> None:
    """Called after commit for each attachment that `is_export`. TO WIRE AT MERGE: call h18's
    `analyse_export` for this evidence here (or enqueue its task)."""
    logger.info(
        "evidence %s looks like a data export; the export analyser is not wired yet", evidence_id
    )
