"""Erasure (GDPR Art. 17): once a person deletes their account, no column of any table in the
database, and no file in private storage, still holds their name, e-mail, postal address, phone
or identifiers. The audit trail keeps that something happened, and when, without saying to whom
or what."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    Case,
    CaseEvent,
    IdempotencyRecord,
    Letter,
    MandateScope,
    Membership,
    WebhookDelivery,
    WebhookEvent,
)
from tests.api_helpers import headers, organisation_key, personal_key
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.usefixtures("isolated_cache"),
]

PASSWORD = "Erasure-passphrase-2027"
TODAY = timezone.localdate

ALICE = {
    "name": "Alicja Zweistein-Erasure",
    "email": "alicja.zweistein@example.org",
    "address": ["17 Rue des Érables", "L-1234 Luxembourg"],
    "phone": "+352 621 555 019",
    "account": "Customer ID AZX-99887766",
    "serial": "G090XQ55511122",
}
BOB = {
    "name": "Bartholomew Quaxley",
    "email": "b.quaxley@example.net",
    "address": ["Lindenstraße 99", "10115 Berlin"],
    "phone": "+49 30 5550 1234",
    "account": "Google account bquaxley.assistant",
    "serial": "NEST-7Q2W-9E8R",
}
# Somebody who stays: the scan must still find her, or it proves nothing.
CARLA = "Carla Kontrollarbeiterin"


def strings_of(person: dict) -> list[str]:
    return [person["name"], person["email"], *person["address"], person["phone"],
            person["account"], person["serial"]]  # fmt: skip


def text_columns() -> list[tuple[str, str]]:
    """Every text, varchar, char, json and jsonb column of every table in the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
            ORDER BY 1, 2
            """
        )
        return cursor.fetchall()


def hits(needle: str) -> list[str]:
    """table.column for each row, anywhere in the database, whose text holds `needle`."""
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            where = f'strpos(lower("{column}"::text), lower(%s)) > 0'
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE {where}', [needle])
            found += [f"{table}.{column}"] * cursor.fetchone()[0]
    return found


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def file_mentions(root: Path, needles: list[str]) -> list[str]:
    found = []
    for path in files_under(root):
        data = path.read_bytes().lower()
        found += [
            f"{path.name}: {needle}"
            for needle in needles
            if needle.lower().encode() in data or needle.lower() in path.name.lower()
        ]
    return found


def file_case(client, person: dict, vendor, organisation=None) -> Case:
    user = person["user"]
    with set_actor(user):
        case = services.case_create(
            requester=user,
            vendor=vendor,
            requester_name=person["name"],
            requester_email=person["email"],
            requester_country="LU",
            requester_address="\n".join([*person["address"], person["phone"]]),
            account_identifiers=person["account"],
            device_serials=person["serial"],
        )
        services.case_mark_sent(
            case=case, actor=user, sent_on=TODAY() - timedelta(days=40), channel="email"
        )
        services.case_record_response(
            case=case, actor=user, received_on=TODAY(), missing_items=["recipients"]
        )
        services.incident_record(
            case=case,
            actor=user,
            kind="misdirected_export",
            discovered_on=TODAY(),
            description=f"The export sent to {person['name']} ({person['email']}) was a "
            f"stranger's; my serial {person['serial']}.",
        )
    # Evidence through the web form, so that the audit trail records the person as actor.
    client.force_login(user)
    response = client.post(
        reverse("cases:case_evidence", args=[case.pk]),
        {
            "file": SimpleUploadedFile(
                f"answer for {person['name']}.txt",
                f"Dear {person['name']}, {person['account']}\n".encode(),
            ),
            "description": f"Answer to {person['email']}",
        },
    )
    assert response.status_code == 302
    letter = services.letter_request(case=case, actor=user, kind="access_request")
    assert services.letter_render(letter_id=letter.pk) is True
    return case


@pytest.fixture
def world(client, settings):
    vendor = VendorFactory()
    organisation = OrganisationFactory()
    admin = MembershipFactory(
        organisation=organisation,
        role=Membership.Role.ADMIN,
        user=UserFactory(full_name=CARLA, email="carla.kontrolle@example.org"),
    ).user
    services.webhook_endpoint_create(
        organisation=organisation,
        actor=admin,
        url="http://127.0.0.1:9/hooks",
        event_types=["case.created", "response.recorded", "incident.recorded", "letter.ready"],
    )
    alice = {**ALICE, "user": UserFactory(email=ALICE["email"], full_name=ALICE["name"])}
    bob = {**BOB, "user": UserFactory(email=BOB["email"], full_name=BOB["name"])}
    for person in (alice, bob):
        person["user"].set_password(PASSWORD)
        person["user"].save()

    # Alice, a consumer: her own case, and a second one filed with her personal API key.
    alice_case = file_case(client, alice, vendor)
    _key, secret = personal_key(alice["user"])
    for _attempt in range(2):  # a retry: the stored answer is replayed
        response = client.post(
            "/api/v1/cases/",
            data=json.dumps(
                {
                    "vendor": vendor.pk,
                    "requester_name": ALICE["name"],
                    "requester_email": ALICE["email"],
                    "requester_country": "LU",
                    "requester_address": "\n".join(ALICE["address"]),
                    "account_identifiers": ALICE["account"],
                }
            ),
            content_type="application/json",
            **headers(secret, HTTP_IDEMPOTENCY_KEY="alice-1"),
        )
        assert response.status_code == 201, response.content

    # Bob, the organisation's client: his case under a mandate, worked on by the organisation.
    bob_case = file_case(client, bob, vendor)
    with set_actor(bob["user"]):
        services.mandate_grant(
            case=bob_case,
            actor=bob["user"],
            organisation=organisation,
            scope=[s.value for s in MandateScope],
        )
    with set_actor(admin):
        services.case_assign(case=bob_case, actor=admin, organisation=organisation, assignee=admin)
        services.case_note_add(
            case=bob_case, actor=admin, organisation=organisation,
            body=f"Called {BOB['name']} on {BOB['phone']}; {CARLA} follows up.",
        )  # fmt: skip
        services.invitation_create(
            organisation=organisation, actor=admin, email=BOB["email"], role="viewer"
        )
    _org_key, org_secret = organisation_key(organisation)
    response = client.post(
        f"/api/v1/cases/{bob_case.pk}/incidents/",
        data=json.dumps(
            {
                "kind": "other_breach",
                "discovered_on": TODAY().isoformat(),
                "description": f"{BOB['name']} heard someone else's recordings.",
            }
        ),
        content_type="application/json",
        **headers(org_secret, HTTP_IDEMPOTENCY_KEY="bob-incident"),
    )
    assert response.status_code == 201, response.content
    client.logout()
    return {
        "alice": alice,
        "bob": bob,
        "alice_case": alice_case,
        "bob_case": bob_case,
        "organisation": organisation,
    }


def delete_account(client, user, django_capture_on_commit_callbacks) -> None:
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:account_delete"), {"confirm": PASSWORD})
    assert response.status_code == 302


def test_deleting_the_accounts_leaves_no_trace_of_either_person_anywhere(
    client, settings, world, django_capture_on_commit_callbacks
):
    media = Path(settings.MEDIA_ROOT)
    # The world is rich, and the scan sees it: every string is somewhere before.
    for person in (ALICE, BOB):
        for needle in strings_of(person):
            assert hits(needle), f"{needle!r} was never stored: the scan proves nothing"
    assert any("auditlog_logentry" in hit for hit in hits(BOB["name"]))
    assert WebhookDelivery.objects.filter(event__case=world["bob_case"]).exists()
    assert IdempotencyRecord.objects.count() == 2
    assert Letter.objects.filter(case=world["alice_case"]).exclude(pdf="").exists()
    assert file_mentions(media, [ALICE["name"], BOB["name"]])
    # Another browser still signed in as Alice.
    other_browser = client.__class__()
    other_browser.force_login(world["alice"]["user"])
    assert Session.objects.count() >= 1
    trail = set(
        LogEntry.objects.filter(
            additional_data__case_id__in=[world["alice_case"].pk, world["bob_case"].pk]
        ).values_list("pk", flat=True)
    )

    delete_account(client, world["alice"]["user"], django_capture_on_commit_callbacks)
    delete_account(client, world["bob"]["user"], django_capture_on_commit_callbacks)

    leftovers = {needle: hits(needle) for p in (ALICE, BOB) for needle in strings_of(p)}
    assert {needle: found for needle, found in leftovers.items() if found} == {}
    assert file_mentions(media, strings_of(ALICE) + strings_of(BOB)) == []
    assert files_under(media) == []  # only these two people ever uploaded or had letters
    assert not Session.objects.exists()
    assert not IdempotencyRecord.objects.exists()
    assert not WebhookEvent.objects.exists()
    assert not CaseEvent.objects.exists()
    # The trail stays, pseudonymised: what happened and when, not to whom.
    kept = LogEntry.objects.filter(pk__in=trail)
    assert kept.count() == len(trail)
    assert set(kept.values_list("object_repr", flat=True)) == {"(erased)"}
    assert not kept.exclude(changes=None).exists()
    assert not kept.exclude(actor=None).exists()
    # Those who stay are still there, and so is their trail.
    assert hits(CARLA)
    assert LogEntry.objects.filter(object_repr__contains="carla.kontrolle@example.org").exists()
    assert world["organisation"].memberships.filter(user__full_name=CARLA).exists()


def test_a_caseworker_who_leaves_keeps_the_trail_of_their_work_without_their_name(
    client, world, django_capture_on_commit_callbacks
):
    caseworker = MembershipFactory(
        organisation=world["organisation"],
        role=Membership.Role.CASEWORKER,
        user=UserFactory(full_name="Wilhelmina Werkstudent", password=PASSWORD),
    ).user
    bob_case = world["bob_case"]
    with set_actor(caseworker):
        services.case_assign(
            case=bob_case, actor=caseworker, organisation=world["organisation"],
            assignee=caseworker,
        )  # fmt: skip
    entry = LogEntry.objects.filter(actor=caseworker).latest("pk")
    assert entry.actor_email == caseworker.email

    delete_account(client, caseworker, django_capture_on_commit_callbacks)

    entry.refresh_from_db()
    assert entry.actor_id is None and entry.actor_email is None
    assert entry.changes and "assignee" in entry.changes  # the work stays on Bob's case
    assert hits(caseworker.email) == [] and hits("Wilhelmina Werkstudent") == []
    assert Case.objects.filter(pk=bob_case.pk).exists()


def test_erasing_one_case_leaves_nothing_of_it(world, django_capture_on_commit_callbacks):
    case = world["alice_case"]
    with django_capture_on_commit_callbacks(execute=True):
        services.case_erase(case=case)
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not CaseEvent.objects.filter(case_id=case.pk).exists()
    assert (
        not LogEntry.objects.filter(additional_data__case_id=case.pk)
        .exclude(object_repr="(erased)")
        .exists()
    )
    assert not hits(ALICE["serial"])
