"""The export readers: one per vendor behind one interface, reading zips as streams within limits,
JSON incrementally, audio by content. Each generated export's report matches what it holds."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from zoneinfo import ZoneInfo

import pytest

from cases.exports import errors
from cases.exports.analysis import analyse_file
from cases.exports.archive import Source
from cases.exports.audio import audio_kind
from cases.exports.limits import Limits
from cases.exports.readers import choose
from cases.exports.report import foreign
from tests import make_exports as gen

UTC = ZoneInfo("UTC")


def build(builder, **kwargs) -> tuple[io.BytesIO, gen.Truth]:
    out = io.BytesIO()
    truth = builder(out, **kwargs)
    out.seek(0)
    return out, truth


def analyse(data: io.BytesIO | bytes, name: str = "export.zip", **kwargs):
    file = io.BytesIO(data) if isinstance(data, bytes) else data
    return analyse_file(file, name=name, tz=UTC, **kwargs)


def test_a_google_takeout_is_read_from_its_activity_index_and_the_audio_beside_it():
    data, truth = build(gen.google_takeout, n=120, missing=2, extra=1)
    report = analyse(data)
    assert report["vendor"] == "google"
    assert report["interactions"] == truth.interactions == 120
    assert report["audio"]["files"] == truth.audio
    assert report["audio"]["seconds"] == pytest.approx(truth.seconds, abs=0.5)
    assert report["transcripts"]["empty"] == truth.empty
    assert report["transcripts"]["not_meant"] == truth.not_meant
    assert report["missing_audio"]["count"] == 2
    assert len(report["missing_audio"]["examples"]) == 2
    assert report["missing_audio"]["examples"][0].endswith(".mp3")
    assert report["unindexed_audio"] == {"count": 1, "examples": ["unlisted 0.mp3"]}
    assert report["long_clips"]["count"] == truth.long_clips
    assert report["night"] == truth.night
    assert sum(report["per_hour"]) == sum(report["per_day"].values()) == 120
    assert report["first"].startswith(truth.first.date().isoformat())


def test_an_amazon_export_shows_another_households_device_and_profile():
    data, truth = build(gen.amazon_export, n=200, stranger=40)
    report = analyse(data)
    assert report["vendor"] == "amazon"
    assert report["interactions"] == 200
    assert {d["name"]: d["count"] for d in report["devices"]} == truth.devices
    assert {p["name"]: p["count"] for p in report["profiles"]} == truth.profiles
    suspicion = foreign(report, ["Echo Dot", "Echo Show", "Alex"])
    assert suspicion["count"] == 40
    assert suspicion["devices"] == [gen.STRANGER_DEVICE]
    assert suspicion["profiles"] == [gen.STRANGER_PROFILE]
    assert suspicion["first"] <= suspicion["last"]
    # The order history and the device list are tables it does not need: listed, not read.
    assert "Retail.OrderHistory/Order History.csv" in report["tables"]["unrecognised"]
    assert report["audio"]["not_audio"] == truth.not_audio == 1
    assert report["transcripts"]["not_meant"] == truth.not_meant
    assert report["checklist"]["audio"] and report["checklist"]["transcripts"]


def test_nothing_is_judged_foreign_before_the_person_lists_what_they_own():
    data, _ = build(gen.amazon_export, n=20, stranger=5)
    assert foreign(analyse(data), []) is None


def test_an_amazon_voice_history_in_excel_is_read_like_the_csv():
    data, truth = build(gen.amazon_xlsx_export, n=30)
    report = analyse(data)
    assert report["interactions"] == 30
    assert report["audio"]["files"] == truth.audio
    assert report["missing_audio"]["count"] == 0


def test_an_apple_export_without_audio_says_what_that_means():
    data, truth = build(gen.apple_export, n=25)
    report = analyse(data)
    assert report["vendor"] == "apple"
    assert report["interactions"] == truth.interactions
    assert report["audio"]["files"] == 0
    assert "apple_no_audio" in report["warnings"]
    assert report["checklist"]["audio"] is False


@pytest.mark.parametrize("as_csv", [False, True])
def test_a_microsoft_voice_activity_export_is_read_as_json_or_csv(as_csv):
    data, truth = build(gen.microsoft_export, n=30, as_csv=as_csv)
    report = analyse(data)
    assert report["vendor"] == "microsoft"
    assert report["interactions"] == 30
    assert report["audio"] == {**report["audio"], "files": 30, "kinds": {"wav": 30}}
    assert report["transcripts"]["empty"] == truth.empty


def test_a_generic_export_counts_audio_by_content_and_reads_a_dated_table():
    data, truth = build(gen.generic_export)
    report = analyse(data)
    assert report["vendor"] == "generic"
    assert report["audio"]["files"] == truth.audio == 9
    assert report["audio"]["kinds"] == {"mp3": 4, "wav": 2, "ogg": 1, "flac": 1, "m4a": 1}
    assert report["interactions"] == 5


def test_a_takeout_activity_json_uploaded_alone_is_read():
    out = io.BytesIO()
    entries = gen.huge_json(out, megabytes=1)
    report = analyse(out.getvalue(), name="MyActivity.json")
    assert report["vendor"] == "google"
    assert report["interactions"] == entries
    assert "no_audio" in report["warnings"]


def test_a_large_json_is_parsed_as_a_stream_in_flat_memory():
    out = io.BytesIO()
    entries = gen.huge_json(out, megabytes=40)
    out.seek(0)
    tracemalloc.start()
    try:
        report = analyse_file(out, name="MyActivity.json", tz=UTC)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report["interactions"] == entries
    assert peak < 20 << 20, peak  # 40 MB of JSON, well under 20 MB held at once


def test_an_html_only_takeout_counts_the_audio_and_asks_for_json():
    data, truth = build(gen.google_html_only, n=20)
    report = analyse(data)
    assert report["warnings"][0] == errors.HtmlOnly.code
    assert report["audio"]["files"] == truth.audio
    assert report["interactions"] == 0


def test_mp3_files_that_hold_no_sound_are_reported_as_not_audio():
    data = io.BytesIO()
    gen.mp3s_not_audio(data, n=5)
    report = analyse(data)
    assert report["audio"]["files"] == 0
    assert report["audio"]["not_audio"] == 5
    assert "not_audio" in report["warnings"]


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (gen.encrypted_zip, errors.EncryptedArchive),
        (gen.truncated_zip, errors.DamagedArchive),
        (gen.corrupt_zip, errors.DamagedArchive),
        (gen.not_a_zip, errors.NotAnExport),
    ],
)
def test_each_bad_input_raises_its_own_error(make, error):
    with pytest.raises(error) as raised:
        analyse(make())
    assert raised.value.code == error.code
    assert str(raised.value.message)


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked():
    data = io.BytesIO()
    gen.zip_bomb(data, megabytes=16)
    tracemalloc.start()
    try:
        with pytest.raises(errors.ArchiveTooLarge):
            analyse(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20


def test_the_limits_on_members_and_unpacked_size_hold():
    data, _ = build(gen.amazon_export, n=20, stranger=0)
    with pytest.raises(errors.ArchiveTooLarge):
        Source(data, limits=Limits(max_members=5))
    with pytest.raises(errors.ArchiveTooLarge):
        Source(data, limits=Limits(max_total_bytes=10_000))


def test_nothing_is_extracted_to_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data, _ = build(gen.google_takeout, n=10)
    analyse(data)
    assert list(tmp_path.iterdir()) == []


def test_audio_is_recognised_by_its_magic_bytes():
    assert audio_kind(b"ID3\x03") == "mp3"
    assert audio_kind(gen.MP3_HEADER) == "mp3"
    assert audio_kind(b"RIFF\x00\x00\x00\x00WAVE") == "wav"
    assert audio_kind(b"OggS\x00") == "ogg"
    assert audio_kind(b"fLaC") == "flac"
    assert audio_kind(b"\x00\x00\x00\x18ftypM4A ") == "m4a"
    assert audio_kind(b"<html>") is None


def test_each_vendors_reader_is_chosen_for_its_export():
    shapes = {
        "google": gen.google_takeout,
        "amazon": gen.amazon_export,
        "apple": gen.apple_export,
        "microsoft": gen.microsoft_export,
        "generic": gen.generic_export,
    }
    for vendor, builder in shapes.items():
        data, _ = build(builder)
        assert choose(Source(data)).vendor == vendor


def test_transcripts_are_kept_only_when_the_person_asks():
    data, _ = build(gen.amazon_export, n=20, stranger=0)
    assert "transcripts_kept" not in analyse(data)
    data.seek(0)
    kept = analyse(data, keep_transcripts=True)["transcripts_kept"]
    assert kept and kept[0]["text"].startswith("alexa")


def test_a_bare_excel_workbook_is_read_as_one_table():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Timestamp", "Device Name", "Transcript"])
    sheet.append(["2026-03-01T10:00:00Z", "Echo", "hello"])
    out = io.BytesIO()
    book.save(out)
    report = analyse(out.getvalue(), name="history.xlsx")
    assert report["interactions"] == 1
    assert zipfile.is_zipfile(io.BytesIO(out.getvalue()))


def test_the_zip_directory_is_read_in_chunks_as_zipfile_reads_it(monkeypatch):
    from cases.exports import archive

    data, _ = build(gen.amazon_export, n=60, stranger=10)
    monkeypatch.setattr(archive._LazyZip, "_CHUNK", 97)  # records straddle every chunk
    source = Source(data)
    ours = [(m.name, m.size, m.info.header_offset, m.info.CRC) for m in source.members]
    theirs = [
        (i.filename, i.file_size, i.header_offset, i.CRC)
        for i in zipfile.ZipFile(data).infolist()
        if not i.is_dir()
    ]
    assert ours == theirs and source.count == len(theirs)
    data.seek(0)
    assert analyse(data)["interactions"] == 60


def test_a_damaged_zip_directory_is_reported_as_damaged():
    data, _ = build(gen.google_takeout, n=5)
    raw = bytearray(data.getvalue())
    at = raw.rfind(b"PK\x01\x02")
    raw[at : at + 4] = b"XXXX"
    with pytest.raises(errors.DamagedArchive):
        analyse(bytes(raw))
