"""Evidence: uploads judged by content, stored privately with their SHA-256, served only to
those who may see the case, always as a download."""

from __future__ import annotations

import hashlib
import io
import wave
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cases import services, uploads
from cases.exceptions import CaseError
from cases.models import CaseEvent, EventKind, Evidence
from tests.factories import CaseFactory, EvidenceFactory, IncidentFactory, UserFactory

pytestmark = pytest.mark.usefixtures("isolated_cache")


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format=fmt)
    return out.getvalue()


def wav_bytes() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 80)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("recordings/0001.wav", wav_bytes())
    return out.getvalue()


EML = (
    b"From: privacy@vendor.example\r\nTo: anna@example.org\r\nSubject: Your data request\r\n"
    b"Date: Mon, 3 May 2027 10:00:00 +0000\r\n\r\nPlease find your data attached.\r\n"
)

ACCEPTED = [
    ("answer.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf"),
    ("screen.png", image_bytes("PNG"), "image/png"),
    ("screen.jpg", image_bytes("JPEG"), "image/jpeg"),
    ("screen.gif", image_bytes("GIF"), "image/gif"),
    ("screen.webp", image_bytes("WEBP"), "image/webp"),
    ("clip.wav", wav_bytes(), "audio/wav"),
    (
        "clip.mp3",
        b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 64,
        "audio/mpeg",
    ),
    ("clip2.mp3", b"\xff\xfb\x90\x64" + b"\x00" * 64, "audio/mpeg"),
    ("clip.ogg", b"OggS\x00\x02" + b"\x00" * 40, "audio/ogg"),
    ("export.zip", zip_bytes(), "application/zip"),
    ("notes.txt", "Réponse reçue le 3 mai.\n".encode(), "text/plain"),
    ("notes", b"no extension, plain text\n", "text/plain"),
    ("activity.csv", b"date,utterance\n2027-05-01,alexa what time is it\n", "text/csv"),
    ("activity.json", b'{"recordings": [{"id": 1, "text": "hello"}]}', "application/json"),
    ("answer.eml", EML, "message/rfc822"),
]


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED)
def test_the_sniffer_recognises_each_accepted_kind_by_its_content(name, content, content_type):
    assert uploads.sniff(io.BytesIO(content), name).content_type == content_type


def test_the_sniffer_ignores_a_misleading_extension_for_binary_formats():
    assert uploads.sniff(io.BytesIO(image_bytes("PNG")), "report.pdf") is uploads.PNG


REFUSED = [
    ("page.pdf", b"<html><script>alert(1)</script></html>"),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
    ("photo.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
    ("program.exe", b"\x7fELF\x02\x01\x01\x00"),
    ("latin1.txt", b"caf\xe9 cr\xe8me"),
    ("nul.txt", b"text with a \x00 byte"),
    ("broken.json", b'{"recordings": [1, 2'),
    ("ragged.csv", b"a,b,c\n1,2\n"),
    ("single.csv", b"just one column\nanother\n"),
    ("empty.txt", b""),
    ("damaged.zip", b"PK\x03\x04 this is not really a zip"),
    ("notmail.eml", b"just some words, no headers at all"),
    ("document.docx.html", b"<p>hello</p>"),
]


@pytest.mark.parametrize(("name", "content"), REFUSED)
def test_the_sniffer_refuses_what_is_not_an_accepted_kind(name, content):
    with pytest.raises(uploads.UnsupportedFile):
        uploads.sniff(io.BytesIO(content), name)


@pytest.mark.parametrize(
    ("given", "kind", "expected"),
    [
        ("../../etc/passwd", uploads.TEXT, "passwd.txt"),
        ("C:\\Users\\anna\\answer.pdf", uploads.PDF, "answer.pdf"),
        ("answer.PDF", uploads.PDF, "answer.pdf"),
        ("photo.jpeg", uploads.JPEG, "photo.jpeg"),
        ("evil.html", uploads.PNG, "evil.html.png"),
        ('a<b>c:"d|e?*.txt', uploads.TEXT, "a_b_c_d_e_.txt"),
        ("line\nbreak\r.txt", uploads.TEXT, "line_break_.txt"),
        ("...hidden.txt", uploads.TEXT, "hidden.txt"),
        ("", uploads.PDF, "file.pdf"),
        ("x" * 300 + ".pdf", uploads.PDF, "x" * 116 + ".pdf"),
    ],
)
def test_file_names_are_made_safe_and_match_the_content(given, kind, expected):
    assert uploads.safe_filename(given, kind) == expected


# --- The service -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_evidence_is_stored_privately_under_a_random_name_with_its_sha256(settings):
    case = CaseFactory(sent=True)
    content = image_bytes("PNG")
    upload = SimpleUploadedFile("../Screenshot 2027-05-03.png", content, content_type="text/html")
    evidence = services.evidence_add(
        case=case, actor=case.requester, upload=upload, description="the app's history"
    )
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.size == len(content)
    assert evidence.content_type == "image/png"  # from the content, not from the browser
    assert evidence.original_name == "Screenshot 2027-05-03.png"
    stored = Path(evidence.file.path)
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT))
    assert "Screenshot" not in stored.name
    assert stored.read_bytes() == content
    event = CaseEvent.objects.get(case=case, kind=EventKind.EVIDENCE_ADDED)
    assert event.data["sha256"] == evidence.sha256
    assert event.data["evidence_id"] == evidence.pk
    assert event.actor == case.requester


