"""The one interface every vendor's reader implements, and the table reading they share.

A reader says how well it fits an export (`score`), then yields its interactions from the export's
index (tables, JSON) as `Interaction`s. Audio is not the reader's business: the analysis finds it
by content in every member, and matches it to the index by file name (cases.exports.analysis).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from cases.exports.archive import Member, Source
from cases.exports.tables import (
    TABLE_EXTENSIONS,
    Columns,
    csv_rows,
    json_records,
    json_records_prefix,
    parse_time,
    xlsx_rows,
)


@dataclass(slots=True)
class Interaction:
    """One request to the assistant, as the index states it."""

    when: datetime | None
    device: str = ""
    profile: str = ""
    text: str | None = None  # None: the index has no transcript for it at all
    audio: tuple[str, ...] = ()  # file names (base names) the index says belong to it


@dataclass
class Findings:
    """What a reader learnt besides the interactions: which members it read as an index, which
    tables it did not recognise, and warnings for the person (codes of cases.exports.notes)."""

    index_members: set[str] = field(default_factory=set)
    unrecognised: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Reader:
    """A vendor's export. Subclasses document what they assume about its layout."""

    vendor: ClassVar[str] = "generic"

    def score(self, source: Source) -> int:
        """How sure this reader is that `source` is its vendor's export (0: not at all)."""
        raise NotImplementedError

    def interactions(self, source: Source, findings: Findings) -> Iterator[Interaction]:
        raise NotImplementedError


def is_table(member: Member) -> bool:
    return member.extension in TABLE_EXTENSIONS


def _cell(row: list[Any], position: Any) -> Any:
    return row[position] if position is not None and position < len(row) else None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _audio_names(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, list):
        return tuple(posixpath.basename(str(v)) for v in value if v)
    return tuple(posixpath.basename(p.strip()) for p in str(value).split(";") if p.strip())


def _from_row(columns: Columns, get: Callable[[Any], Any]) -> Interaction:
    index = columns.index
    device = _text(get(index.get("device"))) or _text(get(index.get("serial")))
    if not device and "device_type" in index:
        device = _text(get(index["device_type"]))
    text = get(index["text"]) if "text" in index else None
    return Interaction(
        when=parse_time(get(index["time"])),
        device=device,
        profile=_text(get(index.get("profile"))),
        text=None if "text" not in index else _text(text),
        audio=_audio_names(get(index.get("audio"))),
    )


def table_interactions(
    source: Source,
    member: Member,
    findings: Findings,
    *,
    max_workbook_bytes: int,
    time_only: bool = False,
) -> Iterator[Interaction]:
    """The interactions of one table (CSV, TSV, Excel or JSON records) whose headers name a time
    and a device, a text or an audio file; otherwise the table is listed as unrecognised."""
    recognised = False

    def fits(columns: Columns) -> bool:
        return columns.dated if time_only else columns.recognised

    if member.extension in (".csv", ".tsv"):
        with source.open(member) as stream:
            rows = csv_rows(stream)
            headers = next(rows, None)
            columns = Columns.from_headers(headers or [])
            if fits(columns):
                recognised = True
                for row in rows:
                    if row:
                        yield _from_row(columns, lambda p, row=row: _cell(row, p))
    elif member.extension == ".xlsx":
        with source.open(member) as stream:
            sheet_columns: dict[str, Columns] = {}
            for sheet, row in xlsx_rows(stream, max_bytes=max_workbook_bytes):
                if sheet not in sheet_columns:
                    sheet_columns[sheet] = Columns.from_headers(row)
                    continue
                columns = sheet_columns[sheet]
                if fits(columns) and any(v is not None for v in row):
                    recognised = True
                    yield _from_row(columns, lambda p, row=row: _cell(row, p))
    elif member.extension == ".json":
        with source.open(member) as stream:
            prefix = json_records_prefix(stream)
        if prefix is not None:
            with source.open(member) as stream:
                columns = None
                for record in json_records(stream, prefix):
                    if columns is None:
                        columns = Columns.from_keys(list(record))
                        if not fits(columns):
                            break
                        recognised = True
                    yield _from_row(columns, lambda k, record=record: record.get(k) if k else None)
    if recognised:
        findings.index_members.add(member.name)
    else:
        findings.unrecognised.append(member.name)


class TableReader(Reader):
    """A vendor whose export is tables found by their headers (Amazon, Apple, Microsoft, and the
    generic reader): every table member `wants` accepts is read. `time_only`: a table with a
    time column and nothing else we recognise still counts (the generic reader)."""

    time_only: ClassVar[bool] = False

    def wants(self, member: Member) -> bool:
        return is_table(member)

    def interactions(self, source: Source, findings: Findings) -> Iterator[Interaction]:
        for member in source.documents:
            if is_table(member):
                if self.wants(member):
                    yield from table_interactions(
                        source,
                        member,
                        findings,
                        max_workbook_bytes=source.limits.max_workbook_bytes,
                        time_only=self.time_only,
                    )
                else:
                    findings.unrecognised.append(member.name)
