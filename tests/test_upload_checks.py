"""Upload type checks answer with the domain error (UnsupportedFile) and nothing else, whatever
the bytes: a property test fuzzes every check, and the two inputs that once gave HTTP 500 are
refused on the web form and the API."""

from __future__ import annotations

import contextlib
import html
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import uploads
from cases.models import Evidence
from tests.api_helpers import headers, organisation_case, organisation_key
from tests.factories import CaseFactory, OrganisationFactory

DEEP_JSON = b"[" * 100_000
# One field over csv's limit of 131,072 characters.
WIDE_CSV = b"a,b\n" + b"x" * 140_000 + b",y\n"


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("recordings/0001.txt", "hello")
        archive.writestr("données/é.json", "{}")
    return out.getvalue()


ZIP = _zip()
MAGIC = [
    b"%PDF-",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBP",
    b"RIFF\x00\x00\x00\x00WAVE",
    b"ID3",
    b"\xff\xfb",
    b"OggS",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"MZ",
    b"\x7fELF",
    b"\xef\xbb\xbf",
]
EXTENSIONS = [
    ".pdf", ".png", ".jpg", ".gif", ".webp", ".wav", ".mp3", ".ogg", ".zip", ".txt", ".csv",
    ".json", ".eml", "", ".exe", ".svg", ".html", ".docx", ".PDF", ".Json",
]  # fmt: skip

names = st.builds(
    lambda stem, extension: stem + extension,
    st.text(max_size=12),
    st.sampled_from(EXTENSIONS),
)

deep_nesting = st.builds(
    lambda opener, depth, tail: (opener * depth + tail).encode(),
    st.sampled_from(["[", '{"a":', '[{"a":[', "[" + " " * 3]),
    st.integers(min_value=500, max_value=120_000),
    st.sampled_from(["", "1", "]", "]]]"]),
)
wide_csv = st.builds(
    lambda width, quote, tail: (quote + "x" * width + quote + ",y\n" + tail).encode(),
    st.integers(min_value=100_000, max_value=300_000),
    st.sampled_from(["", '"']),
    st.sampled_from(["", "1,2\n", '"unterminated']),
)
csv_like = st.lists(
    st.lists(st.text(alphabet=st.sampled_from('ab,"\r\n\t\\ é'), max_size=8), max_size=5),
    max_size=6,
).map(lambda rows: "\n".join(",".join(row) for row in rows).encode())
mail_like = st.builds(
    lambda headers_, body: ("\r\n".join(headers_) + "\r\n\r\n" + body).encode(),
    st.lists(
        st.builds(
            lambda name, value: f"{name}: {value}",
            st.sampled_from(
                ["From", "To", "Subject", "Date", "Content-Type", "Message-ID", "Received", "X"]
            ),
            st.text(
                alphabet=st.sampled_from('=?utf-8?q?b?<>@"(),;:\\ \t\r\nabc;boundary=é'),
                max_size=40,
            ),
        ),
        max_size=6,
    ),
    st.text(max_size=60),
)
damaged_zip = st.builds(
    lambda cut, flips: bytes(
        (flips.get(i, b) for i, b in enumerate(ZIP[: cut or None])),
    ),
    st.integers(min_value=0, max_value=len(ZIP)),
    st.dictionaries(
        st.integers(min_value=0, max_value=len(ZIP) - 1),
        st.integers(min_value=0, max_value=255),
        max_size=6,
    ),
)
contents = st.one_of(
    st.binary(max_size=512),
    st.builds(lambda magic, rest: magic + rest, st.sampled_from(MAGIC), st.binary(max_size=256)),
    st.text(max_size=256).map(str.encode),
    deep_nesting,
    wide_csv,
    csv_like,
    mail_like,
    damaged_zip,
)

# Each shaped input also comes under the name that sends it to its own parser.
uploaded = st.one_of(
    st.tuples(names, contents),
    st.tuples(st.sampled_from(["a.json", "b.JSON"]), deep_nesting),
    st.tuples(st.sampled_from(["a.csv", "b.CSV"]), st.one_of(wide_csv, csv_like)),
    st.tuples(st.sampled_from(["a.eml", "b.EML"]), mail_like),
    st.tuples(st.sampled_from(["a.zip", "b.pdf", "c"]), damaged_zip),
)