@pytest.mark.django_db
def test_evidence_larger_than_the_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 10
    case = CaseFactory(sent=True)
    with pytest.raises(CaseError) as error:
        services.evidence_add(
            case=case, actor=None, upload=SimpleUploadedFile("a.txt", b"more than ten bytes")
        )
    assert error.value.field == "file"
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_evidence_cannot_point_at_another_cases_incident():
    case = CaseFactory(sent=True)
    other = IncidentFactory()
    with pytest.raises(CaseError) as error:
        services.evidence_add(
            case=case, actor=None, upload=SimpleUploadedFile("a.txt", b"hello"), incident=other
        )
    assert error.value.field == "incident"


@pytest.mark.django_db
def test_a_file_whose_row_cannot_be_written_leaves_nothing_in_storage(settings, monkeypatch):
    case = CaseFactory(sent=True)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(CaseEvent, "record", broken)
    with pytest.raises(RuntimeError):
        services.evidence_add(case=case, actor=None, upload=SimpleUploadedFile("a.txt", b"hello"))
    assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*"))


# --- The pages -------------------------------------------------------------------------------


def upload_url(case) -> str:
    return reverse("cases:case_evidence", args=[case.pk])


@pytest.mark.django_db
def test_uploading_evidence_from_the_case_page_lists_it_with_its_hash(client):
    case = CaseFactory(sent=True)
    client.force_login(case.requester)
    content = b"Dear customer, please find attached your data.\n"
    response = client.post(
        upload_url(case),
        {"file": SimpleUploadedFile("answer.txt", content), "description": "the answer"},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(case=case)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "answer.txt" in page and evidence.sha256 in page
    assert reverse("cases:evidence_download", args=[case.pk, evidence.pk]) in page


@pytest.mark.django_db
def test_an_upload_over_the_limit_is_never_stored_and_the_form_says_why(client, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    case = CaseFactory(sent=True)
    client.force_login(case.requester)
    response = client.post(upload_url(case), {"file": SimpleUploadedFile("big.txt", b"a" * 5000)})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_evidence_file_error"' in page and "larger than the limit" in page
    assert not Evidence.objects.exists()
    assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*"))


@pytest.mark.django_db
def test_a_disguised_file_is_refused_next_to_the_field(client, settings):
    case = CaseFactory(sent=True)
    client.force_login(case.requester)
    disguised = SimpleUploadedFile(
        "answer.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client.post(upload_url(case), {"file": disguised})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_evidence_file_error"' in page and "not accepted" in page
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_uploading_without_a_file_says_so(client):
    case = CaseFactory(sent=True)
    client.force_login(case.requester)
    response = client.post(upload_url(case), {"description": "forgot the file"})
    assert "Choose a file to upload." in response.content.decode()


@pytest.mark.django_db
def test_evidence_can_be_tied_to_an_incident_of_the_case(client):
    case = CaseFactory(sent=True)
    incident = IncidentFactory(case=case)
    client.force_login(case.requester)
    client.post(
        upload_url(case),
        {"file": SimpleUploadedFile("export.zip", zip_bytes()), "incident": str(incident.pk)},
    )
    assert Evidence.objects.get().incident == incident


@pytest.mark.django_db
def test_evidence_is_served_as_a_download_with_a_safe_type(client):
    evidence = EvidenceFactory(original_name="answer.txt")
    client.force_login(evidence.case.requester)
    response = client.get(reverse("cases:evidence_download", args=[evidence.case.pk, evidence.pk]))
    assert response.status_code == 200
    assert (
        b"".join(response.streaming_content) == b"Dear customer, please find attached your data.\n"
    )
    assert response["Content-Disposition"] == 'attachment; filename="answer.txt"'
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_stored_type_outside_the_accepted_list_is_served_as_octet_stream(client):
    evidence = EvidenceFactory(content_type="text/html")
    client.force_login(evidence.case.requester)
    response = client.get(reverse("cases:evidence_download", args=[evidence.case.pk, evidence.pk]))
    assert response["Content-Type"] == "application/octet-stream"


@pytest.mark.django_db
def test_another_persons_evidence_is_a_404_whichever_case_it_is_asked_through(client):
    mine = CaseFactory(sent=True)
    theirs = EvidenceFactory()
    client.force_login(mine.requester)
    assert (
        client.get(reverse("cases:evidence_download", args=[theirs.case.pk, theirs.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("cases:evidence_download", args=[mine.pk, theirs.pk])).status_code == 404
    )


@pytest.mark.django_db
def test_no_url_serves_the_media_folder(client):
    evidence = EvidenceFactory()
    client.force_login(UserFactory(superuser=True))
    assert client.get(f"/media/{evidence.file.name}").status_code == 404
    assert client.get(f"/{evidence.file.name}").status_code == 404
