"""A minimal Outlook .msg writer for the tests: a Compound File (MS-CFB, version 3) holding the
streams of a message (MS-OXMSG). No library writes .msg files, and a real one from Outlook
would be a binary blob of unknown content in the repository; this one says what it holds.

Only small messages: every stream is kept in the mini stream, which one sector of mini FAT maps.
"""

from __future__ import annotations

import struct

SECTOR, MINI = 512, 64
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _entry(
    name: str,
    kind: int,
    *,
    child: int = NOSTREAM,
    right: int = NOSTREAM,
    start: int = END,
    size: int = 0,
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)  # 1: black
        + struct.pack("<III", NOSTREAM, right, child)
        + b"\0" * 16  # CLSID
        + struct.pack("<I", 0)  # state bits
        + b"\0" * 16  # creation and modification times
        + struct.pack("<IQ", start, size)
    )


def compound_file(streams: dict[str, bytes]) -> bytes:
    """Every stream is below the 4096-byte cutoff, so all live in the mini stream (64-byte
    mini sectors, chained by the mini FAT), which the root entry holds in regular sectors."""
    names = list(streams)
    assert all(len(data) < 4096 for data in streams.values())
    mini_fat: list[int] = []
    mini = b""
    starts = []
    for name in names:
        count = max(-(-len(streams[name]) // MINI), 1)
        first = len(mini_fat)
        mini_fat += [first + i + 1 for i in range(count - 1)] + [END]
        starts.append(first)
        mini += streams[name].ljust(count * MINI, b"\0")
    assert len(mini_fat) <= 128, "one mini FAT sector"
    dir_sectors = -(-(len(names) + 1) * 128 // SECTOR)
    mini_sectors = -(-len(mini) // SECTOR)
    first_dir, first_mini = 2, 2 + dir_sectors
    assert first_mini + mini_sectors <= 128, "one FAT sector"
    fat = [FREE] * 128
    fat[0], fat[1] = FATSECT, END  # the FAT, the mini FAT (one sector each)
    for first, count in ((first_dir, dir_sectors), (first_mini, mini_sectors)):
        for i in range(count):
            fat[first + i] = first + i + 1 if i < count - 1 else END
    entries = [_entry("Root Entry", 5, child=1, start=first_mini, size=len(mini))]
    for index, name in enumerate(names):
        right = index + 2 if index + 1 < len(names) else NOSTREAM
        entries.append(_entry(name, 2, right=right, start=starts[index], size=len(streams[name])))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIII", 0, 1, first_dir, 0)  # dir sectors (0 in v3), FAT sectors, txn
        + struct.pack("<I", 4096)  # mini stream cutoff
        + struct.pack("<IIII", 1, 1, END, 0)  # mini FAT at sector 1, one sector; no DIFAT
        + struct.pack("<I", 0)  # the FAT is sector 0
        + struct.pack("<I", FREE) * 108
    )
    return (
        header
        + struct.pack("<128I", *fat)
        + struct.pack("<128I", *(mini_fat + [FREE] * (128 - len(mini_fat))))
        + b"".join(entries).ljust(dir_sectors * SECTOR, b"\0")
        + mini.ljust(mini_sectors * SECTOR, b"\0")
    )


def outlook_message(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    date: str,
    attachments: list[tuple[str, bytes]] = (),
) -> bytes:  # type: ignore[assignment]
    """An .msg file as Outlook saves one: subject, body and the transport headers."""
    headers = f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n\r\n"

    def text(value: str) -> bytes:
        return value.encode("utf-16-le")

    streams = {
        "__properties_version1.0": b"\0" * 32,
        "__substg1.0_001A001F": text("IPM.Note"),
        "__substg1.0_0037001F": text(subject),
        "__substg1.0_1000001F": text(body),
        "__substg1.0_007D001F": text(headers),
        "__substg1.0_0C1F001F": text(sender),
        "__substg1.0_0E04001F": text(to),
    }
    assert not attachments, "attachments are not written by this helper"
    return compound_file(streams)