FUZZ = settings(
    max_examples=400,
    deadline=3000,  # ms per example: a check must also stay quick on hostile input
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(upload=uploaded, declared=st.sampled_from(["", "application/pdf", "text/plain", "x/y"]))
def test_sniffing_any_bytes_under_any_name_raises_nothing_but_the_domain_error(upload, declared):
    name, content = upload
    assert uploads.describe_content(io.BytesIO(content))  # words for any bytes
    try:
        kind = uploads.sniff(io.BytesIO(content), name, declared)
    except uploads.UnsupportedFile as error:
        assert str(error)  # a message for the person, never empty
    else:
        assert kind in uploads.KINDS


@FUZZ
@given(content=contents)
def test_each_text_format_check_raises_nothing_but_the_domain_error(content):
    text = content.decode("utf-8", errors="replace")
    for check in (uploads._check_csv, uploads._check_json):
        with contextlib.suppress(uploads.UnsupportedFile):
            check(text)
    for check in (uploads._check_eml, uploads._check_zip):
        file = io.BytesIO(content)
        with contextlib.suppress(uploads.UnsupportedFile):
            check(file)
        assert file.tell() == 0  # the next reader starts at the beginning


@FUZZ
@given(name=st.text(max_size=400), kind=st.sampled_from([None, *uploads.KINDS]))
def test_a_safe_file_name_is_always_produced(name, kind):
    safe = uploads.safe_filename(name, kind)
    assert safe and len(safe) <= 120 and "/" not in safe and "\\" not in safe


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("answer.json", DEEP_JSON, "not valid JSON"),
        ("activity.csv", WIDE_CSV, "not a valid CSV table"),
    ],
)
def test_the_inputs_that_once_crashed_the_checks_are_refused_with_a_reason(name, content, message):
    with pytest.raises(uploads.UnsupportedFile, match=message):
        uploads.sniff(io.BytesIO(content), name)


CRASHERS = [("answer.json", DEEP_JSON), ("activity.csv", WIDE_CSV)]


