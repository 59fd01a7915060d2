"""Anything else: every CSV, TSV, Excel or JSON table with a time column is read by its headers,
and audio is counted by content. Used when no vendor's reader recognises the export.
"""

from __future__ import annotations

from typing import ClassVar

from cases.exports.archive import Source
from cases.exports.readers.base import TableReader


class GenericReader(TableReader):
    vendor: ClassVar[str] = "generic"
    time_only: ClassVar[bool] = True

    def score(self, source: Source) -> int:
        return 1
