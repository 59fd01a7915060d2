"""The export generator builds what it says: valid zips in each vendor's shape, real MP3 frames,
the same bytes every time, and bad inputs that are bad in the way they claim."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from mutagen.mp3 import MP3

from tests import make_exports as gen


def _build(builder, **kwargs) -> tuple[bytes, gen.Truth]:
    out = io.BytesIO()
    truth = builder(out, **kwargs)
    return out.getvalue(), truth


def test_a_generated_mp3_is_read_by_an_audio_library_with_its_length():
    import random

    data = gen.mp3_bytes(2.0, random.Random(1))
    info = MP3(io.BytesIO(data)).info
    assert info.sample_rate == 16000
    assert abs(info.length - 2.0) < 0.05


def test_the_generator_is_deterministic():
    first, _ = _build(gen.amazon_export, n=20, stranger=5)
    second, _ = _build(gen.amazon_export, n=20, stranger=5)
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_a_google_takeout_has_its_index_and_the_audio_beside_it():
    data, truth = _build(gen.google_takeout, n=30, missing=2, extra=1)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert gen.GOOGLE_DIR + "MyActivity.json" in names
    assert sum(n.endswith(".mp3") for n in names) == truth.audio == 29
    assert truth.missing_audio == 2 and truth.unindexed_audio == 1


def test_an_amazon_export_holds_another_households_device():
    _, truth = _build(gen.amazon_export, n=50, stranger=10)
    assert truth.devices[gen.STRANGER_DEVICE] == 10
    assert truth.profiles[gen.STRANGER_PROFILE] == 10


def test_the_bad_inputs_are_bad():
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(gen.not_a_zip()))
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(gen.truncated_zip()))
    archive = zipfile.ZipFile(io.BytesIO(gen.encrypted_zip()))
    assert all(info.flag_bits & 0x1 for info in archive.infolist())
    bomb = io.BytesIO()
    gen.zip_bomb(bomb, megabytes=8)
    info = zipfile.ZipFile(bomb).infolist()[0]
    assert info.file_size / info.compress_size > 500


def test_a_huge_json_is_written_without_holding_it():
    out = io.BytesIO()
    entries = gen.huge_json(out, megabytes=2)
    assert out.tell() >= 2 << 20 and entries > 1000