@pytest.mark.django_db
@pytest.mark.usefixtures("isolated_cache")
@pytest.mark.parametrize(("name", "content"), CRASHERS)
def test_the_web_form_refuses_them_next_to_the_field(client, name, content):
    case = CaseFactory(sent=True)
    client.force_login(case.requester)
    response = client.post(
        reverse("cases:case_evidence", args=[case.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert 'id="id_evidence_file_error"' in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("isolated_cache")
@pytest.mark.parametrize(("name", "content"), CRASHERS)
def test_the_api_refuses_them_with_a_422_on_the_file(client, name, content):
    organisation = OrganisationFactory()
    _key, secret = organisation_key(organisation)
    case = organisation_case(organisation, sent=True)
    response = client.post(
        f"/api/v1/cases/{case.pk}/evidence/",
        data={"file": SimpleUploadedFile(name, content)},
        **headers(secret),
    )
    assert response.status_code == 422  # a well-formed upload that the content check refuses
    assert "file" in response.json()["error"]["fields"]
    assert not Evidence.objects.exists()


# --- What a refused file claims to be, and what it is (issue 16.7) ---------------------------

WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


def refusal(content: bytes, name: str, declared: str = "") -> str:
    with pytest.raises(uploads.UnsupportedFile) as error:
        uploads.sniff(io.BytesIO(content), name, declared)
    return str(error.value)


def test_a_windows_program_named_answer_pdf_is_called_what_it_is():
    message = refusal(WINDOWS_PROGRAM, "answer.pdf", "application/pdf")
    assert message.startswith(
        "Its name says this file is a PDF document (.pdf), but its content is a Windows "
        "program (EXE)."
    )
    assert "not accepted" in message and "UTF-8" not in message


@pytest.mark.parametrize(
    ("content", "name", "claimed", "actual"),
    [
        (b"<!DOCTYPE html><html><script>alert(1)</script>", "answer.pdf", "a PDF document (.pdf)",
         "a web page (HTML)"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 32, "notes.txt", "a text file (.txt)",
         "a Linux program (ELF)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32, "export.json", "a JSON file (.json)",
         "a Microsoft Office document in the old format (DOC, XLS, PPT)"),
        (b"Rar!\x1a\x07\x01\x00" + b"\x00" * 16, "export.zip", "a ZIP archive (.zip)",
         "a compressed archive (RAR)"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 16, "photo.jpg", "a JPEG image (.jpg)",
         "an image (HEIC)"),
        (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 16, "clip.mp3", "an MP3 recording (.mp3)",
         "a video (MP4)"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "chart.png",
         "a PNG image (.png)", "an image (SVG)"),
        (b"\x00\x01\x02\x03\x80\x81\xfe", "table.csv", "a CSV table (.csv)", "binary data"),
        (b"caf\xe9 cr\xe8me br\xfbl\xe9e", "notes.txt", "a text file (.txt)",
         "text in an encoding other than UTF-8"),
        (b"Dear customer, your data.", "answer.pdf", "a PDF document (.pdf)", "plain text"),
    ],
)  # fmt: skip
def test_a_refusal_says_what_the_name_claims_and_what_the_content_is(
    content, name, claimed, actual
):
    assert refusal(content, name).startswith(
        f"Its name says this file is {claimed}, but its content is {actual}."
    )


def test_without_a_telling_name_the_declared_type_is_what_the_file_claims():
    assert refusal(WINDOWS_PROGRAM, "answer", "application/pdf").startswith(
        "This file was sent as a PDF document, but its content is a Windows program (EXE)."
    )


def test_a_name_of_a_kind_not_accepted_gets_what_the_content_is():
    message = refusal(WINDOWS_PROGRAM, "setup.exe", "application/x-msdownload")
    assert message.startswith("By its content, this file is a Windows program (EXE).")
    assert "not accepted" in message


def test_text_under_a_wrong_name_is_told_how_to_upload_it():
    assert refusal(b"Dear customer, your data.", "answer.pdf").endswith(
        "To upload it as text, give it a name ending in .txt."
    )
    assert refusal(b"caf\xe9", "notes.txt").endswith("Save it in UTF-8 and upload it again.")


@pytest.mark.django_db
@pytest.mark.usefixtures("isolated_cache")
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Its name says this file is a PDF document (.pdf), but its content is a Windows "
               "program (EXE)."),
        ("fr", "Son nom annonce un document PDF (.pdf), mais il contient un programme Windows "
               "(EXE)."),
        ("de", "Dem Namen nach ist diese Datei ein PDF-Dokument (.pdf), dem Inhalt nach aber "
               "ein Windows-Programm (EXE)."),
    ],
)  # fmt: skip
def test_the_web_form_says_it_in_the_persons_language(client, language, expected):
    case = CaseFactory(sent=True)
    client.force_login(case.requester)
    client.cookies["django_language"] = language
    response = client.post(
        reverse("cases:case_evidence", args=[case.pk]),
        {"file": SimpleUploadedFile("answer.pdf", WINDOWS_PROGRAM, "application/pdf")},
    )
    assert response.status_code == 200
    assert html.escape(expected) in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("isolated_cache")
def test_the_api_says_it_on_the_file_field(client):
    organisation = OrganisationFactory()
    _key, secret = organisation_key(organisation)
    case = organisation_case(organisation, sent=True)
    response = client.post(
        f"/api/v1/cases/{case.pk}/evidence/",
        data={"file": SimpleUploadedFile("answer.pdf", WINDOWS_PROGRAM, "application/pdf")},
        **headers(secret),
    )
    assert response.status_code == 422
    [message] = response.json()["error"]["fields"]["file"]
    assert message.startswith(
        "Its name says this file is a PDF document (.pdf), but its content is a Windows "
        "program (EXE)."
    )
