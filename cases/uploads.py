"""What an uploaded file really is, judged by its content, never by the browser's word or the
file name alone; and a file name that is safe to store and to offer for download.

Binary formats are recognised by their magic numbers. Text formats (plain text, CSV, JSON,
e-mail) must be valid UTF-8 and must parse as what their name says. Anything else is refused.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default as default_policy
from typing import IO

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD_BYTES = 64
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]  # the first is used when the name's extension does not fit
    label: str

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = FileKind("application/pdf", (".pdf",), "PDF")
PNG = FileKind("image/png", (".png",), "PNG")
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"), "JPEG")
GIF = FileKind("image/gif", (".gif",), "GIF")
WEBP = FileKind("image/webp", (".webp",), "WebP")
WAV = FileKind("audio/wav", (".wav",), "WAV")
MP3 = FileKind("audio/mpeg", (".mp3",), "MP3")
OGG = FileKind("audio/ogg", (".ogg", ".oga", ".opus"), "Ogg")
ZIP = FileKind("application/zip", (".zip",), "ZIP")
TEXT = FileKind("text/plain", (".txt", ".text", ".log", ".md"), "text")
CSV = FileKind("text/csv", (".csv",), "CSV")
JSON = FileKind("application/json", (".json",), "JSON")
EML = FileKind("message/rfc822", (".eml",), "e-mail")

KINDS = (PDF, PNG, JPEG, GIF, WEBP, WAV, MP3, OGG, ZIP, TEXT, CSV, JSON, EML)
ALLOWED_CONTENT_TYPES = frozenset(kind.content_type for kind in KINDS)
ACCEPTED_DESCRIPTION = gettext_lazy(
    "PDF, images (PNG, JPEG, GIF, WebP), audio (WAV, MP3, Ogg), ZIP, text, CSV, JSON or "
    "e-mail (.eml)"
)


class UnsupportedFile(ValueError):
    """The content is not one of the kinds we accept, or not what its name says."""


def _is_mp3_frame(head: bytes) -> bool:
    # MPEG audio frame sync: 11 set bits, a known version, a layer that is not "reserved".
    if len(head) < 2 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0b11
    layer = (head[1] >> 1) & 0b11
    return version != 0b01 and layer != 0b00


def _binary_kind(head: bytes) -> FileKind | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"ID3") or _is_mp3_frame(head):
        return MP3
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP
    return None


def _chunks(file: IO[bytes]) -> list[bytes]:
    file.seek(0)
    out = []
    while chunk := file.read(CHUNK):
        out.append(chunk)
    file.seek(0)
    return out


def _utf8_text(file: IO[bytes]) -> str:
    """The whole file as text, or UnsupportedFile if it is not UTF-8 text."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    parts = []
    try:
        for chunk in _chunks(file):
            parts.append(decoder.decode(chunk))
        parts.append(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise UnsupportedFile(_("This file is not text in UTF-8.")) from exc
    text = "".join(parts)
    # Control characters other than tab, line feed, carriage return and form feed mean binary.
    if re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text):
        raise UnsupportedFile(_("This file contains binary data, not text."))
    return text


@contextmanager
def _refused_if_it_fails(message: str) -> Iterator[None]:
    """Any failure of a parser fed someone's bytes means the file is not what it claims.

    The parsers fail in ways their documentation hardly lists: json raises RecursionError on
    deep nesting, csv raises csv.Error past its field limit (both once gave HTTP 500), and the
    e-mail and ZIP parsers have failures of their own on forged input. A type check answers with
    the domain error only, never a server error (tests/test_upload_checks.py fuzzes them).
    """
    try:
        yield
    except UnsupportedFile:
        raise
    except Exception as exc:  # any failure: see the docstring
        raise UnsupportedFile(message) from exc


def _check_csv(text: str) -> None:
    # One pass, one width kept: the rows are not held in memory. A field past csv's limit
    # (131,072 characters) raises csv.Error, refused like any other malformed table.
    widths: set[int] = set()
    with _refused_if_it_fails(_("This file is not a valid CSV table.")):
        for row in csv.reader(io.StringIO(text, newline="")):
            if row:
                widths.add(len(row))
                if len(widths) > 1:
                    break
    if not widths:
        raise UnsupportedFile(_("This CSV file is empty."))
    if max(widths) < 2 or len(widths) > 1:
        raise UnsupportedFile(_("This file is not a CSV table (the rows differ in columns)."))


def _check_json(text: str) -> None:
    # Deep nesting ("[" * 100000) raises RecursionError inside the decoder, which gives up
    # after about a thousand levels, so the work stays bounded by the file's size.
    with _refused_if_it_fails(_("This file is not valid JSON.")):
        json.loads(text)


def _check_eml(file: IO[bytes]) -> None:
    refused = _("This file is not an e-mail message (.eml).")
    file.seek(0)
    try:
        with _refused_if_it_fails(refused):
            message = message_from_bytes(file.read(), policy=default_policy)
            looks_like_mail = not message.defects and any(
                message.get(h) for h in ("From", "To", "Subject", "Date")
            )
    finally:
        file.seek(0)
    if not looks_like_mail:
        raise UnsupportedFile(refused)


def _check_zip(file: IO[bytes]) -> None:
    try:
        with _refused_if_it_fails(_("This ZIP file is damaged.")), zipfile.ZipFile(file) as archive:
            archive.infolist()
    finally:
        file.seek(0)


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def sniff(file: IO[bytes], name: str = "") -> FileKind:
    """The kind of `file` (a seekable binary file), judged by content; the name only says which
    text format to check for. Raises UnsupportedFile."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    if not head:
        raise UnsupportedFile(_("The file is empty."))
    kind = _binary_kind(head)
    if kind is ZIP:
        _check_zip(file)
    if kind is not None:
        return kind
    extension = _extension(name)
    if extension in EML.extensions:
        _utf8_text(file)
        _check_eml(file)
        return EML
    text = _utf8_text(file)
    if extension in CSV.extensions:
        _check_csv(text)
        return CSV
    if extension in JSON.extensions:
        _check_json(text)
        return JSON
    if extension in TEXT.extensions or extension == "":
        return TEXT
    raise UnsupportedFile(
        _("Files of this kind are not accepted. Accepted: %(kinds)s.")
        % {"kinds": ACCEPTED_DESCRIPTION}
    )


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*;]+')


def safe_filename(name: str, kind: FileKind | None = None, *, max_length: int = 120) -> str:
    """A file name fit to store and to put in a Content-Disposition header: no folders, no
    control or shell characters, no leading dots, a bounded length, and an extension that
    matches the content when `kind` is given."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, extension = (name[: name.rfind(".")], _extension(name)) if "." in name else (name, "")
    if kind is not None and extension not in kind.extensions:
        stem, extension = name, kind.extension
    stem = stem.strip(" .") or "file"
    room = max_length - len(extension)
    return stem[:room].rstrip(" .") + extension


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading a file past `limit` bytes, so an oversized upload never lands on disk.

    The file is dropped from request.FILES; `exceeded` tells the view to say why.
    """

    def __init__(self, limit: int, request=None) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
