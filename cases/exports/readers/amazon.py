"""Amazon (Alexa) account-data export.

Assumes: a zip of tables (CSV or Excel) and audio files whose layout Amazon does not publish. Every
table is read whose headers name a time and a device, an utterance/transcript or an audio file
(cases.exports.tables: "Creation Time", "Device Name", "Customer Profile" (the voice profile),
"Utterance Text", "Audio File" and their variants); the others are listed as not recognised.
Audio is matched to rows by file name. Amazon writes "Audio was not intended for Alexa" where
it kept a recording it judged accidental (cases.exports.phrases).
"""

from __future__ import annotations

from itertools import islice
from typing import ClassVar

from cases.exports.archive import Source
from cases.exports.readers.base import TableReader


class AmazonReader(TableReader):
    vendor: ClassVar[str] = "amazon"

    def score(self, source: Source) -> int:
        names = [m.name.lower() for m in islice(source.documents, 5000)]
        if any("alexa" in n for n in names):
            return 80
        if any(n.startswith(("retail.", "amazon")) for n in names):
            return 40
        return 0
