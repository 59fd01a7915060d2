"""The domain model: status transitions, database constraints, the admin, and seed_bench."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core import checks
from django.core.management import call_command
from django.db import IntegrityError, models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.exceptions import InvalidTransition
from cases.mail.pipeline import message_ingest
from cases.models import (
    ALLOWED_TRANSITIONS,
    AppendOnlyError,
    Authority,
    BulkJob,
    Campaign,
    Case,
    CaseEvent,
    CaseNote,
    Deadline,
    DeadlineKind,
    DeadlineState,
    EventKind,
    Evidence,
    InboundMessage,
    Incident,
    IncidentKind,
    Invitation,
    Letter,
    LetterKind,
    MailboxState,
    Mandate,
    Membership,
    MessageSource,
    Organisation,
    Reminder,
    Status,
    User,
    Vendor,
)
from tests.factories import (
    AuthorityFactory,
    BulkJobFactory,
    CampaignFactory,
    CaseEventFactory,
    CaseFactory,
    CaseNoteFactory,
    DeadlineFactory,
    EvidenceFactory,
    IncidentFactory,
    InvitationFactory,
    LetterFactory,
    MandateFactory,
    MembershipFactory,
    ReminderFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db

ALLOWED = sorted(
    (source, target) for source, targets in ALLOWED_TRANSITIONS.items() for target in targets
)
REFUSED = sorted(
    (source, target)
    for source, target in itertools.product(Status.values, Status.values)
    if target not in ALLOWED_TRANSITIONS[source]
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """admin_client's superuser gets a real password; MD5 keeps that from costing a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Status transitions ----------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=[f"{s}->{t}" for s, t in ALLOWED])
def test_every_allowed_transition_moves_the_case_to_the_new_status(source: str, target: str):
    case = CaseFactory(status=source)

    case.transition_to(target)
    case.save(update_fields=["status"])

    case.refresh_from_db()
    assert case.status == target


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=[f"{s}->{t}" for s, t in REFUSED])
def test_a_transition_outside_the_table_is_refused_and_leaves_the_status_alone(
    source: str, target: str
):
    case = Case(status=source)

    with pytest.raises(InvalidTransition):
        case.transition_to(target)

    assert case.status == source
    assert not case.can_transition_to(target)


def test_a_refused_transition_says_which_status_cannot_become_which():
    case = Case(status=Status.DRAFT)

    with pytest.raises(InvalidTransition) as refused:
        case.transition_to(Status.ANSWERED)

    message = str(refused.value.message)
    assert "draft" in message
    assert "answered" in message
    assert refused.value.code == "invalid_transition"


@pytest.mark.parametrize("target", Status.values)
def test_a_closed_case_cannot_move_anywhere(target: str):
    case = Case(status=Status.CLOSED)

    with pytest.raises(InvalidTransition):
        case.transition_to(target)

    assert not case.is_open


def test_every_status_has_an_entry_in_the_transition_table_and_every_target_is_a_status():
    assert set(ALLOWED_TRANSITIONS) == set(Status.values)
    for targets in ALLOWED_TRANSITIONS.values():
        assert targets <= set(Status.values)
    assert ALLOWED_TRANSITIONS[Status.CLOSED] == frozenset()


def test_every_open_status_can_reach_closed():
    for status in Status.values:
        if status != Status.CLOSED:
            assert Status.CLOSED in ALLOWED_TRANSITIONS[status], status


# --- Constraints the database enforces -------------------------------------------------------


