"""Limits on what the analyser unpacks, so that a hostile zip cannot exhaust the worker.

Read from settings (environment variables, dsar/settings.py) so that an operator can raise them for
a very large export without a code change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Limits:
    max_members: int = 200_000
    # Sum of the members' declared uncompressed sizes. zipfile never returns more than a member
    # declares (it stops at file_size), so the declared sizes bound what is read.
    max_total_bytes: int = 32 << 30
    # Deflate manages about 1,000:1 on zeros and 10-20:1 on real JSON or CSV; audio barely
    # compresses. A member beyond this ratio is a zip bomb, not an export.
    max_ratio: float = 200.0
    # Members smaller than this are not judged by their ratio (a tiny file can compress well).
    ratio_floor_bytes: int = 1 << 20
    # An Excel workbook is read into memory (openpyxl needs a seekable file); bound it.
    max_workbook_bytes: int = 64 << 20

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_members=settings.DSAR_EXPORT_MAX_MEMBERS,
            max_total_bytes=settings.DSAR_EXPORT_MAX_UNPACKED_BYTES,
            max_ratio=settings.DSAR_EXPORT_MAX_RATIO,
        )
