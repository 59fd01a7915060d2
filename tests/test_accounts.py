"""Accounts: registration with e-mail verification, login, languages, rate limits, and the
person's own data: export everything, delete everything."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse

from cases import ratelimit
from cases.models import Case, CaseEvent, Deadline, Evidence, Letter, User
from tests.factories import (
    CaseEventFactory,
    CaseFactory,
    DeadlineFactory,
    EvidenceFactory,
    IncidentFactory,
    LetterFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

PASSWORD = "a long and unusual passphrase 42"


def register(client, email="anna@example.org", password=PASSWORD, confirm=None, **extra):
    return client.post(
        reverse("cases:register"),
        {"email": email, "password1": password, "password2": confirm or password, **extra},
    )


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


# --- Registration and verification -----------------------------------------------------------


def test_registering_opens_an_account_that_works_at_once_and_sends_a_verification_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = register(client, email="Anna@Example.ORG")
    user = User.objects.get()
    assert user.email == "anna@example.org"
    assert user.check_password(PASSWORD)
    assert user.email_verified_at is None
    assert response.status_code == 302 and response.url == reverse("cases:my_cases")
    # Logged in straight away: unverified people can file and follow.
    assert client.get(reverse("cases:my_cases")).status_code == 200
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["anna@example.org"]
    assert "/account/verify/" in link_in(mailoutbox[0])


def test_the_verification_link_confirms_the_address_once_and_the_banner_goes(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(client)
    banner = "Please confirm your e-mail address"
    assert banner in client.get(reverse("cases:my_cases")).content.decode()
    link = link_in(mailoutbox[0])
    response = client.get(link)
    assert response.status_code == 302
    assert User.objects.get().email_verified_at is not None
    assert banner not in client.get(reverse("cases:my_cases")).content.decode()
    # The link has done its work and no longer does anything.
    assert client.get(link).status_code == 400


def test_a_tampered_verification_link_is_refused(client):
    user = UserFactory()
    from cases.services.accounts import verification_url

    url = verification_url(user)
    response = client.get(url[:-4] + "abc/")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_new_verification_link_can_be_asked_for(client, mailoutbox):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("cases:verification_resend"), {"next": "/cases/"})
    assert response.status_code == 302 and response.url == "/cases/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]


def test_the_verification_e_mail_is_written_in_the_persons_language(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    client.cookies["django_language"] = "de"
    with django_capture_on_commit_callbacks(execute=True):
        register(client)
    assert User.objects.get().language == "de"
    assert len(mailoutbox) == 1


def test_an_address_that_already_has_an_account_is_refused_next_to_the_field(client):
    UserFactory(email="anna@example.org")
    response = register(client, email="ANNA@example.org")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_email_error"' in page and "already exists" in page
    assert User.objects.count() == 1


def test_a_weak_password_is_refused_next_to_the_field(client):
    response = register(client, password="password")
    page = response.content.decode()
    assert 'id="id_password1_error"' in page and "too common" in page
    assert not User.objects.exists()


def test_two_different_passwords_are_refused_next_to_the_second(client):
    response = register(client, confirm="something else entirely 42")
    assert 'id="id_password2_error"' in response.content.decode()
    assert not User.objects.exists()


def test_registration_goes_back_where_it_came_from_but_never_off_site(client):
    response = register(client, next="https://evil.example/steal")
    assert response.url == reverse("cases:my_cases")


@pytest.fixture
def window_start():
    """Counts are kept per fixed window (`ratelimit.hit_limit`): a test that counts several
    attempts starts at the top of an hour, the start of every window it uses, so that no window
    ends half-way through it (the counts would start again from zero)."""
    with time_machine.travel(datetime(2026, 12, 3, 10, tzinfo=UTC), tick=True):
        yield


@pytest.mark.usefixtures("window_start")
def test_registering_is_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": "2/3600"}
    register(client, email="a@example.org")
    client.logout()
    register(client, email="b@example.org")
    client.logout()
    response = register(client, email="c@example.org")
    assert response.status_code == 429
    assert User.objects.count() == 2


# --- Logging in and out ----------------------------------------------------------------------


def test_logging_in_with_the_e_mail_address_in_any_case(client):
    user = UserFactory(email="ben@example.org", password=PASSWORD)
    response = client.post(
        reverse("cases:login"), {"username": "Ben@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302 and response.url == reverse("cases:my_cases")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_wrong_password_says_so_without_telling_whether_the_account_exists(client):
    UserFactory(email="ben@example.org", password=PASSWORD)
    wrong = client.post(reverse("cases:login"), {"username": "ben@example.org", "password": "x"})
    unknown = client.post(reverse("cases:login"), {"username": "no@example.org", "password": "x"})
    message = "This e-mail address and password do not match an account."
    assert message in wrong.content.decode() and message in unknown.content.decode()


@pytest.mark.usefixtures("window_start")
def test_logging_in_is_rate_limited_per_address_and_per_client(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/300"}
    UserFactory(email="ben@example.org", password=PASSWORD)
    for _ in range(3):
        client.post(reverse("cases:login"), {"username": "ben@example.org", "password": "x"})
    response = client.post(
        reverse("cases:login"), {"username": "ben@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # From another address the owner gets in: the limit is per address and per (account,
    # address), never per account alone, so nobody can lock an account out (issue 15.5).
    other = client.__class__(REMOTE_ADDR="10.9.8.7")
    assert (
        other.post(
            reverse("cases:login"), {"username": "ben@example.org", "password": PASSWORD}
        ).status_code
        == 302
    )


@pytest.mark.redis
def test_rate_limit_counts_live_in_redis_so_every_process_shares_them(settings, redis_cache):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/60"}
    from django.core.cache import caches

    assert ratelimit.hit("login", "ip:192.0.2.1").allowed
    caches["default"].close()
    # A new connection, as another worker process would have, sees the same count.
    settings.CACHES = {**settings.CACHES}
    assert ratelimit.hit("login", "ip:192.0.2.1").allowed
    assert not ratelimit.hit("login", "ip:192.0.2.1").allowed


def test_a_broken_cache_does_not_lock_people_out(unreachable_cache):
    assert ratelimit.hit("login", "ip:192.0.2.1").allowed


def test_logging_out_takes_a_post(client):
    client.force_login(UserFactory())
    assert client.get(reverse("cases:logout")).status_code == 405
    response = client.post(reverse("cases:logout"))
    assert response.status_code == 302 and response.url == reverse("cases:landing")
    assert "_auth_user_id" not in client.session


def test_logging_in_brings_the_accounts_language_to_the_browser(client):
    UserFactory(email="ben@example.org", password=PASSWORD, language="de")
    response = client.post(
        reverse("cases:login"), {"username": "ben@example.org", "password": PASSWORD}
    )
    assert response.cookies["django_language"].value == "de"


def test_a_language_picked_before_logging_in_is_kept_on_the_account(client):
    user = UserFactory(email="ben@example.org", password=PASSWORD, language="de")
    client.cookies["django_language"] = "fr"
    client.post(reverse("cases:login"), {"username": "ben@example.org", "password": PASSWORD})
    user.refresh_from_db()
    assert user.language == "fr"


def test_a_forgotten_password_can_be_replaced_through_an_e_mailed_link(client, mailoutbox):
    user = UserFactory(email="ben@example.org", password=PASSWORD)
    response = client.post(reverse("cases:password_reset"), {"email": "ben@example.org"})
    assert response.url == reverse("cases:password_reset_done")
    link = link_in(mailoutbox[0])
    response = client.get(link, follow=True)
    new = "another long passphrase 77"
    client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    user.refresh_from_db()
    assert user.check_password(new)


def test_the_reset_link_points_at_site_url_whatever_host_the_request_named(
    client, mailoutbox, settings
):
    settings.SITE_URL = "https://dsar.example.org"
    settings.ALLOWED_HOSTS = ["attacker.example", "dsar.example.org"]
    UserFactory(email="ben@example.org", password=PASSWORD)
    response = client.post(
        reverse("cases:password_reset"), {"email": "ben@example.org"}, HTTP_HOST="attacker.example"
    )
    assert response.status_code == 302
    link = link_in(mailoutbox[0])
    assert link.startswith("https://dsar.example.org/account/password/reset/")
    assert "attacker.example" not in mailoutbox[0].body


# --- The person's own data -------------------------------------------------------------------


def exported(client) -> zipfile.ZipFile:
    response = client.post(reverse("cases:account_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_export_holds_everything_about_the_person_and_nothing_about_others(client):
    user = UserFactory(full_name="Anna Muller")
    case = CaseFactory(requester=user, sent=True, device_serials="G090XG1234567")
    CaseEventFactory(case=case, note="sent by e-mail")
    DeadlineFactory(case=case)
    IncidentFactory(case=case, records_affected=1700)
    evidence = EvidenceFactory(case=case, original_name="answer.txt")
    letter = LetterFactory(case=case, rendered_text="Dear Sir or Madam")
    letter.pdf.save("letter.pdf", ContentFile(b"%PDF-1.7 letter"))
    # Somebody else's case, and a case the person only sees through their organisation.
    CaseFactory(requester_name="Somebody Else")
    membership = MembershipFactory(user=user)
    CaseFactory(organisation=membership.organisation, requester_name="A Member Of The Public")
    client.force_login(user)

    archive = exported(client)
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == user.email
    assert data["account"]["memberships"][0]["organisation"] == membership.organisation.name
    assert "password" not in json.dumps(data["account"])
    assert [c["id"] for c in data["cases"]] == [case.pk]
    record = data["cases"][0]
    assert record["device_serials"] == "G090XG1234567"
    assert record["events"][0]["note"] == "sent by e-mail"
    assert record["deadlines"] and record["incidents"][0]["records_affected"] == 1700
    assert record["letters"][0]["text"] == "Dear Sir or Madam"
    assert archive.read(record["letters"][0]["file"]) == b"%PDF-1.7 letter"
    assert record["evidence"][0]["sha256"] == evidence.sha256
    assert archive.read(record["evidence"][0]["file"]) == evidence.file.open("rb").read()
    assert "README.txt" in archive.namelist()
    assert "Somebody Else" not in archive.read("data.json").decode()
    assert "A Member Of The Public" not in archive.read("data.json").decode()


def test_the_export_of_a_person_without_cases_still_holds_their_account(client):
    user = UserFactory()
    client.force_login(user)
    data = json.loads(exported(client).read("data.json"))
    assert data["account"]["email"] == user.email and data["cases"] == []


def test_deleting_the_account_needs_the_password(client):
    user = UserFactory(password=PASSWORD)
    client.force_login(user)
    response = client.post(reverse("cases:account_delete"), {"confirm": "wrong"})
    assert response.status_code == 200
    assert 'id="id_confirm_error"' in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_the_account_removes_its_cases_and_their_files_from_storage(
    client, settings, django_capture_on_commit_callbacks
):
    user = UserFactory(password=PASSWORD)
    case = CaseFactory(requester=user, sent=True)
    CaseEventFactory(case=case)
    DeadlineFactory(case=case)
    evidence = EvidenceFactory(case=case)
    letter = LetterFactory(case=case)
    letter.pdf.save("letter.pdf", ContentFile(b"%PDF-1.7 letter"))
    files = [Path(evidence.file.path), Path(letter.pdf.path)]
    kept = EvidenceFactory()  # somebody else's
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:account_delete"), {"confirm": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("cases:landing")
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not CaseEvent.objects.filter(case_id=case.pk).exists()
    assert not Deadline.objects.filter(case_id=case.pk).exists()
    assert not Evidence.objects.filter(case_id=case.pk).exists()
    assert not Letter.objects.filter(case_id=case.pk).exists()
    assert not any(path.exists() for path in files)
    assert not (Path(settings.MEDIA_ROOT) / "evidence" / str(case.pk)).exists()
    assert Path(kept.file.path).exists()
    assert "_auth_user_id" not in client.session


def test_an_account_without_a_password_is_deleted_by_typing_its_address(client):
    user = UserFactory(email="nopass@example.org")
    client.force_login(user)
    client.post(reverse("cases:account_delete"), {"confirm": "NoPass@example.org"})
    assert not User.objects.filter(pk=user.pk).exists()


def test_the_account_page_offers_export_and_deletion(client):
    user = UserFactory()
    CaseFactory(requester=user)
    client.force_login(user)
    page = client.get(reverse("cases:account")).content.decode()
    assert reverse("cases:account_export") in page
    assert reverse("cases:account_delete") in page
    assert "1 case" in page


def test_a_session_signed_in_before_the_membership_backend_existed_stays_signed_in(client):
    user = UserFactory()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("cases:my_cases")).status_code == 200


def test_a_wrong_password_is_checked_once_not_once_per_backend(client, monkeypatch):
    UserFactory(email="carl@example.org", password=PASSWORD)
    checks = []
    original = User.check_password
    monkeypatch.setattr(
        User, "check_password", lambda self, raw: checks.append(raw) or original(self, raw)
    )
    response = client.post(
        reverse("cases:login"), {"username": "carl@example.org", "password": "not it"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert checks == ["not it"]
