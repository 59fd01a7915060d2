"""Audio recognised by its content (magic bytes), its length read with mutagen.

The name's extension is not trusted: an ".mp3" that holds text is reported as not audio, and a
recording with an unusual name still counts.
"""

from __future__ import annotations

from typing import IO

from mutagen import MutagenError
from mutagen.flac import FLAC
from mutagen.mp3 import MP3
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


# The class for each kind: cheaper than mutagen.File, which tries every format in turn.
_READERS = {"mp3": MP3, "wav": WAVE, "ogg": _ogg, "flac": FLAC, "m4a": MP4}


def audio_seconds(kind: str, stream: IO[bytes]) -> float | None:
    """The length in seconds, or None when the file is too damaged to say."""
    try:
        stream.seek(0)
        length = _READERS[kind](stream).info.length
    except (MutagenError, OSError, ValueError, EOFError, KeyError, IndexError, ZeroDivisionError):
        return None
    return float(length) if length and length > 0 else None
