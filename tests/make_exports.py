"""Builds voice-assistant data exports in the shapes vendors send, for tests and benchmarks.

Deterministic (a seeded random generator, fixed dates), no downloads: the MP3s are MPEG-2 Layer III
frames written here (8 kbit/s, 16 kHz, mono: 36 bytes per 36 ms frame), with random payloads so
that they do not compress (like real audio). Each builder writes a zip to a path or a binary file
and returns a `Truth` with what the export holds, which tests compare with the report.

    python -m tests.make_exports OUT_DIR [--interactions N]   # writes every shape into OUT_DIR
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import struct
import wave
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, BinaryIO

# MPEG-2 (version bits 10), Layer III (01), no CRC; 8 kbit/s (index 1), 16 kHz (index 10); mono.
MP3_HEADER = bytes([0xFF, 0xF3, 0x18, 0xC0])
MP3_FRAME_BYTES = 36  # 72 * 8000 / 16000
MP3_FRAME_SECONDS = 576 / 16000  # 0.036 s
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)

OWN_DEVICES = ("Echo Dot Living Room", "Echo Show Kitchen")
STRANGER_DEVICE = "Echo Spot Bedroom (G0911W1234567890)"
STRANGER_PROFILE = "Marie"


@dataclass
class Truth:
    """What a generated export contains, for assertions."""

    interactions: int = 0
    audio: int = 0
    seconds: float = 0.0
    devices: dict[str, int] = field(default_factory=dict)
    profiles: dict[str, int] = field(default_factory=dict)
    not_meant: int = 0
    empty: int = 0
    long_clips: int = 0
    night: int = 0
    missing_audio: int = 0
    unindexed_audio: int = 0
    not_audio: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def add(self, when: datetime, device: str = "", profile: str = "") -> None:
        self.interactions += 1
        if device:
            self.devices[device] = self.devices.get(device, 0) + 1
        if profile:
            self.profiles[profile] = self.profiles.get(profile, 0) + 1
        if when.hour < 6:
            self.night += 1
        self.first = when if self.first is None else min(self.first, when)
        self.last = when if self.last is None else max(self.last, when)


def mp3_bytes(seconds: float, rng: random.Random, *, id3: bool = False) -> bytes:
    """A valid constant-bitrate MP3 of about `seconds` (noise payload, never decoded here)."""
    frames = max(1, round(seconds / MP3_FRAME_SECONDS))
    payload = rng.randbytes(frames * (MP3_FRAME_BYTES - 4))
    step = MP3_FRAME_BYTES - 4
    out = bytearray()
    if id3:
        # An empty ID3v2.3 tag (10-byte header, size 0), as many encoders write.
        out += b"ID3\x03\x00\x00\x00\x00\x00\x00"
    for i in range(frames):
        out += MP3_HEADER
        out += payload[i * step : (i + 1) * step]
    return bytes(out)


def wav_bytes(seconds: float) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(b"\x80" * int(8000 * seconds))
    return out.getvalue()


def _when(rng: random.Random, i: int, n: int) -> datetime:
    # Spread over about 120 days; one interaction in ten at night (00:00-05:59).
    day = START + timedelta(days=(i * 120) // max(n, 1))
    hour = rng.randrange(0, 6) if rng.random() < 0.1 else rng.randrange(6, 24)
    return day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))


def _seconds(rng: random.Random, i: int) -> tuple[float, bool]:
    # Every 97th clip runs long (over a minute): what a recording without the wake word looks like.
    if i % 97 == 96:
        return 75.0, True
    return round(rng.uniform(1.0, 2.5), 2), False


def _zip(target: str | Path | BinaryIO) -> zipfile.ZipFile:
    return zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1)


def _stored(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    # Audio is stored, not deflated, as vendors do: it does not compress.
    archive.writestr(zipfile.ZipInfo(name, (2026, 3, 1, 0, 0, 0)), data, zipfile.ZIP_STORED)


def _text(archive: zipfile.ZipFile, name: str, text: str) -> None:
    archive.writestr(zipfile.ZipInfo(name, (2026, 3, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)


# --- Google Takeout ---------------------------------------------------------------------------

GOOGLE_DIR = "Takeout/My Activity/Assistant/"


def _google_entries(n: int, rng: random.Random, truth: Truth) -> Iterator[dict]:
    for i in range(n):
        when = _when(rng, i, n)
        device = OWN_DEVICES[i % 2].replace("Echo", "Nest")
        truth.add(when, device)
        stamp = when.strftime("%Y-%m-%d %H_%M_%S") + f" {i:06d} UTC.mp3"
        if i % 50 == 7:
            title = "Said audio not meant for Google Assistant"
            truth.not_meant += 1
        elif i % 50 == 13:
            title = "Said "
            truth.empty += 1
        else:
            title = f"Said what is the weather {i}"
        entry = {
            "header": "Assistant",
            "title": title,
            "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "products": ["Assistant"],
            "details": [{"name": f"From your {device}"}],
            "audioFiles": [stamp],
        }
        yield entry


def google_takeout(
    target: str | Path | BinaryIO, *, n: int = 120, seed: int = 1, missing: int = 2, extra: int = 1
) -> Truth:
    """Takeout/My Activity/Assistant/MyActivity.json with one .mp3 per entry beside it; `missing`
    entries have no audio in the zip, `extra` audio files are named by no entry."""
    rng = random.Random(seed)
    truth = Truth()
    with _zip(target) as archive:
        # A zip member cannot be written while another is open: the index goes in after the audio.
        index = []
        for i, entry in enumerate(_google_entries(n, rng, truth)):
            index.append(json.dumps(entry).encode())
            if i < missing:
                truth.missing_audio += 1
                continue
            seconds, long_ = _seconds(rng, i)
            truth.long_clips += long_
            truth.audio += 1
            truth.seconds += round(seconds / MP3_FRAME_SECONDS) * MP3_FRAME_SECONDS
            _stored(archive, GOOGLE_DIR + entry["audioFiles"][0], mp3_bytes(seconds, rng))
        with archive.open(GOOGLE_DIR + "MyActivity.json", "w", force_zip64=True) as out:
            out.write(b"[" + b",".join(index) + b"]")
        for j in range(extra):
            _stored(archive, GOOGLE_DIR + f"unlisted {j}.mp3", mp3_bytes(1.0, rng, id3=True))
            truth.audio += 1
            truth.unindexed_audio += 1
            truth.seconds += round(1.0 / MP3_FRAME_SECONDS) * MP3_FRAME_SECONDS
    return truth


def google_html_only(target: str | Path | BinaryIO, *, n: int = 20, seed: int = 2) -> Truth:
    """The same export chosen as HTML: MyActivity.html and the audio, no JSON index."""
    rng = random.Random(seed)
    truth = Truth()
    with _zip(target) as archive:
        rows = []
        for entry in _google_entries(n, rng, truth):
            name = entry["audioFiles"][0]
            _stored(archive, GOOGLE_DIR + name, mp3_bytes(1.0, rng))
            truth.audio += 1
            rows.append(
                f'<div class="outer-cell"><div class="content-cell">{entry["title"]}<br>'
                f'{entry["time"]}<audio controls><source src="{name}"></audio></div></div>'
            )
        _text(archive, GOOGLE_DIR + "MyActivity.html", "<html><body>" + "".join(rows) + "</body>")
    return truth


# --- Amazon (Alexa) ---------------------------------------------------------------------------

AMAZON_DIR = "Alexa/"
AMAZON_COLUMNS = [
    "Creation Time",
    "Device Name",
    "Customer Profile",
    "Utterance Text",
    "Audio File",
]


def amazon_export(
    target: str | Path | BinaryIO,
    *,
    n: int = 200,
    stranger: int = 40,
    seed: int = 3,
    xlsx_devices: bool = True,
    not_audio: int = 1,
) -> Truth:
    """A zip of tables and audio: Alexa/Voice History.csv (one row per utterance), the last
    `stranger` rows from another household's device and profile, Alexa/Devices.xlsx (a table it
    does not need), an unrecognised table, and the audio under Alexa/Audio/. `not_audio` .mp3
    files hold text, not sound."""
    rng = random.Random(seed)
    truth = Truth()
    with _zip(target) as archive:
        table = io.StringIO()
        writer = csv.writer(table)
        writer.writerow(AMAZON_COLUMNS)
        for i in range(n):
            when = _when(rng, i, n)
            if i >= n - stranger:
                device, profile = STRANGER_DEVICE, STRANGER_PROFILE
            else:
                device, profile = OWN_DEVICES[i % 2], "Alex"
            truth.add(when, device, profile)
            if i % 40 == 5:
                text = "Audio was not intended for Alexa"
                truth.not_meant += 1
            elif i % 40 == 9:
                text = ""
                truth.empty += 1
            else:
                text = f"alexa play some music {i}"
            name = f"Audio/{when:%Y%m%d_%H%M%S}_{i:06d}.mp3"
            seconds, long_ = _seconds(rng, i)
            truth.long_clips += long_
            truth.audio += 1
            truth.seconds += round(seconds / MP3_FRAME_SECONDS) * MP3_FRAME_SECONDS
            _stored(archive, AMAZON_DIR + name, mp3_bytes(seconds, rng))
            writer.writerow([when.strftime("%Y-%m-%d %H:%M:%S UTC"), device, profile, text, name])
        _text(archive, AMAZON_DIR + "Voice History.csv", table.getvalue())
        _text(archive, "Retail.OrderHistory/Order History.csv", "Order ID,Total\n1,2.00\n")
        for j in range(not_audio):
            _stored(archive, AMAZON_DIR + f"Audio/broken_{j}.mp3", b"this is not audio\n" * 4)
            truth.not_audio += 1
        if xlsx_devices:
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("Devices")
            sheet.append(["Device Name", "Device Type", "Serial Number"])
            for name in (*OWN_DEVICES, STRANGER_DEVICE):
                sheet.append([name, "Echo", "G0" + str(abs(hash(name)) % 10**8)])
            data = io.BytesIO()
            book.save(data)
            _text_bytes(archive, AMAZON_DIR + "Devices.xlsx", data.getvalue())
    return truth


def _text_bytes(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(zipfile.ZipInfo(name, (2026, 3, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def amazon_xlsx_export(target: str | Path | BinaryIO, *, n: int = 30, seed: int = 4) -> Truth:
    """The voice history as an Excel workbook instead of CSV, with the audio."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    truth = Truth()
    with _zip(target) as archive:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Voice History")
        sheet.append(AMAZON_COLUMNS)
        for i in range(n):
            when = _when(rng, i, n)
            truth.add(when, OWN_DEVICES[0], "Alex")
            name = f"Audio/{i:06d}.mp3"
            _stored(archive, AMAZON_DIR + name, mp3_bytes(1.0, rng))
            truth.audio += 1
            sheet.append([when.replace(tzinfo=None), OWN_DEVICES[0], "Alex", f"alexa {i}", name])
        data = io.BytesIO()
        book.save(data)
        _text_bytes(archive, AMAZON_DIR + "Voice History.xlsx", data.getvalue())
    return truth