def refused_by_the_database(create: Callable[[], Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_a_case_received_before_it_was_sent_is_refused():
    refused_by_the_database(
        lambda: CaseFactory(sent_on=date(2027, 3, 10), received_on=date(2027, 3, 9))
    )


def test_a_case_received_but_never_sent_is_refused():
    refused_by_the_database(lambda: CaseFactory(sent_on=None, received_on=date(2027, 3, 9)))


def test_a_case_received_the_day_it_was_sent_is_accepted():
    case = CaseFactory(sent_on=date(2027, 3, 10), received_on=date(2027, 3, 10))
    assert case.pk


def test_a_case_with_an_unknown_status_is_refused():
    refused_by_the_database(lambda: CaseFactory(status="lost_in_the_post"))


def test_a_case_has_one_deadline_per_key():
    deadline = DeadlineFactory(kind=DeadlineKind.RESPONSE)
    refused_by_the_database(lambda: DeadlineFactory(case=deadline.case, kind=DeadlineKind.RESPONSE))


def test_deadlines_of_one_kind_with_different_keys_may_coexist():
    first = DeadlineFactory(kind=DeadlineKind.ADMONITION, key="admonition-1")
    DeadlineFactory(case=first.case, kind=DeadlineKind.ADMONITION, key="admonition-2")
    assert first.case.deadlines.count() == 2


def test_a_deadline_has_one_reminder_per_offset():
    reminder = ReminderFactory(offset_days=-7)
    refused_by_the_database(lambda: ReminderFactory(deadline=reminder.deadline, offset_days=-7))


def test_a_user_is_a_member_of_an_organisation_once():
    membership = MembershipFactory()
    refused_by_the_database(
        lambda: MembershipFactory(user=membership.user, organisation=membership.organisation)
    )


def test_an_incident_cannot_occur_after_it_was_discovered():
    refused_by_the_database(
        lambda: IncidentFactory(occurred_on=date(2027, 5, 2), discovered_on=date(2027, 5, 1))
    )


def test_an_incident_may_have_no_known_occurrence_date():
    assert IncidentFactory(occurred_on=None).pk


def test_a_letter_has_one_row_per_case_kind_and_version():
    letter = LetterFactory()
    refused_by_the_database(lambda: LetterFactory(case=letter.case, kind=letter.kind, version=1))
    assert LetterFactory(case=letter.case, kind=letter.kind, version=2).pk


def test_an_authority_country_in_lower_case_is_refused():
    refused_by_the_database(lambda: AuthorityFactory(country="lu"))


def test_a_vendor_country_in_lower_case_is_refused():
    refused_by_the_database(lambda: VendorFactory(country="ie"))


def test_a_case_event_cannot_be_changed_once_written():
    event = CaseEventFactory(note="as written")
    event.note = "rewritten"

    with pytest.raises(AppendOnlyError):
        event.save()

    event.refresh_from_db()
    assert event.note == "as written"


def test_a_case_event_cannot_be_deleted():
    event = CaseEventFactory()

    with pytest.raises(AppendOnlyError):
        event.delete()

    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_case_event_record_writes_one_row_without_an_anonymous_actor():
    case = CaseFactory()

    event = CaseEvent.record(case, None, EventKind.NOTE, on=date(2027, 1, 4), note="called")

    assert event.pk and event.actor is None
    assert list(case.events.values_list("kind", flat=True)) == [EventKind.NOTE]


def test_create_user_stores_the_email_in_lower_case():
    user = User.objects.create_user("Anna.Muller@Example.ORG", "a-long-pass-phrase")

    assert user.email == "anna.muller@example.org"
    assert user.check_password("a-long-pass-phrase")
    assert not user.is_staff and not user.is_superuser


def test_create_user_requires_an_email():
    with pytest.raises(ValueError, match="e-mail"):
        User.objects.create_user("", "a-long-pass-phrase")


def test_create_superuser_makes_a_staff_superuser():
    user = User.objects.create_superuser("root@example.org", "a-long-pass-phrase")

    assert user.is_staff and user.is_superuser


def test_two_users_cannot_share_an_email():
    User.objects.create_user("anna@example.org")
    refused_by_the_database(lambda: User.objects.create_user("Anna@example.org"))


def test_every_user_gets_a_different_calendar_token():
    assert UserFactory().calendar_token != UserFactory().calendar_token


# --- The admin -------------------------------------------------------------------------------


def full_case() -> Case:
    """A case with a row in every inline, so that the change page renders each of them."""
    case = MandateFactory(case=CaseFactory(sent=True)).case
    CaseEventFactory(case=case, kind=EventKind.SENT, data={"channel": "email"})
    deadline = DeadlineFactory(case=case)
    ReminderFactory(deadline=deadline)
    incident = IncidentFactory(case=case)
    EvidenceFactory(case=case, incident=incident)
    LetterFactory(case=case, kind=LetterKind.COMPLAINT)
    return case


INSTANCE_MAKERS: dict[type[models.Model], Callable[[], models.Model]] = {
    User: lambda: UserFactory(full_name="Anna Muller"),
    Group: lambda: Group.objects.create(name="Caseworkers"),
    Organisation: lambda: MembershipFactory().organisation,
    Membership: MembershipFactory,
    Authority: AuthorityFactory,
    Vendor: VendorFactory,
    Case: full_case,
    CaseEvent: lambda: full_case().events.first(),
    Deadline: lambda: full_case().deadlines.first(),
    Reminder: lambda: Reminder.objects.get(deadline__case=full_case()),
    Incident: lambda: full_case().incidents.first(),
    Evidence: lambda: full_case().evidence.first(),
    Letter: lambda: full_case().letters.first(),
    Mandate: lambda: full_case().mandates.first(),
    Invitation: InvitationFactory,
    Campaign: CampaignFactory,
    CaseNote: CaseNoteFactory,
    BulkJob: BulkJobFactory,
    LogEntry: lambda: LogEntry.objects.get_for_object(full_case()).first(),
    InboundMessage: lambda: message_ingest(
        raw=b"From: privacy@vendor.example\r\nTo: me@example.org\r\nSubject: Your request"
        b"\r\nDate: Mon, 1 Mar 2027 10:00:00 +0000\r\n\r\nWe have received your request.\r\n",
        source=MessageSource.UPLOAD,
        case=full_case(),
    ),
    MailboxState: lambda: MailboxState.objects.create(name="INBOX"),
}
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(model: type[models.Model], page: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def test_the_admin_configuration_passes_the_system_checks():
    assert checks.run_checks(tags=[checks.Tags.admin]) == []


def test_every_registered_model_has_an_instance_maker_for_these_tests():
    assert set(REGISTERED) <= set(INSTANCE_MAKERS), "add the new model to INSTANCE_MAKERS"


@pytest.mark.parametrize("model", REGISTERED, ids=[m._meta.label for m in REGISTERED])
def test_a_superuser_can_open_the_list_search_and_change_pages_of_every_model(
    model: type[models.Model], admin_client: Client, admin_user: User, rf: Any
):
    instance = INSTANCE_MAKERS[model]()
    model_admin = admin.site._registry[model]

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    if model_admin.search_fields:
        response = admin_client.get(admin_url(model, "changelist"), {"q": "1"})
        assert response.status_code == 200
    assert admin_client.get(admin_url(model, "change", instance.pk)).status_code == 200

    request = rf.get("/admin/")
    request.user = admin_user
    if model_admin.has_add_permission(request):
        assert admin_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize(
    "model", [CaseEvent, Deadline, Reminder, Letter, Mandate, Invitation, CaseNote, BulkJob]
)
def test_the_timeline_and_derived_rows_are_read_only_in_the_admin(
    model: type[models.Model], admin_client: Client
):
    instance = INSTANCE_MAKERS[model]()

    assert admin_client.get(admin_url(model, "add")).status_code == 403
    assert admin_client.get(admin_url(model, "delete", instance.pk)).status_code == 403
    response = admin_client.post(admin_url(model, "change", instance.pk), {})
    assert response.status_code == 403
    assert model.objects.filter(pk=instance.pk).exists()


def test_the_case_admin_does_not_let_staff_change_the_status_by_hand(admin_client: Client):
    case = full_case()

    response = admin_client.get(admin_url(Case, "change", case.pk))

    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert "received_on" not in form.fields
    assert "organisation" not in form.fields
    assert "requester_name" in form.fields
    assert admin_client.get(admin_url(Case, "add")).status_code == 403


def change_form_data(response: Any) -> dict[str, Any]:
    """What a browser would post back from an admin change page, unchanged."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def test_staff_can_correct_a_requester_name_and_an_incident_in_the_case_admin(
    admin_client: Client,
):
    case = full_case()
    url = admin_url(Case, "change", case.pk)
    data = change_form_data(admin_client.get(url))
    data["requester_name"] = "Anna Müller-Schmit"
    data["incidents-0-records_affected"] = "1701"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    case.refresh_from_db()
    assert case.requester_name == "Anna Müller-Schmit"
    assert case.incidents.get().records_affected == 1701
    assert case.events.count() == 1  # the timeline is untouched


def test_the_admin_leaves_the_dates_that_drive_clocks_to_the_services(admin_client: Client):
    case = full_case()
    incident = case.incidents.get()
    for url in (admin_url(Case, "change", case.pk), admin_url(Incident, "change", incident.pk)):
        response = admin_client.get(url)
        forms = [response.context["adminform"].form] + [
            form for inline in response.context["inline_admin_formsets"] for form in inline.formset
        ]
        editable = {name for form in forms for name in form.fields}
        assert "records_affected" in editable
        assert not editable & {"discovered_on", "reported_to_vendor_on", "authority_notified_on"}


def test_the_overdue_filter_lists_open_unpaused_deadlines_whose_day_has_passed(
    admin_client: Client,
):
    today = timezone.localdate()
    overdue = DeadlineFactory(due_on=today - timedelta(days=1))
    DeadlineFactory(due_on=today - timedelta(days=1), state=DeadlineState.MET)
    DeadlineFactory(due_on=today - timedelta(days=1), paused_since=today - timedelta(days=9))
    DeadlineFactory(due_on=today)

    response = admin_client.get(admin_url(Deadline, "changelist"), {"overdue": "yes"})
    cases = admin_client.get(admin_url(Case, "changelist"), {"overdue": "yes"})

    assert [d.pk for d in response.context["cl"].result_list] == [overdue.pk]
    assert [c.pk for c in cases.context["cl"].result_list] == [overdue.case_id]


def test_the_user_admin_creates_an_account_with_a_lower_case_email(admin_client: Client):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "New.Member@Example.ORG",
            "usable_password": "true",
            "password1": "violet-harbour-1842",
            "password2": "violet-harbour-1842",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.member@example.org")
    assert user.check_password("violet-harbour-1842")


def test_the_user_admin_refuses_an_email_that_differs_only_in_case(admin_client: Client):
    UserFactory(email="anna@example.org")

    response = admin_client.post(
        admin_url(User, "add"),
        {"email": "ANNA@example.org", "usable_password": "false"},
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors


# --- seed_bench ------------------------------------------------------------------------------


@pytest.fixture
def directory() -> list[Vendor]:
    vendors = VendorFactory.create_batch(4)
    vendors.append(VendorFactory(voice_assistant=False))
    return vendors


def seed(**options: Any) -> str:
    out = StringIO()
    call_command("seed_bench", stdout=out, **options)
    return out.getvalue()


def fingerprint(cases: Any = None) -> list[tuple[Any, ...]]:
    """What a run decides, case by case, leaving out the requesters (each run has its own)."""
    cases = (cases if cases is not None else Case.objects.all()).order_by("pk")
    return [
        (
            *values,
            tuple(
                CaseEvent.objects.filter(case=pk).values_list("kind", "occurred_on", "recorded_at")
            ),
            tuple(Deadline.objects.filter(case=pk).values_list("key", "due_on", "state", "met_on")),
        )
        for pk, *values in cases.values_list(
            "pk",
            "vendor_id",
            "organisation_id",
            "status",
            "outcome",
            "channel",
            "sent_on",
            "received_on",
            "created_at",
            "closed_at",
        )
    ]


def test_seed_bench_creates_the_cases_with_their_timeline_and_clocks_in_few_queries(
    directory: list[Vendor], django_assert_max_num_queries: Any
):
    # Per-row inserts would take several hundred queries for 200 cases.
    with django_assert_max_num_queries(60):
        output = seed(cases=200, seed=1)

    assert Case.objects.count() == 200
    assert "200 cases" in output
    assert CaseEvent.objects.filter(kind=EventKind.CREATED).count() == 200
    assert CaseEvent.objects.filter(kind=EventKind.SENT).exists()
    assert Deadline.objects.filter(state=DeadlineState.MET).exists()
    assert Deadline.objects.filter(state=DeadlineState.MISSED).exists()
    assert Case.objects.filter(organisation__isnull=False).exists()
    assert Organisation.objects.count() == 3
    assert len(set(Case.objects.values_list("status", flat=True))) >= 4
    assert set(Case.objects.values_list("vendor", flat=True)) <= {v.pk for v in directory}


def test_seed_bench_data_is_consistent(directory: list[Vendor]):
    seed(cases=300, seed=7)
    today = timezone.localdate()

    assert not CaseEvent.objects.filter(occurred_on__gt=today).exists()
    assert not Case.objects.filter(received_on__isnull=False, deadlines__isnull=True).exists()
    for deadline in Deadline.objects.all():
        assert deadline.key == deadline.kind
        offsets = sorted(deadline.reminders.values_list("offset_days", flat=True))
        reminded = deadline.state == DeadlineState.OPEN and deadline.paused_since is None
        assert offsets == ([-7, 0, 1] if reminded else [])
        assert (deadline.met_on is not None) == (deadline.state == DeadlineState.MET)
    local = timezone.get_current_timezone()
    for reminder in Reminder.objects.select_related("deadline")[:50]:
        send_at = timezone.localtime(reminder.send_at, local)
        assert (send_at.hour, send_at.minute) == (9, 0)
        assert send_at.date() == reminder.deadline.due_on + timedelta(days=reminder.offset_days)
    for case in Case.objects.filter(status=Status.CLOSED):
        assert case.closed_at is not None
    for case in Case.objects.filter(status=Status.DRAFT):
        assert case.sent_on is None
    in_organisation = Case.objects.filter(organisation__isnull=False)
    assert set(Mandate.objects.active().values_list("case", "organisation")) == set(
        in_organisation.values_list("pk", "organisation")
    )
    paused = Deadline.objects.filter(paused_since__isnull=False)
    assert set(paused.values_list("case__status", flat=True)) <= {Status.PAUSED_FOR_IDENTITY}


def test_seed_bench_records_incidents_on_a_few_percent_of_the_cases(directory: list[Vendor]):
    seed(cases=1000, seed=3)

    incidents = Incident.objects.count()
    assert 10 <= incidents <= 60
    assert set(Incident.objects.values_list("kind", flat=True)) <= set(IncidentKind.values)
    assert CaseEvent.objects.filter(kind=EventKind.INCIDENT_RECORDED).count() == incidents


def test_a_second_run_with_the_same_seed_adds_the_same_cases_for_new_requesters(
    directory: list[Vendor],
):
    seed(cases=200, seed=1)
    first_ids = list(Case.objects.values_list("pk", flat=True))
    first_requesters = set(Case.objects.values_list("requester", flat=True))

    seed(cases=200, seed=1)

    second = Case.objects.exclude(pk__in=first_ids)
    assert second.count() == 200
    assert fingerprint(second) == fingerprint(Case.objects.filter(pk__in=first_ids))
    assert not first_requesters & set(second.values_list("requester", flat=True))
    assert Organisation.objects.count() == 3


def test_seed_bench_writes_the_same_rows_through_copy_and_through_bulk_create(
    directory: list[Vendor],
):
    # On PostgreSQL the first run uses COPY, the second bulk_create; elsewhere both bulk_create.
    seed(cases=150, seed=4)
    first_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))

    seed(cases=150, seed=4, no_copy=True)

    copied = fingerprint(Case.objects.filter(pk__in=first_ids))
    created = fingerprint(Case.objects.exclude(pk__in=first_ids))
    assert created == copied
    assert Reminder.objects.filter(deadline__case__in=first_ids).count() * 2 == (
        Reminder.objects.count()
    )


def test_a_bench_caseworker_sees_the_cases_mandated_to_their_organisation(
    directory: list[Vendor],
):
    from cases.selectors import cases_visible_to

    seed(cases=200, seed=6)
    membership = Membership.objects.select_related("user", "organisation").first()

    visible = cases_visible_to(membership.user)

    assert set(visible) == set(Case.objects.filter(organisation=membership.organisation))


def test_seed_bench_loads_the_reference_directory_when_no_vendor_exists(monkeypatch: Any):
    from cases.management.commands import seed_bench

    loaded: list[str] = []

    def fake_call_command(name: str, **options: Any) -> None:
        loaded.append(name)
        VendorFactory()

    monkeypatch.setattr(seed_bench, "call_command", fake_call_command)

    seed(cases=5, seed=2)

    assert loaded == ["load_reference"]
    assert Case.objects.count() == 5


def test_seed_bench_creates_requesters_without_usable_passwords(directory: list[Vendor]):
    seed(cases=50, seed=5)

    requesters = User.objects.filter(cases__isnull=False).distinct()
    assert requesters.count() <= 10
    assert not any(user.has_usable_password() for user in requesters)


def test_seed_bench_leaves_the_evidence_and_letters_alone(directory: list[Vendor]):
    seed(cases=20, seed=9)

    assert not Evidence.objects.exists()
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_two_accounts_cannot_differ_only_in_the_case_of_their_email():
    User.objects.create(email="ada@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="Ada@Example.org")
