"""Google Takeout (Assistant, "Voice and Audio").

Assumes: the activity index is `My Activity/Assistant/MyActivity.json` (or
`My Activity/Voice and Audio/MyActivity.json`, older exports), a JSON list with one object per
interaction carrying `time` (ISO 8601, UTC), `title` ("Said ..." followed by what was understood)
and `audioFiles`, a list of .mp3 file names in the same folder. The device, when given, is in
`details[].name` as "From your <device>"; Google accounts have no voice profiles, so the profile is
empty. An upload of MyActivity.json alone is read the same way. When only `MyActivity.html` is
there (the export was made in HTML), nothing reliable can be read from it: the audio is still
counted by content and the person is told to ask for JSON (warning `html_only`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from cases.exports.archive import Member, Source
from cases.exports.errors import HtmlOnly
from cases.exports.readers.base import Findings, Interaction, Reader
from cases.exports.tables import json_records, json_records_prefix, parse_time

FOLDERS = ("my activity/assistant/", "my activity/voice and audio/")
SAID = ("Said ", "Dit ", "Gesagt: ", "A dit ")


def _in_folder(member: Member) -> bool:
    name = member.name.lower()
    return any(folder in name for folder in FOLDERS) or "/" not in name


def _index(member: Member, extension: str) -> bool:
    return member.basename.lower() == "myactivity" + extension and _in_folder(member)


class GoogleReader(Reader):
    vendor: ClassVar[str] = "google"

    def score(self, source: Source) -> int:
        if any(_index(m, ".json") for m in source.documents):
            if source.is_zip:
                return 100
            # An unzipped JSON: Google's if its first record is an activity entry.
            member = next(iter(source.documents))
            with source.open(member) as stream:
                prefix = json_records_prefix(stream)
            return 100 if prefix == "item" else 0
        if any(_index(m, ".html") for m in source.documents):
            return 90
        if any(m.name.lower().startswith("takeout/") for m in source.documents):
            return 50
        return 0

    def interactions(self, source: Source, findings: Findings) -> Iterator[Interaction]:
        indexes = [m for m in source.documents if _index(m, ".json")]
        if not indexes and any(_index(m, ".html") for m in source.documents):
            findings.warnings.append(HtmlOnly.code)
        index_names = {m.name for m in indexes}
        for member in indexes:
            findings.index_members.add(member.name)
            with source.open(member) as stream:
                for entry in json_records(stream, "item"):
                    yield _interaction(entry)
        for member in source.documents:
            if member.extension in (".json", ".csv", ".xlsx") and member.name not in index_names:
                findings.unrecognised.append(member.name)


def _interaction(entry: dict[str, Any]) -> Interaction:
    title = str(entry.get("title") or "")
    text = title
    for said in SAID:
        if title.startswith(said):
            text = title[len(said) :]
            break
    device = ""
    for detail in entry.get("details") or ():
        name = str((detail or {}).get("name") or "") if isinstance(detail, dict) else ""
        if name.startswith("From your "):
            device = name[len("From your ") :]
            break
    audio = entry.get("audioFiles") or ()
    return Interaction(
        when=parse_time(entry.get("time")),
        device=device,
        text=text.strip(),
        audio=tuple(str(a).rsplit("/", 1)[-1] for a in audio if a),
    )
