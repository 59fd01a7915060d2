"""Reads for vendors' exports: only through a case the user may see (another user's is a 404)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from cases.models import Case, User, VoiceExport
from cases.selectors.access import cases_visible_to


def case_voice_exports(case: Case) -> list[VoiceExport]:
    """The exports uploaded on `case` (which came from `cases_visible_to`), newest first."""
    return list(case.voice_exports.select_related("evidence").order_by("-created_at", "-pk"))


def voice_export_for(user: User, case_id: int, export_id: int) -> VoiceExport:
    """One export on a case `user` may see, or 404."""
    return get_object_or_404(
        VoiceExport.objects.select_related("evidence", "case__vendor"),
        pk=export_id,
        case_id=case_id,
        case__in=cases_visible_to(user),
    )


__all__ = ["case_voice_exports", "voice_export_for"]
