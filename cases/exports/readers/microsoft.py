"""Microsoft privacy dashboard: voice activity (Cortana, Windows speech, Xbox).

Assumes: the voice activity download is a table (CSV) or JSON records, in a member whose path
names "voice" ("Voice/VoiceActivity.json"), with a date-time, the device, the displayed text and
the audio file's name (found by headers: "DateTime", "DeviceName", "DisplayText", "AudioFile"),
and the recordings beside it (often WAV). JSON records may be a list at the top or under one key.
"""

from __future__ import annotations

from itertools import islice
from typing import ClassVar

from cases.exports.archive import Source
from cases.exports.readers.base import TableReader


class MicrosoftReader(TableReader):
    vendor: ClassVar[str] = "microsoft"

    def score(self, source: Source) -> int:
        names = [m.name.lower() for m in islice(source.documents, 5000)]
        if any("voiceactivity" in n.replace(" ", "").replace("_", "") for n in names):
            return 85
        if any("cortana" in n for n in names):
            return 70
        return 0
