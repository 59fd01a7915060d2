"""The advocacy workspace: mandates and who sees what, roles, invitations, campaigns, assignment,
notes, bulk jobs, statistics and the audit trail."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services
from cases.exceptions import CaseError, NotPermitted
from cases.models import (
    Article15Item,
    BulkJob,
    Case,
    CaseEvent,
    DeadlineKind,
    DeadlineState,
    EventKind,
    IncidentKind,
    Invitation,
    Letter,
    LetterKind,
    Mandate,
    MandateScope,
    Membership,
    Status,
)
from tasks.workspace import statistics_refresh
from tests.factories import (
    AuthorityFactory,
    CaseEventFactory,
    CaseFactory,
    DeadlineFactory,
    IncidentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db


Role = Membership.Role
ALL_SCOPES = [s.value for s in MandateScope]


@pytest.fixture
def org():
    return OrganisationFactory(slug="privacy-action", name="Privacy Action")


@pytest.fixture
def admin(org):
    return MembershipFactory(organisation=org, role=Role.ADMIN, user__email="admin@pa.org").user


@pytest.fixture
def caseworker(org):
    return MembershipFactory(
        organisation=org, role=Role.CASEWORKER, user__email="worker@pa.org"
    ).user


@pytest.fixture
def viewer(org):
    return MembershipFactory(organisation=org, role=Role.VIEWER, user__email="viewer@pa.org").user


def mandated_case(org, *, scope=None, **case_fields):
    case = CaseFactory(**{"sent": True, **case_fields})
    services.mandate_grant(
        case=case, actor=case.requester, organisation=org, scope=scope or ALL_SCOPES
    )
    case.refresh_from_db()
    return case


def overdue_case(org, **fields):
    """A request the vendor received 40 days ago and has not answered: its clock was missed."""
    today = timezone.localdate()
    case = mandated_case(
        org, sent_on=today - timedelta(days=40), received_on=today - timedelta(days=40), **fields
    )
    DeadlineFactory(case=case, due_on=today - timedelta(days=9), state=DeadlineState.MISSED)
    return case


# --- Mandates and visibility -----------------------------------------------------------------


def test_a_mandate_records_scope_date_consent_version_and_who_gave_it(org, caseworker):
    case = CaseFactory(sent=True)
    mandate = services.mandate_grant(
        case=case, actor=case.requester, organisation=org, scope=[MandateScope.COMPLAINT]
    )
    assert mandate.scope == ["complaint"]
    assert mandate.consent_text_version == "2025-1"
    assert mandate.granted_by == case.requester
    assert mandate.granted_at is not None and mandate.revoked_at is None
    case.refresh_from_db()
    assert case.organisation == org
    assert "Privacy Action" in mandate.consent_text
    assert case.events.filter(kind=EventKind.NOTE, data__mandate="granted").exists()


def test_members_see_a_case_only_while_it_is_mandated_to_their_organisation(org, caseworker):
    case = CaseFactory(sent=True)
    assert not selectors.cases_visible_to(caseworker).filter(pk=case.pk).exists()
    mandate = services.mandate_grant(
        case=case, actor=case.requester, organisation=org, scope=ALL_SCOPES
    )
    assert selectors.cases_visible_to(caseworker).filter(pk=case.pk).exists()
    assert selectors.organisation_cases(org).filter(pk=case.pk).exists()

    services.mandate_revoke(mandate=mandate, actor=case.requester, reason="changed my mind")
    assert not selectors.cases_visible_to(caseworker).filter(pk=case.pk).exists()
    assert not selectors.organisation_cases(org).filter(pk=case.pk).exists()
    # The requester always sees their own case, and the mandate stays on record.
    assert selectors.cases_visible_to(case.requester).filter(pk=case.pk).exists()
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None and mandate.revoked_by == case.requester
    case.refresh_from_db()
    assert case.organisation is None and case.assignee is None


def test_setting_the_organisation_without_a_mandate_shows_the_case_to_nobody_there(org, caseworker):
    case = CaseFactory(sent=True, organisation=org)
    assert not selectors.cases_visible_to(caseworker).filter(pk=case.pk).exists()
    assert not selectors.organisation_cases(org).exists()


def test_members_of_another_organisation_never_see_the_case(org):
    other = MembershipFactory(role=Role.ADMIN).user
    case = mandated_case(org)
    assert not selectors.cases_visible_to(other).filter(pk=case.pk).exists()


def test_only_the_requester_can_give_a_mandate(org, admin):
    case = CaseFactory(sent=True)
    with pytest.raises(NotPermitted):
        services.mandate_grant(case=case, actor=admin, organisation=org, scope=ALL_SCOPES)


def test_a_case_has_at_most_one_active_mandate(org):
    case = mandated_case(org)
    other = OrganisationFactory()
    with pytest.raises(CaseError, match="already acts"):
        services.mandate_grant(
            case=case, actor=case.requester, organisation=other, scope=["remedy"]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.create(
            case=case, organisation=other, scope=["remedy"], consent_text_version="2025-1"
        )


def test_after_revoking_the_requester_may_mandate_another_organisation(org):
    case = mandated_case(org)
    services.mandate_revoke(mandate=Mandate.objects.get(case=case), actor=case.requester)
    other = OrganisationFactory()
    services.mandate_grant(case=case, actor=case.requester, organisation=other, scope=["remedy"])
    assert case.mandates.count() == 2
    assert selectors.active_mandate(case).organisation == other


def test_a_mandate_needs_a_scope_and_a_known_consent_text(org):
    case = CaseFactory(sent=True)
    with pytest.raises(CaseError) as error:
        services.mandate_grant(case=case, actor=case.requester, organisation=org, scope=[])
    assert error.value.field == "scope"
    with pytest.raises(CaseError) as error:
        services.mandate_grant(
            case=case,
            actor=case.requester,
            organisation=org,
            scope=["complaint"],
            consent_text_version="1999",
        )
    assert error.value.field == "consent_text_version"


def test_an_admin_may_end_the_mandate_but_a_caseworker_may_not(org, admin, caseworker):
    case = mandated_case(org)
    mandate = Mandate.objects.get(case=case)
    with pytest.raises(NotPermitted):
        services.mandate_revoke(mandate=mandate, actor=caseworker)
    services.mandate_revoke(mandate=mandate, actor=admin)
    assert not selectors.organisation_cases(org).exists()
    with pytest.raises(CaseError):
        services.mandate_revoke(mandate=mandate, actor=admin)


# --- Roles, assignment, notes ----------------------------------------------------------------


def test_membership_role_names_the_role_or_none(org, admin, viewer):
    assert selectors.membership_role(admin, org) == Role.ADMIN
    assert selectors.membership_role(viewer, org) == Role.VIEWER
    assert selectors.membership_role(UserFactory(), org) is None


def test_a_caseworker_assigns_a_case_to_a_colleague_and_a_viewer_cannot(
    org, caseworker, viewer, admin
):
    case = mandated_case(org)
    services.case_assign(case=case, actor=caseworker, organisation=org, assignee=admin)
    case.refresh_from_db()
    assert case.assignee == admin
    with pytest.raises(NotPermitted):
        services.case_assign(case=case, actor=viewer, organisation=org, assignee=caseworker)
    with pytest.raises(CaseError, match="caseworker or admin"):
        services.case_assign(case=case, actor=caseworker, organisation=org, assignee=viewer)


def test_a_case_no_longer_mandated_cannot_be_assigned(org, caseworker):
    case = mandated_case(org)
    services.mandate_revoke(mandate=Mandate.objects.get(case=case), actor=case.requester)
    with pytest.raises(CaseError, match="not \\(or no longer\\) mandated"):
        services.case_assign(case=case, actor=caseworker, organisation=org, assignee=caseworker)


def test_internal_notes_are_seen_by_members_and_not_by_the_requester(client, org, caseworker):
    case = mandated_case(org)
    services.case_note_add(case=case, actor=caseworker, organisation=org, body="Call the DPO.")
    client.force_login(caseworker)
    page = client.get(reverse("cases:org_case", args=[org.slug, case.pk]))
    assert b"Call the DPO." in page.content
    client.force_login(case.requester)
    for url in (
        reverse("cases:case_detail", args=[case.pk]),
        reverse("cases:case_audit", args=[case.pk]),
        reverse("cases:case_audit", args=[case.pk]) + "?format=csv",
    ):
        response = client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Call the DPO." not in body
    with pytest.raises(NotPermitted):
        services.case_note_add(case=case, actor=case.requester, organisation=org, body="hi")


def test_a_later_organisation_does_not_see_the_notes_of_an_earlier_one(client, org, caseworker):
    case = mandated_case(org)
    services.case_note_add(case=case, actor=caseworker, organisation=org, body="Ours only.")
    services.mandate_revoke(mandate=Mandate.objects.get(case=case), actor=case.requester)
    other = OrganisationFactory()
    member = MembershipFactory(organisation=other, role=Role.ADMIN).user
    services.mandate_grant(case=case, actor=case.requester, organisation=other, scope=ALL_SCOPES)
    client.force_login(member)
    response = client.get(reverse("cases:case_audit", args=[case.pk]), {"format": "csv"})
    assert b"Ours only." not in b"".join(response.streaming_content)


def test_a_finished_job_is_not_queued_again(org, caseworker):
    job = services.bulk_job_create(
        organisation=org, actor=caseworker, kind=BulkJob.Kind.ASSIGN, case_ids=[1]
    )
    services.bulk_job_run(job_id=job.pk)
    job.refresh_from_db()
    with pytest.raises(CaseError, match="finished"):
        services.bulk_job_requeue(job=job, actor=caseworker)


def test_an_empty_note_is_refused(org, caseworker):
    case = mandated_case(org)
    with pytest.raises(CaseError) as error:
        services.case_note_add(case=case, actor=caseworker, organisation=org, body="  ")
    assert error.value.field == "body"


# --- Members and invitations -----------------------------------------------------------------


def invite(org, admin, email="new@pa.org", role=Role.CASEWORKER, *, capture):
    with capture(execute=True):
        return services.invitation_create(organisation=org, actor=admin, email=email, role=role)


def test_an_invitation_is_sent_by_e_mail_and_stores_only_the_token_digest(
    org, admin, django_capture_on_commit_callbacks
):
    invitation, token = invite(org, admin, capture=django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@pa.org"]
    assert reverse("cases:invitation_accept", args=[token]) in mail.outbox[0].body
    assert token not in invitation.token_hash
    assert Invitation.objects.filter(token_hash=invitation.token_hash).count() == 1


def test_accepting_an_invitation_needs_the_invited_address(
    org, admin, django_capture_on_commit_callbacks
):
    _invitation, token = invite(org, admin, capture=django_capture_on_commit_callbacks)
    stranger = UserFactory(email="someone@else.org")
    with pytest.raises(CaseError, match=r"sent to new@pa\.org"):
        services.invitation_accept(token=token, user=stranger)
    invited = UserFactory(email="New@PA.org")
    membership = services.invitation_accept(token=token, user=invited)
    assert membership.role == Role.CASEWORKER and membership.organisation == org
    with pytest.raises(CaseError, match="no longer valid"):
        services.invitation_accept(token=token, user=invited)


def test_an_expired_or_withdrawn_invitation_cannot_be_accepted(
    org, admin, django_capture_on_commit_callbacks
):
    invitation, token = invite(org, admin, capture=django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(CaseError, match="no longer valid"):
        services.invitation_accept(token=token, user=UserFactory(email="new@pa.org"))
    invitation2, token2 = invite(
        org, admin, email="two@pa.org", capture=django_capture_on_commit_callbacks
    )
    services.invitation_revoke(invitation=invitation2, actor=admin)
    with pytest.raises(CaseError, match="no longer valid"):
        services.invitation_accept(token=token2, user=UserFactory(email="two@pa.org"))


def test_only_admins_invite_and_members_cannot_be_invited_twice(org, admin, caseworker):
    with pytest.raises(NotPermitted):
        services.invitation_create(
            organisation=org, actor=caseworker, email="x@pa.org", role=Role.VIEWER
        )
    with pytest.raises(CaseError, match="already a member"):
        services.invitation_create(
            organisation=org, actor=admin, email="worker@pa.org", role=Role.VIEWER
        )


def test_inviting_again_replaces_the_pending_invitation(org, admin):
    first, _ = services.invitation_create(
        organisation=org, actor=admin, email="x@pa.org", role=Role.VIEWER
    )
    second, _ = services.invitation_create(
        organisation=org, actor=admin, email="x@pa.org", role=Role.CASEWORKER
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert list(selectors.pending_invitations(org)) == [second]


def test_a_member_leaves_and_their_cases_lose_their_assignee(org, admin, caseworker):
    case = mandated_case(org, assignee=caseworker)
    services.membership_remove(
        membership=Membership.objects.get(user=caseworker, organisation=org), actor=caseworker
    )
    case.refresh_from_db()
    assert case.assignee is None
    assert selectors.membership_role(caseworker, org) is None


def test_the_last_admin_can_neither_leave_nor_be_demoted(org, admin, caseworker):
    membership = Membership.objects.get(user=admin, organisation=org)
    with pytest.raises(CaseError, match="at least one admin"):
        services.membership_remove(membership=membership, actor=admin)
    with pytest.raises(CaseError, match="at least one admin"):
        services.membership_change_role(membership=membership, actor=admin, role=Role.VIEWER)
    worker = Membership.objects.get(user=caseworker, organisation=org)
    services.membership_change_role(membership=worker, actor=admin, role=Role.ADMIN)
    services.membership_remove(membership=membership, actor=admin)
    assert selectors.membership_role(admin, org) is None


def test_only_an_admin_removes_somebody_else(org, admin, caseworker, viewer):
    with pytest.raises(NotPermitted):
        services.membership_remove(
            membership=Membership.objects.get(user=viewer, organisation=org), actor=caseworker
        )
    services.membership_remove(
        membership=Membership.objects.get(user=viewer, organisation=org), actor=admin
    )


# --- Campaigns -------------------------------------------------------------------------------


def campaign_for(org, admin, *vendors, **fields):
    return services.campaign_create(
        organisation=org,
        actor=admin,
        title="Get your Alexa recordings",
        slug="alexa",
        vendors=vendors or [VendorFactory(name="Amazon")],
        landing_en="Ask Amazon for your recordings.",
        landing_fr="Demandez vos enregistrements.",
        **fields,
    )


def test_a_campaign_has_vendors_a_variant_and_landing_texts_per_language(org, admin):
    amazon = VendorFactory(name="Amazon", slug="amazon")
    campaign = campaign_for(org, admin, amazon, request_variant="voice")
    assert list(campaign.vendors.all()) == [amazon]
    assert "audio" in campaign.requested_items and "purposes" not in campaign.requested_items
    assert campaign.landing_text("fr") == "Demandez vos enregistrements."
    assert campaign.landing_text("de") == "Ask Amazon for your recordings."  # falls back


def test_only_admins_create_campaigns_and_slugs_are_unique(org, admin, caseworker):
    with pytest.raises(NotPermitted):
        campaign_for(org, caseworker)
    campaign_for(org, admin)
    with pytest.raises(CaseError) as error:
        campaign_for(org, admin)
    assert error.value.field == "slug"


@pytest.mark.usefixtures("isolated_cache")  # it files a request: fresh rate-limit counts
def test_the_campaign_link_preselects_the_vendor_and_asks_for_the_mandate(client, org, admin):
    amazon = VendorFactory(name="Amazon", slug="amazon")
    google = VendorFactory(name="Google", slug="google")
    campaign = campaign_for(org, admin, amazon, google)
    url = reverse("cases:campaign_join", args=[org.slug, campaign.slug])
    page = client.get(url + "?vendor=google")
    assert page.status_code == 200
    assert b"Ask Amazon for your recordings." in page.content
    assert b"Article 80(1)" in page.content
    assert page.context["form"].initial["vendor"] == google

    person = UserFactory()
    client.force_login(person)
    response = client.post(
        url, {"vendor": google.pk, "case": "new", "consent_text_version": "2025-1", "consent": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:request_details", args=["google"])

    # Filing the request hands it over under the mandate agreed to: no second consent.
    response = client.post(
        reverse("cases:request_details", args=["google"]),
        {
            "requester_name": "Anna Muller",
            "requester_email": person.email,
            "requester_country": "LU",
            "account_identifiers": person.email,
            "requested_items": ["audio"],
            "language": "en",
        },
    )
    case = Case.objects.get(requester=person)
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    mandate = Mandate.objects.get(case=case)
    assert mandate.campaign == campaign and mandate.organisation == org
    assert mandate.scope == campaign.scope
    assert (
        selectors.dashboard_cases(org, selectors.DashboardFilters(campaign=campaign.pk)).get()
        == case
    )


def test_joining_a_campaign_with_an_open_request_hands_it_over_at_once(client, org, admin):
    amazon = VendorFactory(name="Amazon", slug="amazon")
    campaign = campaign_for(org, admin, amazon)
    person = UserFactory()
    case = CaseFactory(requester=person, vendor=amazon, sent=True)
    client.force_login(person)
    response = client.post(
        reverse("cases:campaign_join", args=[org.slug, campaign.slug]),
        {
            "vendor": amazon.pk,
            "case": str(case.pk),
            "consent_text_version": "2025-1",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    assert Mandate.objects.active().get(case=case).campaign == campaign


def test_a_campaign_only_takes_cases_to_its_vendors_and_only_while_open(org, admin):
    campaign = campaign_for(org, admin)
    case = CaseFactory(sent=True)  # to another vendor
    with pytest.raises(CaseError, match="not about"):
        services.mandate_grant(
            case=case,
            actor=case.requester,
            organisation=org,
            scope=ALL_SCOPES,
            campaign=campaign,
        )
    campaign.is_open = False
    campaign.save()
    later = CaseFactory(vendor=campaign.vendors.get(), sent=True)
    with pytest.raises(CaseError, match="closed"):
        services.mandate_grant(
            case=later,
            actor=later.requester,
            organisation=org,
            scope=ALL_SCOPES,
            campaign=campaign,
        )


# --- Dashboard -------------------------------------------------------------------------------


def test_the_dashboard_filters_overdue_due_soon_vendor_assignee_incident_and_search(
    org, caseworker
):
    today = timezone.localdate()
    amazon = VendorFactory(name="Amazon")
    late = overdue_case(org, vendor=amazon, requester_name="Anna Late")
    soon = mandated_case(org, requester_name="Ben Soon", assignee=caseworker)
    DeadlineFactory(case=soon, due_on=today + timedelta(days=3))
    later = mandated_case(org, requester_name="Clara Later")
    DeadlineFactory(case=later, due_on=today + timedelta(days=20))
    paused = mandated_case(org, requester_name="Dora Paused")
    DeadlineFactory(case=paused, due_on=today - timedelta(days=2), paused_since=today)
    IncidentFactory(case=later, kind=IncidentKind.MISDIRECTED_EXPORT)
    CaseFactory(sent=True, organisation=org)  # no mandate: never listed

    def ids(**filters):
        return {c.pk for c in selectors.dashboard_cases(org, selectors.DashboardFilters(**filters))}

    assert ids() == {late.pk, soon.pk, later.pk, paused.pk}
    assert ids(overdue=True) == {late.pk}
    assert ids(due_within=7) == {soon.pk}
    assert ids(due_within=30) == {soon.pk, later.pk}
    assert ids(vendor=amazon.pk) == {late.pk}
    assert ids(assignee=caseworker.pk) == {soon.pk}
    assert ids(unassigned=True) == {late.pk, later.pk, paused.pk}
    assert ids(incident_kind=IncidentKind.MISDIRECTED_EXPORT) == {later.pk}
    assert ids(q="clara") == {later.pk}
    assert ids(q=f"#{soon.pk}") == {soon.pk}
    assert ids(status=Status.AWAITING_RESPONSE) == {late.pk, soon.pk, later.pk, paused.pk}
    by_due = [c.pk for c in selectors.dashboard_cases(org, selectors.DashboardFilters(sort="due"))]
    assert by_due[:3] == [late.pk, soon.pk, later.pk]
    assert selectors.overdue_case_ids(org) == [late.pk]


# --- Bulk jobs -------------------------------------------------------------------------------


def test_bulk_assign_reports_foreign_cases_as_failures_and_goes_on(org, caseworker, admin):
    mine = [mandated_case(org) for _ in range(3)]
    foreign = CaseFactory(sent=True)
    job = services.bulk_job_create(
        organisation=org,
        actor=caseworker,
        kind=BulkJob.Kind.ASSIGN,
        case_ids=[mine[0].pk, foreign.pk, mine[1].pk, mine[2].pk],
        assignee=admin,
    )
    services.bulk_job_run(job_id=job.pk, chunk=2)
    job.refresh_from_db()
    assert job.state == BulkJob.State.DONE
    assert (job.done, job.total, job.succeeded) == (4, 4, 3)
    assert [f["case_id"] for f in job.failures] == [foreign.pk]
    assert {c.assignee_id for c in Case.objects.filter(pk__in=[c.pk for c in mine])} == {admin.pk}
    foreign.refresh_from_db()
    assert foreign.assignee is None


def test_a_caseworker_writes_only_as_far_as_the_mandate_goes_from_the_case_page_too(
    client, org, caseworker
):
    case = overdue_case(org, scope=[MandateScope.CORRESPONDENCE])  # no complaint
    AuthorityFactory(short_name="CNIL", country="FR")
    client.force_login(caseworker)
    url = reverse("cases:letter_generate", args=[case.pk])
    page = client.post(url, {"kind": "complaint", "court_proceedings": "no"}, follow=True)
    assert "does not cover" in page.content.decode()
    assert not Letter.objects.filter(case=case, kind=LetterKind.COMPLAINT).exists()
    client.post(url, {"kind": "reminder"})
    assert Letter.objects.filter(case=case, kind=LetterKind.REMINDER).exists()
    # The data subject needs no mandate to write in their own name.
    letter = services.letter_request(
        case=case, actor=case.requester, kind=LetterKind.COMPLAINT, authority=AuthorityFactory()
    )
    assert letter.kind == LetterKind.COMPLAINT


def test_bulk_reminders_and_complaints_generate_letters_and_report_each_failure(org, caseworker):
    authority = AuthorityFactory(short_name="CNIL", country="FR")
    late = [overdue_case(org) for _ in range(2)]
    not_late = mandated_case(org)  # nothing to remind of yet
    narrow = overdue_case(org, scope=[MandateScope.COMPLAINT])  # may not write to the vendor
    job = services.bulk_job_create(
        organisation=org,
        actor=caseworker,
        kind=BulkJob.Kind.REMINDERS,
        case_ids=[late[0].pk, not_late.pk, narrow.pk, late[1].pk],
    )
    services.bulk_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.done, job.succeeded) == (4, 2)
    failures = {f["case_id"]: f["message"] for f in job.failures}
    assert set(failures) == {not_late.pk, narrow.pk}
    assert "nothing to remind" in failures[not_late.pk]
    assert "does not cover" in failures[narrow.pk]
    letters = Letter.objects.filter(kind=LetterKind.REMINDER)
    assert {letter.case_id for letter in letters} == {late[0].pk, late[1].pk}
    assert all(letter.created_by == caseworker for letter in letters)

    complaints = services.bulk_job_create(
        organisation=org,
        actor=caseworker,
        kind=BulkJob.Kind.COMPLAINTS,
        case_ids=[late[0].pk, narrow.pk],
        authority=authority,
    )
    services.bulk_job_run(job_id=complaints.pk)
    complaints.refresh_from_db()
    assert complaints.succeeded == 2 and complaints.failures == []
    assert set(
        Letter.objects.filter(kind=LetterKind.COMPLAINT).values_list("authority", flat=True)
    ) == {authority.pk}


def test_a_bulk_job_run_twice_processes_each_case_once(org, caseworker):
    cases = [overdue_case(org) for _ in range(3)]
    job = services.bulk_job_create(
        organisation=org,
        actor=caseworker,
        kind=BulkJob.Kind.REMINDERS,
        case_ids=[c.pk for c in cases],
    )
    services.bulk_job_run(job_id=job.pk, chunk=1)
    services.bulk_job_run(job_id=job.pk, chunk=1)
    assert Letter.objects.filter(kind=LetterKind.REMINDER).count() == 3


def test_a_resumed_job_starts_where_the_last_run_stopped(org, caseworker):
    cases = [overdue_case(org) for _ in range(3)]
    job = services.bulk_job_create(
        organisation=org,
        actor=caseworker,
        kind=BulkJob.Kind.REMINDERS,
        case_ids=[c.pk for c in cases],
    )
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.RUNNING, done=1)
    services.bulk_job_run(job_id=job.pk)
    assert set(Letter.objects.values_list("case_id", flat=True)) == {cases[1].pk, cases[2].pk}


def test_a_bulk_selection_is_validated(org, caseworker, viewer):
    kwargs = {"organisation": org, "kind": BulkJob.Kind.REMINDERS}
    with pytest.raises(NotPermitted):
        services.bulk_job_create(actor=viewer, case_ids=[1], **kwargs)
    for ids, message in (([], "at least one"), (["1", "x"], "not a case")):
        with pytest.raises(CaseError, match=message):
            services.bulk_job_create(actor=caseworker, case_ids=ids, **kwargs)
    with pytest.raises(CaseError, match="Choose an action"):
        services.bulk_job_create(organisation=org, actor=caseworker, kind="delete", case_ids=[1])
    with pytest.raises(CaseError, match="caseworker or admin"):
        services.bulk_job_create(
            organisation=org,
            actor=caseworker,
            kind=BulkJob.Kind.ASSIGN,
            case_ids=[1],
            assignee=viewer,
        )


def test_a_bulk_job_is_queued_after_commit(org, caseworker, django_capture_on_commit_callbacks):
    from unittest import mock

    case = overdue_case(org)
    with (
        mock.patch("tasks.workspace.bulk_job_run.apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = services.bulk_job_create(
            organisation=org,
            actor=caseworker,
            kind=BulkJob.Kind.REMINDERS,
            case_ids=[case.pk],
        )
    apply_async.assert_called_once()
    # Published on a connection of its own with short timeouts (cases.queue, issue 15.6).
    assert apply_async.call_args.kwargs["args"] == (job.pk,)
    assert apply_async.call_args.kwargs["retry"] is False


def test_the_task_runs_the_job(org, caseworker):
    from tasks.workspace import bulk_job_run

    case = overdue_case(org)
    job = services.bulk_job_create(
        organisation=org, actor=caseworker, kind=BulkJob.Kind.REMINDERS, case_ids=[case.pk]
    )
    bulk_job_run.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.state == BulkJob.State.DONE and job.succeeded == 1


def test_the_job_page_shows_progress_and_failures(client, org, caseworker):
    foreign = CaseFactory(sent=True)
    job = services.bulk_job_create(
        organisation=org,
        actor=caseworker,
        kind=BulkJob.Kind.ASSIGN,
        case_ids=[foreign.pk],
        assignee=caseworker,
    )
    client.force_login(caseworker)
    page = client.get(reverse("cases:org_job", args=[org.slug, job.pk]))
    assert b'<progress value="0" max="1">' in page.content
    assert b'http-equiv="refresh"' in page.content  # reloads without script
    services.bulk_job_run(job_id=job.pk)
    status = client.get(reverse("cases:org_job_status", args=[org.slug, job.pk]))
    assert b'data-finished="true"' in status.content
    assert f"#{foreign.pk}".encode() in status.content
    data = client.get(
        reverse("cases:org_job_status", args=[org.slug, job.pk]), {"format": "json"}
    ).json()
    assert data["finished"] and data["done"] == 1 and len(data["failures"]) == 1


def test_the_dashboard_bulk_form_exports_the_selection_as_csv(client, org, caseworker):
    cases = [mandated_case(org, requester_name=f"Person {i}") for i in range(3)]
    foreign = CaseFactory(sent=True, requester_name="Not Ours")
    client.force_login(caseworker)
    response = client.post(
        reverse("cases:org_bulk", args=[org.slug]),
        {"action": "export", "cases": [cases[0].pk, cases[2].pk, foreign.pk]},
    )
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("case,requester,email")
    assert "Person 0" in body and "Person 2" in body
    assert "Person 1" not in body and "Not Ours" not in body


def test_remind_every_overdue_case_selects_them_from_the_filters(client, org, caseworker):
    late = [overdue_case(org) for _ in range(2)]
    mandated_case(org)
    client.force_login(caseworker)
    response = client.post(
        reverse("cases:org_bulk", args=[org.slug]) + "?overdue=on",
        {"action": "reminders", "select_all": "on"},
    )
    job = BulkJob.objects.get()
    assert response["Location"] == reverse("cases:org_job", args=[org.slug, job.pk])
    assert sorted(job.case_ids) == sorted(c.pk for c in late)


# --- Statistics ------------------------------------------------------------------------------


def answered_case(vendor, *, received, answered, late=False, extended=False, missing=(), **kw):
    case = CaseFactory(
        vendor=vendor,
        status=Status.ANSWERED,
        sent_on=received,
        received_on=received,
        missing_items=list(missing),
        **kw,
    )
    CaseEventFactory(case=case, kind=EventKind.RESPONSE_RECEIVED, occurred_on=answered)
    if extended:
        CaseEventFactory(case=case, kind=EventKind.EXTENSION_NOTIFIED, occurred_on=received)
    DeadlineFactory(
        case=case,
        kind=DeadlineKind.RESPONSE,
        due_on=received + timedelta(days=30),
        state=DeadlineState.MISSED if late else DeadlineState.MET,
        met_on=answered,
    )
    return case


def test_statistics_per_vendor_on_a_known_dataset():
    amazon, google = VendorFactory(name="Amazon"), VendorFactory(name="Google")
    received = date(2026, 3, 2)
    # Amazon: answers after 10, 20, 40 (late) and 50 (late, extended) days; one unanswered.
    for days, late, extended, missing in (
        (10, False, False, ["audio"]),
        (20, False, False, ["audio", "recipients"]),
        (40, True, False, []),
        (50, True, True, ["recipients"]),
    ):
        answered_case(
            amazon,
            received=received,
            answered=received + timedelta(days=days),
            late=late,
            extended=extended,
            missing=missing,
        )
    CaseFactory(vendor=amazon, sent=True)
    answered_case(google, received=received, answered=received + timedelta(days=5))
    IncidentFactory(case=CaseFactory(vendor=amazon), kind=IncidentKind.MISDIRECTED_EXPORT)

    stats = selectors.vendor_statistics(Case.objects.all())
    row = next(r for r in stats.vendors if r["vendor"] == amazon.pk)
    assert row["cases"] == 6
    assert row["answered"] == 4
    assert row["on_time"] == 2
    assert row["median_days"] == 30.0  # percentile_cont: between 20 and 40
    assert row["extended"] == 1
    assert row["missing"]["audio"] == 2 and row["missing"]["recipients"] == 2
    assert row["missing"]["purposes"] == 0
    assert list(row["missing"]) == list(Article15Item.values)  # the access checklist, in order
    assert row["incidents"] == {"misdirected_export": 1}
    google_row = next(r for r in stats.vendors if r["vendor"] == google.pk)
    assert (google_row["answered"], google_row["on_time"], google_row["median_days"]) == (
        1,
        1,
        5.0,
    )
    months = {(r["vendor"], r["month"]) for r in stats.months}
    assert (amazon.pk, timezone.localdate().replace(day=1)) in months


def test_the_public_statistics_leave_out_groups_of_fewer_than_ten_cases(client, settings):
    settings.STATS_MIN_GROUP = 10
    big, small = VendorFactory(name="Bigco"), VendorFactory(name="Smallco")
    received = date(2026, 3, 2)
    for _ in range(10):
        answered_case(big, received=received, answered=received + timedelta(days=7))
    for _ in range(9):
        answered_case(small, received=received, answered=received + timedelta(days=7))
    IncidentFactory(case=Case.objects.filter(vendor=small).first())
    services.statistics_refresh()
    stats = selectors.public_statistics_stored()
    assert [r["vendor_name"] for r in stats.vendors] == ["Bigco"]
    assert {r["vendor_name"] for r in stats.months} == {"Bigco"}
    assert stats.incidents == []

    page = client.get(reverse("cases:public_stats"))
    assert page.status_code == 200
    assert b"Bigco" in page.content and b"Smallco" not in page.content
    data = client.get(reverse("cases:public_stats_download", args=["json"])).json()
    assert [v["vendor_name"] for v in data["vendors"]] == ["Bigco"]
    assert data["min_group"] == 10
    csv_body = b"".join(
        client.get(reverse("cases:public_stats_download", args=["csv"])).streaming_content
    ).decode()
    assert "Bigco" in csv_body and "Smallco" not in csv_body


def test_organisation_statistics_count_only_its_mandated_cases(client, org, viewer):
    vendor = VendorFactory(name="Amazon")
    received = date(2026, 3, 2)
    ours = answered_case(vendor, received=received, answered=received + timedelta(days=3))
    services.mandate_grant(case=ours, actor=ours.requester, organisation=org, scope=ALL_SCOPES)
    answered_case(vendor, received=received, answered=received + timedelta(days=9))
    services.statistics_refresh()
    client.force_login(viewer)
    response = client.get(reverse("cases:org_stats", args=[org.slug]))
    assert response.status_code == 200
    (row,) = response.context["stats"].vendors
    assert row["cases"] == 1 and row["median_days"] == 3.0
    assert b"<svg" in response.content


def test_statistics_are_a_handful_of_queries_whatever_the_data():
    vendor = VendorFactory()
    received = date(2026, 3, 2)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            selectors.vendor_statistics(Case.objects.all())
        return len(queries)

    for _ in range(3):
        answered_case(vendor, received=received, answered=received + timedelta(days=4))
    small = count_queries()
    for _ in range(20):
        answered_case(VendorFactory(), received=received, answered=received + timedelta(days=4))
    assert count_queries() == small <= 4  # figures per vendor, per month; incidents; names


# --- Audit trail -----------------------------------------------------------------------------


def test_changes_are_audited_with_actor_and_before_and_after(org, caseworker, admin):
    case = mandated_case(org)
    with set_actor(caseworker):
        services.case_assign(case=case, actor=caseworker, organisation=org, assignee=admin)
    entry = LogEntry.objects.get_for_object(case).filter(changes__has_key="assignee").get()
    assert entry.actor == caseworker
    assert entry.changes["assignee"] == [None, admin.pk]
    mandate = Mandate.objects.get(case=case)
    assert LogEntry.objects.get_for_object(mandate).filter(action=LogEntry.Action.CREATE).exists()


def test_a_web_request_records_the_signed_in_user_as_the_actor(client, org, caseworker):
    case = mandated_case(org)
    client.force_login(caseworker)
    client.post(
        reverse("cases:org_case_assign", args=[org.slug, case.pk]),
        {"assignee": str(caseworker.pk)},
    )
    entry = LogEntry.objects.get_for_object(case).filter(changes__has_key="assignee").get()
    assert entry.actor == caseworker


def test_a_case_trail_gathers_incidents_evidence_letters_mandates_and_notes(org, caseworker):
    case = mandated_case(org)
    incident = services.incident_record(
        case=case,
        actor=case.requester,
        kind=IncidentKind.OTHER_BREACH,
        discovered_on=timezone.localdate(),
    )
    services.case_note_add(case=case, actor=caseworker, organisation=org, body="internal")
    models = {e.content_type.model for e in selectors.case_audit(case, organisation=org)}
    assert {"case", "mandate", "incident", "casenote"} <= models
    for outsider in (None, OrganisationFactory()):
        trail = selectors.case_audit(case, organisation=outsider)
        assert "casenote" not in {e.content_type.model for e in trail}
    incident.delete()
    assert (
        selectors.case_audit(case, organisation=org).filter(action=LogEntry.Action.DELETE).exists()
    )


def test_an_organisation_taking_a_case_over_does_not_see_the_last_ones_mandate(org, caseworker):
    case = mandated_case(org)
    services.mandate_revoke(
        mandate=Mandate.objects.get(case=case), actor=case.requester, reason="moving on"
    )
    other = OrganisationFactory()
    services.mandate_grant(
        case=case, actor=case.requester, organisation=other, scope=[MandateScope.COMPLAINT]
    )

    def mandate_orgs(organisation):
        trail = selectors.case_audit(case, organisation=organisation)
        return {
            e.additional_data["organisation_id"] for e in trail if e.content_type.model == "mandate"
        }

    assert mandate_orgs(other) == {other.pk}
    assert mandate_orgs(None) == {org.pk, other.pk}  # the data subject sees both


def test_membership_changes_are_on_the_organisation_trail(org, admin, caseworker):
    with set_actor(admin):
        services.membership_change_role(
            membership=Membership.objects.get(user=caseworker, organisation=org),
            actor=admin,
            role=Role.VIEWER,
        )
    entry = selectors.organisation_audit(org).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == admin
    assert entry.changes["role"] == [Role.CASEWORKER, Role.VIEWER]


@pytest.mark.postgres
def test_the_audit_trail_is_append_only_in_the_database(org):
    case = mandated_case(org)
    entry = LogEntry.objects.get_for_object(case).first()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(changes={})
    # Only the actor may be cleared (when a user is deleted), and nothing else with it.
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(actor=None, object_repr="rewritten")
    LogEntry.objects.filter(pk=entry.pk).update(actor=None)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(changes_text="rewritten")


@pytest.mark.postgres
def test_deleting_a_user_keeps_the_audit_entries_they_made_without_their_name(org):
    case = CaseFactory(sent=True)
    requester = case.requester
    with set_actor(requester):
        services.mandate_grant(case=case, actor=requester, organisation=org, scope=ALL_SCOPES)
    made = set(LogEntry.objects.filter(actor=requester).values_list("pk", flat=True))
    assert made
    services.user_delete(user=requester)  # their cases go too; the trail stays (Art. 17)
    kept = LogEntry.objects.filter(pk__in=made)
    assert kept.count() == len(made)
    assert set(kept.values_list("actor_email", flat=True)) == {None}
    assert set(kept.values_list("object_repr", flat=True)) == {"(erased)"}


def test_the_case_audit_csv_has_one_row_per_changed_field(client, org, caseworker, admin):
    case = mandated_case(org)
    client.force_login(caseworker)
    client.post(
        reverse("cases:org_case_assign", args=[org.slug, case.pk]), {"assignee": str(admin.pk)}
    )
    response = client.get(reverse("cases:case_audit", args=[case.pk]), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "timestamp,actor,model,object,action,field,before,after"
    assert any(
        ",worker@pa.org,case," in line and ",assignee,," in line and str(admin.pk) in line
        for line in lines
    )


def test_an_event_timeline_still_records_mandates(org):
    case = mandated_case(org)
    services.mandate_revoke(mandate=Mandate.objects.get(case=case), actor=case.requester)
    kinds = list(
        CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).values_list(
            "data__mandate", flat=True
        )
    )
    assert kinds == ["granted", "revoked"]


# --- Query counts ----------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def _grow(org, caseworker, n):
    """n more mandated cases with what the table shows: a deadline, an assignee, a campaign."""
    today = timezone.localdate()
    campaign = org.campaigns.first()
    for i in range(n):
        case = CaseFactory(sent=True, assignee=None, vendor=campaign.vendors.first())
        services.mandate_grant(
            case=case,
            actor=case.requester,
            organisation=org,
            scope=ALL_SCOPES,
            campaign=campaign,
        )
        services.case_assign(case=case, actor=caseworker, organisation=org, assignee=caseworker)
        DeadlineFactory(case=case, due_on=today + timedelta(days=(i * 7) % 30 - 10))
        answered_case(
            VendorFactory(), received=date(2026, 3, 2), answered=date(2026, 3, 2 + i % 20)
        )


@pytest.mark.parametrize(
    "query",
    ["", "?overdue=on&sort=due", "?due_within=14&assignee={worker}&campaign={campaign}&q=a"],
)
def test_the_dashboard_costs_the_same_queries_for_5_or_50_cases(
    client, org, admin, caseworker, query
):
    campaign_for(org, admin)
    client.force_login(caseworker)
    _grow(org, caseworker, 5)
    url = reverse("cases:org_dashboard", args=[org.slug]) + query.format(
        worker=caseworker.pk, campaign=org.campaigns.get().pk
    )
    small = _queries(client, url)
    _grow(org, caseworker, 45)
    assert _queries(client, url) == small


@pytest.mark.parametrize(
    "url",
    [
        lambda org: reverse("cases:org_stats", args=[org.slug]),
        lambda org: reverse("cases:org_stats_download", args=[org.slug, "csv"]),
        lambda org: reverse("cases:public_stats"),
        lambda org: reverse("cases:public_stats_download", args=["json"]),
    ],
    ids=["organisation", "organisation csv", "public", "public json"],
)
def test_the_statistics_pages_cost_the_same_queries_for_5_or_50_cases(
    client, org, admin, caseworker, url, settings
):
    settings.STATS_MIN_GROUP = 1
    campaign_for(org, admin)
    client.force_login(caseworker)
    _grow(org, caseworker, 5)
    services.statistics_refresh()
    small = _queries(client, url(org))
    _grow(org, caseworker, 45)
    services.statistics_refresh()
    assert _queries(client, url(org)) == small


def test_the_public_statistics_are_served_from_what_the_last_refresh_stored(client, settings):
    settings.STATS_MIN_GROUP = 1
    vendor = VendorFactory(name="Amazon")
    answered_case(vendor, received=date(2026, 3, 2), answered=date(2026, 3, 9))
    statistics_refresh.apply()
    answered_case(vendor, received=date(2026, 3, 2), answered=date(2026, 3, 9))  # not yet shown
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:public_stats"))
    (row,) = response.context["stats"].vendors
    assert row["cases"] == 1
    assert not any("cases_case" in q["sql"] for q in queries.captured_queries)
    statistics_refresh.apply()
    (row,) = client.get(reverse("cases:public_stats")).context["stats"].vendors
    assert row["cases"] == 2


def test_organisation_statistics_show_a_new_mandate_after_the_refresh_it_queues(
    org, django_capture_on_commit_callbacks
):
    vendor = VendorFactory()
    received = date(2026, 3, 2)
    first = answered_case(vendor, received=received, answered=received + timedelta(days=3))
    services.mandate_grant(case=first, actor=first.requester, organisation=org, scope=ALL_SCOPES)
    services.statistics_refresh()
    assert selectors.organisation_statistics_stored(org).vendors[0]["cases"] == 1
    Case.objects.filter(pk=first.pk).update(missing_items=["audio"])
    assert selectors.organisation_statistics_stored(org).vendors[0]["missing"]["audio"] == 0  # kept
    second = answered_case(vendor, received=received, answered=received + timedelta(days=5))
    with django_capture_on_commit_callbacks() as queued:
        services.mandate_grant(
            case=second, actor=second.requester, organisation=org, scope=["remedy"]
        )
    assert queued  # the refresh, after commit
    services.statistics_refresh()  # what the queued task does
    (row,) = selectors.organisation_statistics_stored(org).vendors
    assert (row["cases"], row["missing"]["audio"]) == (2, 1)


@pytest.mark.parametrize("query", ["", "?overdue=on", "?sort=due"])
def test_a_page_past_the_end_shows_the_last_page(client, org, caseworker, settings, query):
    settings.WORKSPACE_PAGE_SIZE = 2
    cases = [overdue_case(org) for _ in range(5)]
    client.force_login(caseworker)
    url = reverse("cases:org_dashboard", args=[org.slug]) + (query or "?") + "&page="
    last = client.get(url + "99").context["page"]
    assert (last.number, last.paginator.count, len(last.object_list)) == (3, 5, 1)
    first = client.get(url + "abc").context["page"]
    assert first.number == 1 and len(first.object_list) == 2
    shown = {c.pk for n in (1, 2, 3) for c in client.get(url + str(n)).context["page"]}
    assert shown == {c.pk for c in cases}


@pytest.mark.parametrize("query", ["", "?overdue=on&sort=due"])
def test_past_the_count_cap_the_dashboard_says_more_than_and_still_reaches_every_page(
    client, org, caseworker, settings, query, django_assert_max_num_queries
):
    settings.WORKSPACE_PAGE_SIZE = 2
    settings.WORKSPACE_COUNT_CAP = 3
    cases = [overdue_case(org) for _ in range(7)]
    client.force_login(caseworker)
    url = reverse("cases:org_dashboard", args=[org.slug]) + (query or "?") + "&page="
    response = client.get(url + "1")
    page = response.context["page"]
    assert not page.count_is_exact and page.count_floor == 3 and page.has_next()
    assert "More than 3 cases" in response.content.decode()
    fourth = client.get(url + "4").context["page"]  # past the cap: counted up to this page
    assert fourth.count_is_exact and fourth.paginator.count == 7 and not fourth.has_next()
    shown = {c.pk for n in (1, 2, 3, 4) for c in client.get(url + str(n)).context["page"]}
    assert shown == {c.pk for c in cases}
    settings.WORKSPACE_COUNT_CAP = 100
    with django_assert_max_num_queries(12):
        exact = client.get(url + "1").context["page"]
    assert exact.count_is_exact and exact.paginator.count == 7


def test_the_dashboard_marks_overdue_the_rows_the_overdue_filter_lists(client, org, caseworker):
    late = overdue_case(org, requester_name="Anna Late")
    mandated_case(org, requester_name="Ben Early")
    client.force_login(caseworker)
    page = client.get(reverse("cases:org_dashboard", args=[org.slug])).content.decode()
    marked = re.findall(r'<tr class="overdue">.*?#(\d+)</a>', page, flags=re.S)
    assert marked == [str(late.pk)]
    assert selectors.overdue_case_ids(org) == [late.pk]


@pytest.mark.postgres
def test_the_search_indexes_hold_the_organisation_and_the_tenant_rule_compares_it_as_a_bigint(
    org,
):
    """Migration 0022. Without the organisation in the search's indexes, PostgreSQL intersects
    the matches with every case of the organisation (50,000 at the bench's full size); and it
    can use that column only for "organisation_id = <bigint>" (btree_gin has no integer to
    bigint comparison), which `organisation_cases` must therefore write. Which plan PostgreSQL
    then picks depends on the table's size: `bench/workspace.py` shows it at 1,000,000 cases."""
    mandated_case(org, requester_name="Anna Muller")
    mandated_case(org, requester_name="Ben Other")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_case' "
            "AND indexname LIKE 'case_org_search_%'"
        )
        indexes = dict(cursor.fetchall())
    assert sorted(indexes) == [
        f"case_org_search_{column}"
        for column in ("requester_email", "requester_name", "vendor_reference")
    ]
    for definition in indexes.values():
        assert "USING gin (organisation_id, upper(" in definition, definition

    search = selectors.dashboard_cases(org, selectors.DashboardFilters(q="muller"))
    assert [c.requester_name for c in search] == ["Anna Muller"]
    sql, params = search.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (COSTS OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"organisation_id = '{org.pk}'::bigint" in plan, plan
    assert f"organisation_id = {org.pk})" not in plan, plan


def test_due_within_lists_the_cases_whose_most_urgent_deadline_is_near_not_the_overdue(
    org, caseworker
):
    late = overdue_case(org)
    filters = selectors.DashboardFilters(due_within=400)
    assert late.pk not in {c.pk for c in selectors.dashboard_cases(org, filters)}
    overdue = selectors.DashboardFilters(overdue=True)
    assert late.pk in {c.pk for c in selectors.dashboard_cases(org, overdue)}


def _panel(user, case, session=None):
    from django.contrib.sessions.backends.db import SessionStore
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get(reverse("cases:case_detail", args=[case.pk]))
    request.user = user
    request.session = SessionStore()
    request.session.update(session or {})
    # The panel reads the case as the case page reads it, with the viewer's role and mandate.
    page_case = selectors.case_for_page(user, case.pk)
    return render_to_string("cases/_workspace.html", {"case": page_case}, request=request)


def test_the_case_page_panel_offers_the_hand_over_and_then_its_end(org, caseworker):
    case = CaseFactory(sent=True)
    html = _panel(case.requester, case)
    assert reverse("cases:mandate_grant", args=[case.pk]) in html
    assert "Article 80(1)" in html
    mandate = services.mandate_grant(
        case=case, actor=case.requester, organisation=org, scope=ALL_SCOPES
    )
    html = _panel(case.requester, case)
    assert reverse("cases:mandate_revoke", args=[case.pk, mandate.pk]) in html
    member_html = _panel(caseworker, case)
    assert reverse("cases:org_case", args=[org.slug, case.pk]) in member_html
    assert reverse("cases:mandate_revoke", args=[case.pk, mandate.pk]) not in member_html


def test_the_case_page_panel_asks_for_no_second_consent_after_joining_a_campaign(org, admin):
    # The consent given on the campaign page is the only one (tests/test_campaign_join.py).
    amazon = VendorFactory(name="Amazon", slug="amazon")
    campaign = campaign_for(org, admin, amazon)
    case = CaseFactory(sent=True, vendor=amazon)
    pending = {"workspace.campaign_join": {"campaign": campaign.pk, "vendor": amazon.pk}}
    html = _panel(case.requester, case, pending)
    assert "Get your Alexa recordings" not in html
    assert 'name="consent"' not in html
