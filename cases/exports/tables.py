"""Tables inside an export, read row by row: CSV (streamed text), Excel (openpyxl, read-only) and
JSON (ijson, streamed: an export's JSON can be hundreds of megabytes). Columns are found by their
headers, since vendors do not publish their layouts (issue 18).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import ijson

from cases.exports.errors import DamagedArchive

# Vendors' tables hold long transcripts. This is one setting for the whole process: the evidence
# checks (cases/uploads.py) apply their own field limit and do not rely on it.
csv.field_size_limit(16 << 20)

TABLE_EXTENSIONS = frozenset({".csv", ".tsv", ".json", ".xlsx"})

# Normalised header (lower case, letters and digits only) -> role. Exact names first; then the
# substring rules in `_role`.
_EXACT = {
    "time": "time",
    "timestamp": "time",
    "date": "time",
    "datetime": "time",
    "creationtime": "time",
    "creationdate": "time",
    "createdat": "time",
    "requestdate": "time",
    "requesttime": "time",
    "eventtime": "time",
    "recordedat": "time",
    "devicename": "device",
    "device": "device",
    "devicetype": "device_type",
    "deviceserialnumber": "serial",
    "serialnumber": "serial",
    "deviceid": "serial",
    "customerprofile": "profile",
    "profile": "profile",
    "voiceprofile": "profile",
    "speaker": "profile",
    "personname": "profile",
    "utterancetext": "text",
    "utterance": "text",
    "transcript": "text",
    "transcription": "text",
    "displaytext": "text",
    "text": "text",
    "title": "text",
    "query": "text",
    "requesttext": "text",
    "audiofile": "audio",
    "audiofiles": "audio",
    "audio": "audio",
    "audiofilename": "audio",
    "recording": "audio",
    "audiopath": "audio",
}
ROLES = ("time", "device", "device_type", "serial", "profile", "text", "audio")


def normalise(header: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(header or "").lower())


def _role(header: str) -> str | None:
    key = normalise(header)
    if key in _EXACT:
        return _EXACT[key]
    if "transcript" in key or "utterance" in key:
        return "text"
    if "audio" in key and ("file" in key or "path" in key):
        return "audio"
    if key.endswith(("time", "date", "timestamp")):
        return "time"
    if key.startswith("device") and "type" not in key:
        return "device"
    return None


@dataclass(frozen=True)
class Columns:
    """Which position (or JSON key) holds each role; a table is recognised when it has a time
    and at least one other role (a device, a profile, a text or an audio file); the generic
    reader is content with a time (`dated`)."""

    index: dict[str, Any]

    @classmethod
    def from_headers(cls, headers: Sequence[Any]) -> Columns:
        index: dict[str, Any] = {}
        for position, header in enumerate(headers):
            role = _role(str(header))
            if role and role not in index:
                index[role] = position
        return cls(index)

    @classmethod
    def from_keys(cls, keys: Sequence[str]) -> Columns:
        index: dict[str, Any] = {}
        for key in keys:
            role = _role(key)
            if role and role not in index:
                index[role] = key
        return cls(index)

    @property
    def recognised(self) -> bool:
        return "time" in self.index and bool(set(self.index) - {"time"})

    @property
    def dated(self) -> bool:
        return "time" in self.index


# --- Time stamps ------------------------------------------------------------------------------

_FORMATS = (
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%b %d, %Y, %I:%M:%S %p",
    "%Y/%m/%d %H:%M:%S",
)


def parse_time(value: object) -> datetime | None:
    """A time stamp in the forms exports use; naive times are taken as UTC (what Google and
    Amazon write), epoch numbers as seconds or milliseconds."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if text.endswith((" UTC", " GMT")):
        text = text[:-4]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        if text.isdigit():
            return parse_time(int(text))
        for fmt in _FORMATS:
            try:
                # Naive on purpose: taken as UTC just below.
                parsed = datetime.strptime(text, fmt)  # noqa: DTZ007
                break
            except ValueError:
                continue
        if parsed is None:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- Readers ----------------------------------------------------------------------------------


def csv_rows(stream: IO[bytes]) -> Iterator[list[str]]:
    """Rows of a CSV (or TSV) stream, decoded as UTF-8 (BOM or not), replacing bad bytes."""
    text = codecs.getreader("utf-8-sig")(stream, errors="replace")
    sample = text.read(4096)
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    if sample.count("\t") > sample.count(","):
        dialect = csv.excel_tab
    rest = io.StringIO(sample)
    reader = csv.reader(_chain(rest, text), dialect)
    try:
        yield from reader
    except csv.Error as exc:
        raise DamagedArchive(f"csv: {exc}") from exc


def _chain(first: io.StringIO, rest: Any) -> Iterator[str]:
    # csv.reader wants lines; the sample already read must come first.
    pending = ""
    for source in (first, rest):
        while chunk := source.read(1 << 16):
            pending += chunk
            *lines, pending = pending.split("\n")
            for line in lines:
                yield line + "\n"
    if pending:
        yield pending


def xlsx_rows(stream: IO[bytes], *, max_bytes: int) -> Iterator[tuple[str, list[Any]]]:
    """(sheet name, row) of every sheet of a workbook, read with openpyxl in read-only mode."""
    from openpyxl import load_workbook

    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        return
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise DamagedArchive(f"xlsx: {exc}") from exc
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                yield sheet.title, list(row)
    finally:
        book.close()


def json_records_prefix(stream: IO[bytes]) -> str | None:
    """The ijson prefix of the first array of objects in a JSON stream ("item" for a list at
    the top, "voiceActivity.item" under a key), reading only as far as its first object."""
    try:
        for prefix, event, _value in ijson.parse(stream):
            if event == "start_map" and (prefix == "item" or prefix.endswith(".item")):
                return prefix
    except (ijson.JSONError, ijson.IncompleteJSONError) as exc:
        raise DamagedArchive(f"json: {exc}") from exc
    return None


def json_records(stream: IO[bytes], prefix: str) -> Iterator[dict[str, Any]]:
    """The objects at `prefix`, one at a time (ijson: memory stays flat however long the list)."""
    try:
        for item in ijson.items(stream, prefix, use_float=True):
            if isinstance(item, dict):
                yield item
    except (ijson.JSONError, ijson.IncompleteJSONError) as exc:
        raise DamagedArchive(f"json: {exc}") from exc
