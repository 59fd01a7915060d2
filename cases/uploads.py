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
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD_BYTES = 64
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]  # the first is used when the name's extension does not fit
    label: str
    described: Promise  # "a PDF document": what a name or a declared type claims, in a message

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = FileKind("application/pdf", (".pdf",), "PDF", gettext_lazy("a PDF document"))
PNG = FileKind("image/png", (".png",), "PNG", gettext_lazy("a PNG image"))
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"), "JPEG", gettext_lazy("a JPEG image"))
GIF = FileKind("image/gif", (".gif",), "GIF", gettext_lazy("a GIF image"))
WEBP = FileKind("image/webp", (".webp",), "WebP", gettext_lazy("a WebP image"))
WAV = FileKind("audio/wav", (".wav",), "WAV", gettext_lazy("a WAV recording"))
MP3 = FileKind("audio/mpeg", (".mp3",), "MP3", gettext_lazy("an MP3 recording"))
OGG = FileKind("audio/ogg", (".ogg", ".oga", ".opus"), "Ogg", gettext_lazy("an Ogg recording"))
ZIP = FileKind("application/zip", (".zip",), "ZIP", gettext_lazy("a ZIP archive"))
TEXT = FileKind("text/plain", (".txt", ".text", ".log", ".md"), "text", gettext_lazy("a text file"))
CSV = FileKind("text/csv", (".csv",), "CSV", gettext_lazy("a CSV table"))
JSON = FileKind("application/json", (".json",), "JSON", gettext_lazy("a JSON file"))
EML = FileKind("message/rfc822", (".eml",), "e-mail", gettext_lazy("an e-mail message"))

KINDS = (PDF, PNG, JPEG, GIF, WEBP, WAV, MP3, OGG, ZIP, TEXT, CSV, JSON, EML)
TEXT_KINDS = (TEXT, CSV, JSON, EML)
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


# The longest field a table of evidence may hold: csv's own default limit, checked here rather
# than left to `csv.field_size_limit`, which is one setting for the whole process (the export
# analyser raises it to read vendors' tables).
CSV_MAX_FIELD = 131_072


def _check_csv(text: str) -> None:
    # One pass, one width kept: the rows are not held in memory. A malformed table or a field
    # past CSV_MAX_FIELD is refused like any other.
    widths: set[int] = set()
    refused = _("This file is not a valid CSV table.")
    with _refused_if_it_fails(refused):
        for row in csv.reader(io.StringIO(text, newline="")):
            if any(len(field) > CSV_MAX_FIELD for field in row):
                raise UnsupportedFile(refused)
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


