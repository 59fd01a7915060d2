"""Right after filing, the case page shows the letter being prepared, and the page's script swaps
in the letter once it is ready (issue 16.8). The browser side: tests/test_browser_newcomer.py."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, Letter, LetterKind, LetterStatus
from tests.factories import UserFactory, VendorFactory

# Each test files requests: rate-limit counts start at zero.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def file_request(client, person) -> Case:
    vendor = VendorFactory(name="Amazon", slug="amazon", countries=[])
    response = client.post(
        reverse("cases:request_details", args=[vendor.slug]),
        {
            "requester_name": "Alice Newcomer",
            "requester_email": person.email,
            "requester_country": "LU",
            "account_identifiers": person.email,
            "requested_items": ["audio"],
            "language": "en",
        },
    )
    case = Case.objects.get(requester=person)
    assert response.url == reverse("cases:case_detail", args=[case.pk])
    return case


def letters_section(html: str) -> str:
    return html[
        html.index('<section id="letters"') : html.index(
            "</section>", html.index('<section id="letters"')
        )
    ]


def test_filing_a_request_queues_its_letter_and_the_page_says_it_is_being_prepared(client):
    person = UserFactory()
    client.force_login(person)
    case = file_request(client, person)
    letter = Letter.objects.get(case=case)
    assert letter.kind == LetterKind.ACCESS_REQUEST and letter.status == LetterStatus.QUEUED

    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    section = letters_section(html)
    assert "No letter yet" not in section
    assert "Your letter is being prepared…" in section
    poll = reverse("cases:letter_status", args=[case.pk, letter.pk])
    assert f'data-poll="{poll}"' in section
    # The page polls with a static script (no inline script: the CSP allows none) ...
    assert re.search(r'<script src="[^"]*/js/letters\.js" defer></script>', section)
    assert not re.search(r"<script>", section)
    # ... and without JavaScript it reloads itself and offers a link.
    assert "<noscript>" in section and "Reload the page" in section


def test_the_fragment_shows_the_letter_once_rendered_and_only_to_who_may_see_the_case(client):
    person = UserFactory()
    client.force_login(person)
    case = file_request(client, person)
    letter = Letter.objects.get(case=case)
    url = reverse("cases:letter_status", args=[case.pk, letter.pk])

    queued = client.get(url)
    assert queued.status_code == 200
    assert "no-cache" in queued["Cache-Control"] or "max-age=0" in queued["Cache-Control"]
    assert b"data-poll" in queued.content and "being prepared…" in queued.content.decode()

    assert services.letter_render(letter_id=letter.pk)
    ready = client.get(url).content.decode()
    assert "data-poll" not in ready
    assert reverse("cases:letter_download", args=[case.pk, letter.pk]) in ready

    page = letters_section(
        client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    )
    assert "being prepared" not in page and "letters.js" not in page

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_case_with_no_letter_still_says_no_letter_yet(client):
    person = UserFactory()
    client.force_login(person)
    case = file_request(client, person)
    Letter.objects.filter(case=case).delete()
    section = letters_section(
        client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    )
    assert "No letter yet" in section and "being prepared" not in section
