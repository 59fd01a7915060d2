"""Analyse one export: choose its reader, stream its index into the report, then find the audio
by content in every other member. No ORM here: the service (cases.services.exports) stores what
this returns; `progress(done, total)` lets it show how far the analysis is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import tzinfo
from typing import IO, Any

from cases.exports.archive import Source
from cases.exports.audio import AUDIO_EXTENSIONS, HEAD_BYTES, audio_kind, audio_seconds
from cases.exports.errors import HtmlOnly
from cases.exports.limits import Limits
from cases.exports.readers import Findings, choose
from cases.exports.readers.base import is_table
from cases.exports.report import EXAMPLES, Accumulator, name_key

Progress = Callable[[int, int], None]
PROGRESS_SECONDS = 1.0

# Members never worth opening to look for audio.
_SKIP = frozenset({".html", ".htm", ".css", ".js", ".txt", ".pdf", ".png", ".jpg", ".jpeg"})


def analyse_file(
    file: IO[bytes],
    *,
    name: str = "",
    tz: tzinfo,
    keep_transcripts: bool = False,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The report of the export in `file` (a seekable binary file). Raises an ExportError
    (cases.exports.errors) when the export cannot be read."""
    source = Source(file, name, limits=limits)
    try:
        return _analyse(source, tz=tz, keep_transcripts=keep_transcripts, progress=progress)
    finally:
        source.close()


def _analyse(
    source: Source, *, tz: tzinfo, keep_transcripts: bool, progress: Progress | None
) -> dict[str, Any]:
    reader = choose(source)
    findings = Findings()
    acc = Accumulator(vendor=reader.vendor, tz=tz, keep_transcripts=keep_transcripts)
    total = source.count + 1
    last_tick = time.monotonic()

    def tick(done: int) -> None:
        nonlocal last_tick
        now = time.monotonic()
        if progress is not None and now - last_tick >= PROGRESS_SECONDS:
            last_tick = now
            progress(done, total)

    for count, interaction in enumerate(reader.interactions(source, findings), 1):
        acc.add(interaction)
        if count % 1000 == 0:
            tick(1)
    for position, member in enumerate(source.members, 2):
        acc.note_topics(member.name)
        if member.name in findings.index_members or is_table(member):
            continue
        extension = member.extension
        if extension in _SKIP:
            continue
        if position % 200 == 0:
            tick(position)
        with source.open(member) as stream:
            head = stream.read(HEAD_BYTES)
            kind = audio_kind(head)
            if kind is not None:
                acc.audio(
                    member.name, kind, audio_seconds(kind, stream, member.size), member.basename
                )
            elif extension in AUDIO_EXTENSIONS:
                acc.not_audio_file(member.name)
    warnings = list(findings.warnings)
    if not acc.audio_files:
        warnings.append("apple_no_audio" if reader.vendor == "apple" else "no_audio")
    if not acc.interactions and HtmlOnly.code not in warnings:
        warnings.append("no_index")
    if acc.not_audio:
        warnings.append("not_audio")
    missing = acc.missing_keys()
    examples: list[str] = []
    if missing:
        # A second pass over the index, only to name a few of the entries whose audio is
        # missing (the first kept hashes, not names).
        for interaction in reader.interactions(source, Findings()):
            examples += [n for n in interaction.audio if name_key(n) in missing]
            if len(examples) >= EXAMPLES:
                break
    if progress is not None:
        progress(total, total)
    return acc.result(
        unrecognised=findings.unrecognised,
        index_members=findings.index_members,
        warnings=warnings,
        missing_examples=examples[:EXAMPLES],
    )
