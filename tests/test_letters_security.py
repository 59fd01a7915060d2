"""Letters hold what users typed. Typed markup must come out as text, and nothing in a letter
may make the renderer read a local file or reach the network: a local HTTP server listens for
any request the renderer would make, and must hear none."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from cases import services
from cases.letters.render import DataOnlyURLFetcher, ResourceRefused, render_pdf
from cases.models import LetterKind, LetterStatus, Status
from tests.factories import (
    AuthorityFactory,
    CaseFactory,
    EvidenceFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")

# A 1x1 transparent PNG: data: URLs are the one kind of resource a letter may use.
PIXEL = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


class Listener:
    """An HTTP server on a free loopback port that records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # the name http.server calls
                listener.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { color: red }")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def payload(self, where: str) -> str:
        """Markup that would fetch a local file and the listener four ways, under 200 characters
        so that it fits every field."""
        base = f"http://127.0.0.1:{self.port}"
        return (
            f'{where} <img src="file:///etc/passwd"><link rel=stylesheet href="{base}/l">'
            f"<style>@import url({base}/i)</style><b style=background:url({base}/b)>x</b>"
        )


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def test_the_fetcher_serves_data_urls_and_refuses_everything_else():
    fetcher = DataOnlyURLFetcher()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "https://example.org/x.css",
        "ftp://example.org/x",
    ):
        with pytest.raises(ResourceRefused):
            fetcher(url)


def test_raw_markup_reaches_no_file_and_no_server_but_data_urls_still_load(listener):
    html = (
        "<html><head>"
        f'<link rel="stylesheet" href="http://127.0.0.1:{listener.port}/sheet.css">'
        f"<style>@import url(http://127.0.0.1:{listener.port}/import.css);"
        f" body {{ background: url(http://127.0.0.1:{listener.port}/bg.png) }}</style>"
        "</head><body>"
        '<p>Hello</p><img src="file:///etc/passwd">'
        f'<img src="http://127.0.0.1:{listener.port}/img.png"><img src="passwd">'
        f'<object data="http://127.0.0.1:{listener.port}/object"></object>'
        f'<img src="{PIXEL}">'
        "</body></html>"
    )
    pdf = render_pdf(html)
    assert listener.requests == []
    text = pdf_text(pdf)
    assert "Hello" in text and "root:" not in text
    assert b"/Subtype /Image" in pdf  # the data: image was drawn


def hostile_case(listener: Listener):
    """A case where every field a user types holds markup pointing at a file and the listener."""
    cnpd = AuthorityFactory(slug="lucnpd")
    vendor = VendorFactory(name="Amazon", lead_authority=cnpd)
    user = UserFactory(email="mallory@example.org")
    case = CaseFactory(
        requester=user,
        vendor=vendor,
        status=Status.DRAFT,
        requester_name=listener.payload("name"),
        requester_address=f"{listener.payload('address')}\nL-1741 Luxembourg",
        account_identifiers=listener.payload("identifiers"),
        device_serials=listener.payload("serials"),
        vendor_reference=listener.payload("reference"),
    )
    with time_machine.travel(datetime(2027, 8, 31, 12, tzinfo=BRUSSELS)):
        services.case_mark_sent(case=case, actor=user, sent_on=date(2027, 8, 31), channel="email")
    with time_machine.travel(datetime(2027, 10, 5, 12, tzinfo=BRUSSELS)):
        services.case_record_response(
            case=case,
            actor=user,
            received_on=date(2027, 10, 5),
            missing_items=["audio"],
            note=listener.payload("note"),
        )
        incident = services.incident_record(
            case=case,
            actor=user,
            kind="misdirected_export",
            discovered_on=date(2027, 10, 5),
            records_affected=3,
            data_categories=[listener.payload("category")],
            description=listener.payload("description"),
        )
        # Somebody else's data that reached the person: what a breach report is about.
        services.incident_record(
            case=case,
            actor=user,
            kind="misdirected_export",
            side="others_data",
            discovered_on=date(2027, 10, 5),
            records_affected=1700,
            data_categories=[listener.payload("category")],
            description=listener.payload("description"),
        )
        EvidenceFactory(
            case=case,
            incident=incident,
            original_name=listener.payload("file"),
            description=listener.payload("evidence"),
        )
    case.refresh_from_db()
    return case, cnpd, incident


@pytest.mark.parametrize("kind", [k.value for k in LetterKind])
def test_what_users_typed_comes_out_as_text_and_fetches_nothing(listener, kind):
    case, cnpd, incident = hostile_case(listener)
    with time_machine.travel(datetime(2027, 10, 26, 12, tzinfo=BRUSSELS)):
        letter = services.letter_request(
            case=case,
            actor=case.requester,
            kind=kind,
            authority=cnpd if kind in (LetterKind.COMPLAINT, LetterKind.BREACH_REPORT) else None,
            incident=incident if kind == LetterKind.INCIDENT_NOTICE else None,
        )
        assert services.letter_render(letter_id=letter.pk) is True
    letter.refresh_from_db()
    assert letter.status == LetterStatus.READY
    assert listener.requests == []

    text = pdf_text(letter.pdf.read())
    assert '<img src="file:///etc/passwd">' in text
    assert f'<link rel=stylesheet href="http://127.0.0.1:{listener.port}/l">' in text
    assert f"<style>@import url(http://127.0.0.1:{listener.port}/i)</style>" in text
    assert f"<b style=background:url(http://127.0.0.1:{listener.port}/b)>x</b>" in text
    assert "root:" not in text
    typed = {
        "access_request": ["name", "address", "identifiers", "serials", "reference"],
        "reminder": ["name", "address", "reference"],
        "incident_notice": ["name", "category", "description", "file", "evidence"],
        "complaint": ["name", "note", "category", "description", "file", "evidence"],
        "breach_report": ["name", "category", "description"],
    }[kind]
    for where in typed:
        assert f'{where} <img src="file:///etc/passwd"><link' in text, where
    assert '<img src="file:///etc/passwd">' in letter.rendered_text
