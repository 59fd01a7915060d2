"""An export as a set of members read as streams: the files of a zip, or one uploaded file on its
own. Nothing is ever extracted to disk; every member is opened from the upload when it is read.

The zip's central directory is checked before anything is read: member count, total declared size
and each member's compression ratio (cases.exports.limits), and encryption. Damage found while
reading (a bad CRC, a truncated deflate stream) raises DamagedArchive.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from cases.exports.errors import ArchiveTooLarge, DamagedArchive, EncryptedArchive, NotAnExport
from cases.exports.limits import Limits

# Errors a damaged zip raises while a member is read.
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


@dataclass(frozen=True, slots=True)
class Member:
    name: str  # the path inside the export, with forward slashes
    size: int  # uncompressed

    @property
    def basename(self) -> str:
        return posixpath.basename(self.name)

    @property
    def extension(self) -> str:
        base = self.basename
        dot = base.rfind(".")
        return base[dot:].lower() if dot > 0 else ""


def _single_kind(file: IO[bytes], name: str) -> str:
    """The extension to read a lone file by: JSON or CSV/TSV by content, audio by magic bytes;
    anything else is not an export."""
    from cases.exports.audio import audio_kind

    head = file.read(4096)
    file.seek(0)
    if audio_kind(head[:12]) is not None:
        return posixpath.splitext(name)[1].lower() or ".audio"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"[", b"{"):
        return ".json"
    try:
        sample = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is fine; binary data is not.
        try:
            sample = head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            raise NotAnExport("binary") from None
    first = sample.split("\n", 1)[0]
    if "\t" in first:
        return ".tsv"
    if "," in first or ";" in first:
        return ".csv"
    raise NotAnExport("unknown text")


class Source:
    """The members of an export and a way to open each as a binary stream."""

    def __init__(self, file: IO[bytes], name: str = "", *, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._file = file
        self._zip: zipfile.ZipFile | None = None
        file.seek(0)
        head = file.read(4)
        file.seek(0)
        if not head:
            raise NotAnExport("empty file")
        if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            self._open_zip()
            if self._is_workbook():
                self._single(name, ".xlsx")
        else:
            self._single(name, _single_kind(file, name))

    def _single(self, name: str, extension: str) -> None:
        """One file on its own (MyActivity.json uploaded unzipped, a CSV or a workbook)."""
        self._zip = None
        size = self._file.seek(0, io.SEEK_END)
        self._file.seek(0)
        base = posixpath.basename(name.replace("\\", "/")) or "export"
        if not base.lower().endswith(extension):
            base += extension
        self.members = [Member(base, size)]

    def _is_workbook(self) -> bool:
        names = {m.name for m in self.members}
        return "[Content_Types].xml" in names and "xl/workbook.xml" in names

    def _open_zip(self) -> None:
        try:
            self._zip = zipfile.ZipFile(self._file)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise DamagedArchive(str(exc)) from exc
        limits = self.limits
        if len(infos) > limits.max_members:
            raise ArchiveTooLarge(f"{len(infos)} members")
        total = 0
        members = []
        for info in infos:
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise EncryptedArchive(info.filename)
            total += info.file_size
            if (
                info.file_size > limits.ratio_floor_bytes
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)
            ):
                raise ArchiveTooLarge(f"{info.filename}: ratio")
            members.append(Member(info.filename.replace("\\", "/"), info.file_size))
        if total > limits.max_total_bytes:
            raise ArchiveTooLarge(f"{total} bytes unpacked")
        self.members = members

    @property
    def is_zip(self) -> bool:
        return self._zip is not None

    @contextlib.contextmanager
    def open(self, member: Member) -> Iterator[IO[bytes]]:
        """A binary stream of `member`; damage found while reading raises DamagedArchive."""
        if self._zip is None:
            self._file.seek(0)
            yield self._file
            return
        try:
            with self._zip.open(member.name) as stream:
                yield stream
        except RuntimeError as exc:  # zipfile: "File is encrypted, password required"
            raise EncryptedArchive(member.name) from exc
        except READ_ERRORS as exc:
            raise DamagedArchive(f"{member.name}: {exc}") from exc

    def read_head(self, member: Member, size: int = 16) -> bytes:
        with self.open(member) as stream:
            return stream.read(size)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