# --- Apple (Siri) -----------------------------------------------------------------------------


def apple_export(target: str | Path | BinaryIO, *, n: int = 25, seed: int = 5) -> Truth:
    """Apple's privacy export: tables only (Siri request metadata), no audio at all."""
    rng = random.Random(seed)
    truth = Truth()
    with _zip(target) as archive:
        table = io.StringIO()
        writer = csv.writer(table)
        writer.writerow(["Request Date", "Device Type", "Request Domain"])
        for i in range(n):
            when = _when(rng, i, n)
            truth.add(when, "iPhone")
            writer.writerow([when.isoformat(), "iPhone", "weather"])
        _text(archive, "Apple Media Services information/Siri/Siri Requests.csv", table.getvalue())
        _text(archive, "Apple ID account and device information/Account.csv", "Name\nA\n")
    return truth


# --- Microsoft --------------------------------------------------------------------------------


def microsoft_export(
    target: str | Path | BinaryIO, *, n: int = 30, seed: int = 6, as_csv: bool = False
) -> Truth:
    """The privacy dashboard's voice activity: Voice/VoiceActivity.json (or .csv) with a WAV per
    entry under Voice/Audio/."""
    rng = random.Random(seed)
    truth = Truth()
    rows = []
    with _zip(target) as archive:
        for i in range(n):
            when = _when(rng, i, n)
            device = "Surface Laptop" if i % 3 else "Xbox"
            truth.add(when, device)
            name = f"Audio/{i:05d}.wav"
            _stored(archive, "Voice/" + name, wav_bytes(0.5))
            truth.audio += 1
            truth.seconds += 0.5
            text = "" if i % 10 == 3 else f"what time is it {i}"
            truth.empty += i % 10 == 3
            rows.append(
                {
                    "DateTime": when.isoformat().replace("+00:00", "Z"),
                    "DeviceName": device,
                    "DisplayText": text,
                    "AudioFile": name,
                }
            )
        if as_csv:
            table = io.StringIO()
            writer = csv.DictWriter(table, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
            _text(archive, "Voice/VoiceActivity.csv", table.getvalue())
        else:
            _text(archive, "Voice/VoiceActivity.json", json.dumps({"voiceActivity": rows}))
    return truth


# --- Anything else ----------------------------------------------------------------------------


def generic_export(target: str | Path | BinaryIO, *, seed: int = 7) -> Truth:
    """A folder of audio in several formats and a CSV with a time column."""
    rng = random.Random(seed)
    truth = Truth()
    with _zip(target) as archive:
        for i in range(4):
            _stored(archive, f"recordings/{i}.mp3", mp3_bytes(1.0, rng))
        for i in range(2):
            _stored(archive, f"recordings/{i}.wav", wav_bytes(1.0))
        _stored(archive, "recordings/x.ogg", b"OggS" + bytes(60))
        _stored(archive, "recordings/x.flac", b"fLaC" + bytes(60))
        _stored(archive, "recordings/x.m4a", b"\x00\x00\x00\x18ftypM4A " + bytes(60))
        truth.audio = 9
        table = "timestamp,event\n" + "".join(
            f"2026-03-0{i + 1}T0{i}:00:00Z,voice\n" for i in range(5)
        )
        for i in range(5):
            truth.add(datetime(2026, 3, i + 1, i, tzinfo=UTC))
        _text(archive, "activity.csv", table)
    return truth


# --- Bad inputs -------------------------------------------------------------------------------


def zip_bomb(target: str | Path | BinaryIO, *, megabytes: int = 64) -> None:
    """One member of zeros that deflates about a thousandfold."""
    with (
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("Takeout/My Activity/Assistant/MyActivity.json", "w") as out,
    ):
        block = b"\x00" * (1 << 20)
        for _ in range(megabytes):
            out.write(block)


def encrypted_zip() -> bytes:
    """A zip whose member claims ZipCrypto encryption (flag bit 0), as a password-protected
    export arrives. The standard library cannot write one, so the flag is set by hand."""
    data = io.BytesIO()
    google_takeout(data, n=3)
    raw = bytearray(data.getvalue())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := raw.find(signature, start)) != -1:
            flags = struct.unpack_from("<H", raw, at + offset)[0]
            struct.pack_into("<H", raw, at + offset, flags | 0x1)
            start = at + 4
    return bytes(raw)


