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
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from cases.exports.audio import AUDIO_EXTENSIONS, audio_kind
from cases.exports.errors import ArchiveTooLarge, DamagedArchive, EncryptedArchive, NotAnExport
from cases.exports.limits import Limits

# Errors a damaged zip raises while a member is read.
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


@dataclass(frozen=True, slots=True)
class Member:
    name: str  # the path inside the export, with forward slashes
    size: int  # uncompressed
    info: zipfile.ZipInfo | None = field(default=None, compare=False, repr=False)

    @property
    def basename(self) -> str:
        return posixpath.basename(self.name)

    @property
    def extension(self) -> str:
        base = self.basename
        dot = base.rfind(".")
        return base[dot:].lower() if dot > 0 else ""


class _LazyZip(zipfile.ZipFile):
    """zipfile.ZipFile that does not hold the central directory: it finds the directory on
    opening and yields one ZipInfo at a time from `infos()`, read in chunks from the file.

    Why not zipfile as it is: it keeps one ZipInfo per member (about 0.7 KB each), so the memory
    of an analysis grew with the export (50,000 recordings: +33 MB; bench/exports.py). Reading
    the directory is the only thing done differently; members are opened by zipfile itself. The
    record layout (APPNOTE 4.3.12) and the helpers used are zipfile's own."""

    _CHUNK = 1 << 20

    def _RealGetContents(self) -> None:
        fp = self.fp
        try:
            endrec = zipfile._EndRecData(fp)  # type: ignore[attr-defined]
        except OSError as exc:
            raise zipfile.BadZipFile("File is not a zip file") from exc
        if not endrec:
            raise zipfile.BadZipFile("File is not a zip file")
        size_cd = endrec[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
        offset_cd = endrec[zipfile._ECD_OFFSET]  # type: ignore[attr-defined]
        self._comment = endrec[zipfile._ECD_COMMENT]  # type: ignore[attr-defined]
        concat = endrec[zipfile._ECD_LOCATION] - size_cd - offset_cd  # type: ignore[attr-defined]
        if endrec[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:  # type: ignore[attr-defined]
            concat -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator  # type: ignore[attr-defined]
        self.start_dir = offset_cd + concat
        if self.start_dir < 0:
            raise zipfile.BadZipFile("Bad offset for central directory")
        self._cd_size = size_cd
        self._concat = concat

    def _read_at(self, position: int, size: int) -> bytes:
        # The file is shared with open members (zipfile's _SharedFile seeks before each read).
        with self._lock:
            self.fp.seek(position)
            return self.fp.read(size)

    def infos(self) -> Iterator[zipfile.ZipInfo]:
        """The members' ZipInfo, in directory order, built one at a time."""
        header = zipfile.sizeCentralDir  # type: ignore[attr-defined]
        end = self.start_dir + self._cd_size
        position, buffer, at = self.start_dir, b"", 0

        def fill(need: int) -> None:
            # Keep what is left of the buffer, add the next chunk: an offset (`at`) walks the
            # buffer, so no record is copied more than once.
            nonlocal position, buffer, at
            while len(buffer) - at < need and position < end:
                chunk = self._read_at(position, min(self._CHUNK, end - position))
                if not chunk:
                    break
                position += len(chunk)
                buffer, at = buffer[at:] + chunk, 0

        while True:
            fill(header)
            if len(buffer) - at == 0:
                return
            if len(buffer) - at < header:
                raise zipfile.BadZipFile("Truncated central directory")
            centdir = struct.unpack_from(zipfile.structCentralDir, buffer, at)  # type: ignore[attr-defined]
            if centdir[0] != zipfile.stringCentralDir:  # type: ignore[attr-defined]
                raise zipfile.BadZipFile("Bad magic number for central directory")
            name_len, extra_len, comment_len = centdir[12], centdir[13], centdir[14]
            record = header + name_len + extra_len + comment_len
            fill(record)
            if len(buffer) - at < record:
                raise zipfile.BadZipFile("Truncated central directory")
            start = at + header
            raw_name = buffer[start : start + name_len]
            flags = centdir[5]
            name = raw_name.decode(
                "utf-8" if flags & 0x800 else (self.metadata_encoding or "cp437")
            )
            info = zipfile.ZipInfo(name)
            info.extra = buffer[start + name_len : start + name_len + extra_len]
            info.header_offset = centdir[18]
            (
                info.create_version,
                info.create_system,
                info.extract_version,
                info.reserved,
                info.flag_bits,
                info.compress_type,
                _time,
                _date,
                info.CRC,
                info.compress_size,
                info.file_size,
            ) = centdir[1:12]
            info._decodeExtra()  # type: ignore[attr-defined]  (ZIP64 sizes and offset)
            info.header_offset += self._concat
            at += record
            yield info


def _single_kind(file: IO[bytes], name: str) -> str:
    """The extension to read a lone file by: JSON or CSV/TSV by content, audio by magic bytes;
    anything else is not an export."""
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
        if self._zip is not None:
            self._zip.close()
        self._zip = None
        size = self._file.seek(0, io.SEEK_END)
        self._file.seek(0)
        base = posixpath.basename(name.replace("\\", "/")) or "export"
        if not base.lower().endswith(extension):
            base += extension
        self._single_members = [Member(base, size)]
        self.documents = self._single_members
        self.count = 1

    @property
    def members(self) -> Iterable[Member]:
        """The export's files, read afresh from the zip's directory on each pass (memory does not
        grow with their number); iterate, do not index."""
        if self._zip is None:
            return self._single_members
        return self._zip_members()

    def _zip_members(self) -> Iterator[Member]:
        assert isinstance(self._zip, _LazyZip)
        try:
            for info in self._zip.infos():
                if not info.is_dir():
                    yield Member(info.filename.replace("\\", "/"), info.file_size, info)
        except (struct.error, UnicodeDecodeError, OSError) as exc:
            raise DamagedArchive(str(exc)) from exc
        except zipfile.BadZipFile as exc:
            raise DamagedArchive(str(exc)) from exc

    def _open_zip(self) -> None:
        """Check the whole directory once, streaming: limits, encryption, a workbook."""
        try:
            self._zip = _LazyZip(self._file)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise DamagedArchive(str(exc)) from exc
        limits = self.limits
        count = total = 0
        workbook = set()
        documents = []
        for member in self._zip_members():
            info = member.info
            assert info is not None
            count += 1
            if count > limits.max_members:
                raise ArchiveTooLarge(f"more than {limits.max_members} members")
            if info.flag_bits & 0x1:
                raise EncryptedArchive(info.filename)
            total += info.file_size
            if (
                info.file_size > limits.ratio_floor_bytes
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)
            ):
                raise ArchiveTooLarge(f"{info.filename}: ratio")
            if member.name in ("[Content_Types].xml", "xl/workbook.xml"):
                workbook.add(member.name)
            if member.extension not in AUDIO_EXTENSIONS:
                documents.append(member)
        if total > limits.max_total_bytes:
            raise ArchiveTooLarge(f"{total} bytes unpacked")
        self.count = count
        # Everything but the audio, kept: the readers look for their index among these, in one
        # pass over a short list instead of the whole directory each time.
        self.documents: list[Member] = documents
        self._workbook = len(workbook) == 2

    def _is_workbook(self) -> bool:
        return self._workbook

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
            with self._zip.open(member.info or member.name) as stream:
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
