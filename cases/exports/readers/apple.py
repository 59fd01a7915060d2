"""Apple (Siri) data-and-privacy export.

Assumes: a zip of folders such as "Apple Media Services information" with CSV tables; Siri appears
in tables or folders named after it ("Siri ..."). Apple usually sends no recordings at all: they
are tied to a random device identifier, not the Apple ID, and since 2019 kept only with the
"Improve Siri & Dictation" opt-in. An export without audio is then expected, and the report says
so and what to ask for instead (warning `apple_no_audio`). Tables are read by their headers.
"""

from __future__ import annotations

from itertools import islice
from typing import ClassVar

from cases.exports.archive import Source
from cases.exports.readers.base import TableReader


class AppleReader(TableReader):
    vendor: ClassVar[str] = "apple"

    def score(self, source: Source) -> int:
        names = [m.name.lower() for m in islice(source.documents, 5000)]
        if any("siri" in n for n in names):
            return 80
        if any(n.startswith(("apple ", "apple_", "apple/")) for n in names):
            return 60
        return 0
