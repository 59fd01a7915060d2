"""The small things that made the site look unfinished (issue 16.9): one full stop after a name
ending in one, one id per element, one way of writing dates, the meaning of a met deadline, a
favicon, e-mails that greet by name, and the language a person chose winning every time."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import BulkJob, Membership, Reminder, Status
from cases.notifications import reminder_email_send
from cases.services.accounts import user_verification_send
from cases.typography import one_full_stop
from tests.factories import (
    CaseFactory,
    DeadlineFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VendorFactory,
)
from tests.journey_helpers import case_in_status

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- One full stop ---------------------------------------------------------------------------


def test_a_name_ending_in_a_full_stop_takes_no_second_one_but_an_ellipsis_stays():
    assert one_full_stop("goes to Amazon Europe Core S.à r.l..") == (
        "goes to Amazon Europe Core S.à r.l."
    )
    assert one_full_stop("You left Digitale Rechte e.V..") == "You left Digitale Rechte e.V."
    assert one_full_stop("Wait... and see.") == "Wait... and see."
    assert one_full_stop("<p>Rechte e.V..</p>") == "<p>Rechte e.V.</p>"
    # What people type or companies send is shown as it is: a file name, a reference.
    assert one_full_stop("report..pdf and ref AB..12") == "report..pdf and ref AB..12"


def test_pages_write_one_full_stop_after_a_company_name_ending_in_one(client):
    VendorFactory(name="Amazon", legal_name="Amazon Europe Core S.à r.l.", slug="amazon")
    page = text(client.get(reverse("cases:request_new")))
    assert "The request goes to Amazon Europe Core S.à r.l." in page
    assert "S.à r.l.." not in page


def test_messages_write_one_full_stop_after_an_organisation_name_ending_in_one(client):
    org = OrganisationFactory(name="Digitale Rechte e.V.")
    MembershipFactory(organisation=org, role=Membership.Role.ADMIN)
    member = MembershipFactory(organisation=org, role=Membership.Role.CASEWORKER)
    client.force_login(member.user)
    response = client.post(
        reverse("cases:org_member_remove", args=[org.slug, member.pk]), follow=True
    )
    assert "You left Digitale Rechte e.V." in text(response)
    assert "e.V.." not in text(response)


def test_e_mails_write_one_full_stop_after_a_name_ending_in_one(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    # A wording (or a translation) that ends a sentence on the organisation's name.
    (tmp_path / "workspace" / "emails").mkdir(parents=True)
    (tmp_path / "workspace" / "emails" / "invitation_body.txt").write_text(
        "You are invited to join {{ organisation.name }}.\n{{ url }}\n"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    org = OrganisationFactory(name="Digitale Rechte e.V.")
    admin = MembershipFactory(organisation=org, role=Membership.Role.ADMIN).user
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            organisation=org, actor=admin, email="new@example.org", role="viewer"
        )
    body = mail.outbox[-1].body
    assert body.startswith("You are invited to join Digitale Rechte e.V.\n")


# --- One id per element; one way of writing dates ---------------------------------------------


def test_the_dashboard_has_one_element_per_id(client):
    org = OrganisationFactory()
    member = MembershipFactory(organisation=org, role=Membership.Role.CASEWORKER).user
    client.force_login(member)
    page = client.get(reverse("cases:org_dashboard", args=[org.slug])).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert ids.count("id_assignee") == 1
    assert [i for i in set(ids) if ids.count(i) > 1] == []


@pytest.mark.parametrize(
    ("language", "written"),
    [("en", "2 December 2026"), ("fr", "2 décembre 2026"), ("de", "2. Dezember 2026")],
)
def test_bulk_jobs_are_dated_like_every_other_page(client, language, written):
    org = OrganisationFactory()
    member = MembershipFactory(
        organisation=org, role=Membership.Role.CASEWORKER, user__language=language
    ).user
    job = BulkJob.objects.create(
        organisation=org, requested_by=member, kind=BulkJob.Kind.REMINDERS, case_ids=[], total=0
    )
    BulkJob.objects.filter(pk=job.pk).update(
        created_at=datetime(2026, 12, 2, 17, 5, tzinfo=ZoneInfo("Europe/Brussels"))
    )
    client.force_login(member)
    client.cookies["django_language"] = language
    for url in (
        reverse("cases:org_dashboard", args=[org.slug]),
        reverse("cases:org_job", args=[org.slug, job.pk]),
    ):
        page = text(client.get(url))
        assert written in page, url
        assert "02/12/2026" not in page and "02.12.2026" not in page


# --- A met deadline says what it means -------------------------------------------------------


def test_a_met_deadline_says_what_it_means_instead_of_nothing(client):
    case = case_in_status(Status.ANSWERED)
    client.force_login(case.requester)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    cells = re.findall(r'data-label="What it means">([^<]*)</td>', page)
    assert cells and all(cell.strip() for cell in cells)
    assert "Met in time: nothing more to do about this deadline." in cells


# --- Favicon ---------------------------------------------------------------------------------


def test_favicon_ico_is_a_small_static_icon_not_a_404_page(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")
    path = finders.find("img/favicon.ico")
    assert path is not None
    with open(path, "rb") as icon:
        data = icon.read()
    assert data[:4] == b"\x00\x00\x01\x00" and len(data) < 4096  # an ICO file, not a page
    page = client.get(reverse("cases:landing")).content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page


# --- Greetings -------------------------------------------------------------------------------


def _reminder_for(person, **case_fields):
    case = CaseFactory(requester=person, sent=True, **case_fields)
    deadline = DeadlineFactory(case=case)
    return Reminder.objects.create(deadline=deadline, offset_days=0, send_at=timezone.now())


def test_a_reminder_greets_the_person_by_the_name_on_their_request_not_their_address():
    person = UserFactory(email="alice.newcomer@example.org", full_name="")
    reminder_email_send(
        reminder=_reminder_for(person, requester_name="Alice Newcomer"),
        today=timezone.localdate(),
    )
    body = mail.outbox[-1].body
    assert body.startswith("Hello Alice Newcomer,")
    assert "Hello alice.newcomer@example.org" not in body


def test_a_reminder_without_any_name_greets_neutrally():
    person = UserFactory(email="bob@example.org", full_name="", language="fr")
    reminder_email_send(
        reminder=_reminder_for(person, requester_name=" "), today=timezone.localdate()
    )
    assert mail.outbox[-1].body.startswith("Bonjour,")


def test_the_confirmation_e_mail_greets_by_name_when_there_is_one():
    user_verification_send(user=UserFactory(full_name="Dora Datenschutz", email_verified_at=None))
    assert mail.outbox[-1].body.startswith("Hello Dora Datenschutz,")
    user_verification_send(user=UserFactory(full_name="", email_verified_at=None))
    assert mail.outbox[-1].body.startswith("Hello,")


# --- The language a person chose -------------------------------------------------------------


def test_the_language_chosen_in_the_menu_is_the_next_pages_language(client):
    user = UserFactory(language="fr")
    client.force_login(user)
    client.cookies["django_language"] = "fr"
    response = client.post(
        reverse("set_language"),
        {"language": "de", "next": reverse("cases:my_cases")},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.cookies["django_language"].value == "de"
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="de">' in page
    user.refresh_from_db()
    assert user.language == "de"


def test_without_the_cookie_a_signed_in_persons_choice_beats_the_browsers_language(client):
    # A link opened in another browser, or on another host name, has no language cookie.
    user = UserFactory(language="de")
    client.force_login(user)
    response = client.get(reverse("cases:my_cases"), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="de">' in response.content.decode()
    assert response["Content-Language"] == "de"
    # The browser keeps it from now on, so that the pages agree even after logging out.
    assert response.cookies["django_language"].value == "de"


def test_the_choice_made_on_this_browser_wins_over_the_browsers_language(client):
    client.cookies["django_language"] = "de"
    page = client.get(reverse("cases:landing"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="de">' in page
    user = UserFactory(language="fr")
    client.force_login(user)
    page = client.get(reverse("cases:my_cases"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="de">' in page


def test_anonymous_visitors_without_a_choice_get_their_browsers_language(client):
    page = client.get(reverse("cases:landing"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in page