# What a refused file is, for the message that says so (not for accepting anything: only the
# magic numbers in _binary_kind admit a binary file). Signatures from the formats' own specs.
_PROGRAM = gettext_lazy("a Windows program (EXE)")
_ARCHIVE = gettext_lazy("a compressed archive (%(format)s)")
_IMAGE = gettext_lazy("an image (%(format)s)")
_RECORDING = gettext_lazy("a recording (%(format)s)")
_VIDEO = gettext_lazy("a video (%(format)s)")
_DOCUMENT = gettext_lazy("a document (%(format)s)")
_SIGNATURES: tuple[tuple[bytes, Promise, str], ...] = (
    (b"MZ", _PROGRAM, ""),
    (b"\x7fELF", gettext_lazy("a Linux program (ELF)"), ""),
    (b"\xfe\xed\xfa\xce", gettext_lazy("a macOS program (Mach-O)"), ""),
    (b"\xfe\xed\xfa\xcf", gettext_lazy("a macOS program (Mach-O)"), ""),
    (b"\xce\xfa\xed\xfe", gettext_lazy("a macOS program (Mach-O)"), ""),
    (b"\xcf\xfa\xed\xfe", gettext_lazy("a macOS program (Mach-O)"), ""),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        gettext_lazy("a Microsoft Office document in the old format (DOC, XLS, PPT)"),
        "",
    ),
    (b"SQLite format 3\x00", gettext_lazy("a database (SQLite)"), ""),
    (b"Rar!\x1a\x07", _ARCHIVE, "RAR"),
    (b"7z\xbc\xaf\x27\x1c", _ARCHIVE, "7-Zip"),
    (b"\x1f\x8b", _ARCHIVE, "gzip"),
    (b"BZh", _ARCHIVE, "bzip2"),
    (b"\xfd7zXZ\x00", _ARCHIVE, "xz"),
    (b"BM", _IMAGE, "BMP"),
    (b"II*\x00", _IMAGE, "TIFF"),
    (b"MM\x00*", _IMAGE, "TIFF"),
    (b"8BPS", _IMAGE, "Photoshop"),
    (b"\x00\x00\x01\x00", _IMAGE, "ICO"),
    (b"fLaC", _RECORDING, "FLAC"),
    (b"#!AMR", _RECORDING, "AMR"),
    (b"\x1a\x45\xdf\xa3", _VIDEO, "WebM/Matroska"),
    (b"{\\rtf", _DOCUMENT, "RTF"),
    (b"#!", gettext_lazy("a script"), ""),
)
# ISO base media files (MP4, MOV, HEIC...) say what they are by the brand after "ftyp".
_BRANDS: tuple[tuple[tuple[bytes, ...], Promise, str], ...] = (
    ((b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1"), _IMAGE, "HEIC"),
    ((b"avif", b"avis"), _IMAGE, "AVIF"),
    ((b"M4A ", b"M4B "), _RECORDING, "M4A"),
    ((b"qt  ",), _VIDEO, "QuickTime"),
)
DESCRIBE_BYTES = 4096


def _described(template: Promise, format_: str) -> str:
    return str(template) % {"format": format_} if format_ else str(template)


_PLAIN_TEXT = gettext_lazy("plain text")
_LEGACY_TEXT = gettext_lazy("text in an encoding other than UTF-8")


def _what_it_is(file: IO[bytes]) -> tuple[str, Promise | None]:
    """The words for what `file` is, and _PLAIN_TEXT or _LEGACY_TEXT when it is text."""
    file.seek(0)
    head = file.read(DESCRIBE_BYTES)
    file.seek(0)
    kind = _binary_kind(head)
    if kind is not None:
        return str(kind.described), None
    for magic, template, format_ in _SIGNATURES:
        if head.startswith(magic):
            return _described(template, format_), None
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        for brands, template, format_ in _BRANDS:
            if brand in brands:
                return _described(template, format_), None
        return _described(_VIDEO, "MP4"), None
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return _described(_VIDEO, "AVI"), None
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return _described(_RECORDING, "AIFF"), None
    start = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html", "<head", "<body", "<script", "<iframe")):
        return _("a web page (HTML)"), None
    if start.startswith(("<svg", "<?xml")) and "<svg" in start:
        return _described(_IMAGE, "SVG"), None
    if start.startswith("<?xml"):
        return _described(_DOCUMENT, "XML"), None
    try:
        _utf8_text(file)
    except UnsupportedFile:
        pass
    else:
        return str(_PLAIN_TEXT), _PLAIN_TEXT
    if _legacy_text(file):
        return str(_LEGACY_TEXT), _LEGACY_TEXT
    return _("binary data"), None


def describe_content(file: IO[bytes]) -> str:
    """What the content of `file` is, in words for a person: "a Windows program (EXE)", "a web
    page (HTML)", "plain text", "binary data". Says why a file is refused; admits nothing."""
    return _what_it_is(file)[0]


def _legacy_text(file: IO[bytes]) -> bool:
    """Text as Windows programs wrote it before UTF-8: Windows-1252 (a superset of Latin-1's
    letters), or UTF-16 with its byte-order mark."""
    file.seek(0)
    data = file.read()
    file.seek(0)
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "cp1252"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return not re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text.lstrip("\ufeff"))


def _claimed(extension: str, declared_type: str) -> tuple[FileKind, str] | None:
    """The accepted kind the file's name claims (by its extension) or, when the name claims none,
    the kind the sender declared (Content-Type); with the extension that claimed it, if any."""
    for kind in KINDS:
        if extension in kind.extensions:
            return kind, extension
    declared = declared_type.split(";")[0].strip().lower()
    for kind in KINDS:
        if declared == kind.content_type:
            return kind, ""
    return None


def _not_what_it_claims(file: IO[bytes], extension: str, declared_type: str) -> UnsupportedFile:
    """The refusal that says what the file claims to be and what its content is."""
    actual, text = _what_it_is(file)
    claimed = _claimed(extension, declared_type)
    if claimed is None:
        sentence = _("By its content, this file is %(actual)s.") % {"actual": actual}
    elif claimed[1]:
        sentence = _("Its name says this file is %(claimed)s, but its content is %(actual)s.") % {
            "claimed": f"{claimed[0].described} ({claimed[1]})",
            "actual": actual,
        }
    else:
        sentence = _("This file was sent as %(claimed)s, but its content is %(actual)s.") % {
            "claimed": claimed[0].described,
            "actual": actual,
        }
    if text is _PLAIN_TEXT:
        advice = _("To upload it as text, give it a name ending in .txt.")
    elif text is _LEGACY_TEXT:
        advice = _("Save it in UTF-8 and upload it again.")
    else:
        advice = _("Files of this kind are not accepted. Accepted: %(kinds)s.") % {
            "kinds": ACCEPTED_DESCRIPTION
        }
    return UnsupportedFile(f"{sentence} {advice}")


def sniff(file: IO[bytes], name: str = "", declared_type: str = "") -> FileKind:
    """The kind of `file` (a seekable binary file), judged by content; the name only says which
    text format to check for. Raises UnsupportedFile, whose message says what the name (or the
    declared type, `declared_type`, when the name says nothing) claims and what the content is."""
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
    text_extension = extension == "" or any(extension in k.extensions for k in TEXT_KINDS)
    if not text_extension:
        # A name that claims a binary kind, or a kind we do not accept.
        raise _not_what_it_claims(file, extension, declared_type)
    try:
        text = _utf8_text(file)
    except UnsupportedFile:
        raise _not_what_it_claims(file, extension, declared_type) from None
    if extension in EML.extensions:
        _check_eml(file)
        return EML
    if extension in CSV.extensions:
        _check_csv(text)
        return CSV
    if extension in JSON.extensions:
        _check_json(text)
        return JSON
    return TEXT


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