def truncated_zip() -> bytes:
    data = io.BytesIO()
    amazon_export(data, n=20, stranger=0)
    return data.getvalue()[: len(data.getvalue()) // 2]


def corrupt_zip() -> bytes:
    """The end-of-archive record is intact but a member's data is overwritten."""
    data = io.BytesIO()
    google_takeout(data, n=10, missing=0, extra=0)
    raw = bytearray(data.getvalue())
    at = raw.find(b"PK\x03\x04")
    raw[at + 60 : at + 260] = b"\xaa" * 200
    return bytes(raw)


def not_a_zip() -> bytes:
    return b"%PDF-1.4\n" + bytes(random.Random(8).randbytes(2000))


def mp3s_not_audio(target: str | Path | BinaryIO, *, n: int = 5) -> None:
    """A folder of .mp3 files that hold no sound."""
    with _zip(target) as archive:
        for i in range(n):
            _stored(archive, f"recordings/{i}.mp3", b"<html>not found</html>" * 3)


def huge_json(out: IO[bytes], *, megabytes: int, seed: int = 9) -> int:
    """A Google MyActivity.json of about `megabytes`, written entry by entry (never held in
    memory); returns the number of entries."""
    rng = random.Random(seed)
    target = megabytes << 20
    written = out.write(b"[")
    n = 0
    truth = Truth()
    filler = "x" * 400
    for entry in _google_entries(10**9, rng, truth):
        entry["subtitles"] = [{"name": filler}]
        chunk = (b"," if n else b"") + json.dumps(entry).encode()
        written += out.write(chunk)
        n += 1
        if written >= target:
            break
    out.write(b"]")
    return n


SHAPES = {
    "google_takeout.zip": google_takeout,
    "google_html_only.zip": google_html_only,
    "amazon_alexa.zip": amazon_export,
    "amazon_alexa_xlsx.zip": amazon_xlsx_export,
    "apple_siri.zip": apple_export,
    "microsoft_voice.zip": microsoft_export,
    "generic.zip": generic_export,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, build in SHAPES.items():
        truth = build(args.out / name)
        print(f"{name}: {truth.interactions} interactions, {truth.audio} audio files")
    zip_bomb(args.out / "bad_zip_bomb.zip")
    (args.out / "bad_encrypted.zip").write_bytes(encrypted_zip())
    (args.out / "bad_truncated.zip").write_bytes(truncated_zip())
    (args.out / "bad_corrupt.zip").write_bytes(corrupt_zip())
    (args.out / "bad_not_a_zip.zip").write_bytes(not_a_zip())
    mp3s_not_audio(args.out / "bad_mp3_not_audio.zip")


if __name__ == "__main__":
    main()
