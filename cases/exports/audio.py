"""Audio recognised by its content (magic bytes), its length read with mutagen.

The name's extension is not trusted: an ".mp3" that holds text is reported as not audio, and a
recording with an unusual name still counts.
"""

from __future__ import annotations

import io
from typing import IO

from mutagen import MutagenError
from mutagen.flac import FLAC
from mutagen.mp3 import MPEGInfo
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

AUDIO_EXTENSIONS = frozenset(
    {".mp3", ".wav", ".ogg", ".oga", ".opus", ".flac", ".m4a", ".mp4", ".aac", ".amr"}
)
HEAD_BYTES = 12


def audio_kind(head: bytes) -> str | None:
    """ "mp3", "wav", "ogg", "flac" or "m4a" from a file's first 12 bytes, or None."""
    if head.startswith(b"ID3"):
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
        if version != 0b01 and layer != 0b00:
            return "mp3"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head[4:8] == b"ftyp":
        return "m4a"
    return None


def _ogg(stream: IO[bytes]):
    try:
        return OggVorbis(stream)
    except MutagenError:
        stream.seek(0)
        return OggOpus(stream)


class _Mpeg:
    # The stream information only: MP3's length needs no tags, and reading them costs more
    # than the rest (MPEGInfo skips a leading ID3 tag itself).
    def __init__(self, stream: IO[bytes]) -> None:
        self.info = MPEGInfo(stream)


# The class for each kind: cheaper than mutagen.File, which tries every format in turn.
_READERS = {"mp3": _Mpeg, "wav": WAVE, "ogg": _ogg, "flac": FLAC, "m4a": MP4}
# Clips up to this size are read into memory first: mutagen seeks a lot, and seeking in a zip
# member is slow. Larger ones are read from the stream (memory stays bounded).
IN_MEMORY_BYTES = 1 << 20


def audio_seconds(kind: str, stream: IO[bytes], size: int | None = None) -> float | None:
    """The length in seconds, or None when the file is too damaged to say. `stream` may be
    positioned anywhere; `size` (when known and small) lets it be read into memory first."""
    try:
        stream.seek(0)
        if size is not None and size <= IN_MEMORY_BYTES:
            stream = io.BytesIO(stream.read(size))
        length = _READERS[kind](stream).info.length
    except (MutagenError, OSError, ValueError, EOFError, KeyError, IndexError, ZeroDivisionError):
        return None
    return float(length) if length and length > 0 else None
