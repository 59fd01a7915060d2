"""Who may open what in the advocacy workspace: every URL and bulk action, for each kind of
visitor, with the status each must get.

anonymous: sent to log in (302). consumer: the requester of the mandated case, no membership:
an organisation's pages do not exist for them (404). viewer / caseworker / admin: members of the
organisation. outsider: an admin of another organisation (404 everywhere in this one). A member
below the role an action needs gets a 403. Another organisation's case is a 404 for everybody.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from cases import services
from cases.models import BulkJob, Case, Mandate, Membership, Organisation
from tests.factories import (
    CaseFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db


Role = Membership.Role
ROLES = ["anonymous", "consumer", "viewer", "caseworker", "admin", "outsider"]
ALL_SCOPES = ["correspondence", "complaint", "remedy"]


@dataclass
class World:
    users: dict[str, Any]
    org: Any
    case: Case
    foreign_case: Case
    mandate: Mandate
    job: BulkJob
    campaign: Any
    target: Membership
    invitation: Any
    token: str


@pytest.fixture(autouse=True)
def _no_broker():
    """Queueing a job again publishes to the broker: keep that message out of the real one."""
    with mock.patch("tasks.workspace.bulk_job_run.apply_async") as apply_async:
        yield apply_async


@pytest.fixture
def world() -> World:
    org = OrganisationFactory(slug="privacy-action")
    other_org = OrganisationFactory(slug="voice-watch")
    users = {
        "anonymous": None,
        "viewer": MembershipFactory(organisation=org, role=Role.VIEWER).user,
        "caseworker": MembershipFactory(organisation=org, role=Role.CASEWORKER).user,
        "admin": MembershipFactory(organisation=org, role=Role.ADMIN).user,
        "outsider": MembershipFactory(organisation=other_org, role=Role.ADMIN).user,
    }
    target = MembershipFactory(organisation=org, role=Role.CASEWORKER)
    vendor = VendorFactory(slug="amazon", name="Amazon")
    case = CaseFactory(sent=True, vendor=vendor)
    users["consumer"] = case.requester
    mandate = services.mandate_grant(
        case=case, actor=case.requester, organisation=org, scope=ALL_SCOPES
    )
    foreign_case = CaseFactory(sent=True, vendor=vendor)
    services.mandate_grant(
        case=foreign_case,
        actor=foreign_case.requester,
        organisation=other_org,
        scope=ALL_SCOPES,
    )
    job = BulkJob.objects.create(
        organisation=org,
        kind=BulkJob.Kind.ASSIGN,
        requested_by=users["caseworker"],
        case_ids=[case.pk],
        total=1,
    )
    campaign = services.campaign_create(
        organisation=org,
        actor=users["admin"],
        title="Alexa",
        slug="alexa",
        vendors=[vendor],
        landing_en="Join us.",
    )
    invitation, token = services.invitation_create(
        organisation=org, actor=users["admin"], email="invited@example.org", role=Role.VIEWER
    )
    return World(users, org, case, foreign_case, mandate, job, campaign, target, invitation, token)


def request(world: World, role: str, method: str, url: str, data: dict | None = None):
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return getattr(client, method)(url, data or {})


# (name, method, url builder, data builder, expected per role in ROLES order)
MEMBER_READ = (302, 404, 200, 200, 200, 404)
ADMIN_READ = (302, 404, 403, 403, 200, 404)
WORK = (302, 404, 403, 302, 302, 404)
ADMIN_WRITE = (302, 404, 403, 403, 302, 404)
NOBODY = (302, 404, 404, 404, 404, 404)


def _slug(w: World) -> str:
    return w.org.slug


URLS: list[tuple[str, str, Any, Any, tuple[int, ...]]] = [
    (
        "dashboard",
        "get",
        lambda w: reverse("cases:org_dashboard", args=[_slug(w)]),
        None,
        MEMBER_READ,
    ),
    (
        "dashboard filtered",
        "get",
        lambda w: reverse("cases:org_dashboard", args=[_slug(w)]) + "?overdue=on&sort=due",
        None,
        MEMBER_READ,
    ),
    (
        "job",
        "get",
        lambda w: reverse("cases:org_job", args=[_slug(w), w.job.pk]),
        None,
        MEMBER_READ,
    ),
    (
        "job status",
        "get",
        lambda w: reverse("cases:org_job_status", args=[_slug(w), w.job.pk]),
        None,
        MEMBER_READ,
    ),
    (
        "case",
        "get",
        lambda w: reverse("cases:org_case", args=[_slug(w), w.case.pk]),
        None,
        MEMBER_READ,
    ),
    ("members", "get", lambda w: reverse("cases:org_members", args=[_slug(w)]), None, MEMBER_READ),
    (
        "campaigns",
        "get",
        lambda w: reverse("cases:org_campaigns", args=[_slug(w)]),
        None,
        MEMBER_READ,
    ),
    ("statistics", "get", lambda w: reverse("cases:org_stats", args=[_slug(w)]), None, MEMBER_READ),
    (
        "statistics csv",
        "get",
        lambda w: reverse("cases:org_stats_download", args=[_slug(w), "csv"]),
        None,
        MEMBER_READ,
    ),
    (
        "statistics json",
        "get",
        lambda w: reverse("cases:org_stats_download", args=[_slug(w), "json"]),
        None,
        MEMBER_READ,
    ),
    ("settings", "get", lambda w: reverse("cases:org_settings", args=[_slug(w)]), None, ADMIN_READ),
    ("audit", "get", lambda w: reverse("cases:org_audit", args=[_slug(w)]), None, ADMIN_READ),
    (
        "campaign new",
        "get",
        lambda w: reverse("cases:org_campaign_new", args=[_slug(w)]),
        None,
        ADMIN_READ,
    ),
    (
        "campaign edit",
        "get",
        lambda w: reverse("cases:org_campaign_edit", args=[_slug(w), "alexa"]),
        None,
        ADMIN_READ,
    ),
    (
        "requeue job",
        "post",
        lambda w: reverse("cases:org_job_requeue", args=[_slug(w), w.job.pk]),
        None,
        WORK,
    ),
    (
        "assign",
        "post",
        lambda w: reverse("cases:org_case_assign", args=[_slug(w), w.case.pk]),
        lambda w: {"assignee": str(w.users["caseworker"].pk)},
        WORK,
    ),
    (
        "note",
        "post",
        lambda w: reverse("cases:org_case_note", args=[_slug(w), w.case.pk]),
        lambda w: {"body": "Call the DPO."},
        WORK,
    ),
    (
        "invite",
        "post",
        lambda w: reverse("cases:org_member_invite", args=[_slug(w)]),
        lambda w: {"email": "new@example.org", "role": "viewer"},
        ADMIN_WRITE,
    ),
    (
        "change role",
        "post",
        lambda w: reverse("cases:org_member_role", args=[_slug(w), w.target.pk]),
        lambda w: {"role": "viewer"},
        ADMIN_WRITE,
    ),
    (
        "remove member",
        "post",
        lambda w: reverse("cases:org_member_remove", args=[_slug(w), w.target.pk]),
        None,
        ADMIN_WRITE,
    ),
    (
        "withdraw invitation",
        "post",
        lambda w: reverse("cases:org_invitation_revoke", args=[_slug(w), w.invitation.pk]),
        None,
        ADMIN_WRITE,
    ),
    (
        "end mandate",
        "post",
        lambda w: reverse("cases:org_mandate_revoke", args=[_slug(w), w.mandate.pk]),
        None,
        ADMIN_WRITE,
    ),
    (
        "settings save",
        "post",
        lambda w: reverse("cases:org_settings", args=[_slug(w)]),
        lambda w: {"name": "Renamed", "email": "", "address": ""},
        ADMIN_WRITE,
    ),
    (
        "campaign create",
        "post",
        lambda w: reverse("cases:org_campaign_new", args=[_slug(w)]),
        lambda w: {
            "title": "Siri",
            "slug": "siri",
            "vendors": [w.case.vendor_id],
            "request_variant": "full",
            "scope": ["complaint"],
            "landing_en": "Join.",
            "is_open": "on",
        },
        ADMIN_WRITE,
    ),
    # Another organisation's case through this organisation's pages: a 404 for everybody.
    (
        "foreign case",
        "get",
        lambda w: reverse("cases:org_case", args=[_slug(w), w.foreign_case.pk]),
        None,
        NOBODY,
    ),
    (
        "foreign case assign",
        "post",
        lambda w: reverse("cases:org_case_assign", args=[_slug(w), w.foreign_case.pk]),
        lambda w: {"assignee": str(w.users["caseworker"].pk)},
        NOBODY,
    ),
    (
        "foreign case note",
        "post",
        lambda w: reverse("cases:org_case_note", args=[_slug(w), w.foreign_case.pk]),
        lambda w: {"body": "x"},
        NOBODY,
    ),
    (
        "foreign case audit",
        "get",
        lambda w: reverse("cases:case_audit", args=[w.foreign_case.pk]),
        None,
        (302, 404, 404, 404, 404, 200),
    ),
    # The case's own pages: the requester and the mandated organisation's members.
    (
        "case audit",
        "get",
        lambda w: reverse("cases:case_audit", args=[w.case.pk]),
        None,
        (302, 200, 200, 200, 200, 404),
    ),
    (
        "case audit csv",
        "get",
        lambda w: reverse("cases:case_audit", args=[w.case.pk]) + "?format=csv",
        None,
        (302, 200, 200, 200, 200, 404),
    ),
    (
        "case page",
        "get",
        lambda w: reverse("cases:case_detail", args=[w.case.pk]),
        None,
        (302, 200, 200, 200, 200, 404),
    ),
    # Only the requester gives or ends their mandate on the case page.
    (
        "grant mandate",
        "post",
        lambda w: reverse("cases:mandate_grant", args=[w.case.pk]),
        lambda w: {
            "organisation": w.org.pk,
            "scope": ["complaint"],
            "consent_text_version": "2025-1",
            "consent": "on",
        },
        (302, 302, 404, 404, 404, 404),
    ),
    (
        "revoke mandate",
        "post",
        lambda w: reverse("cases:mandate_revoke", args=[w.case.pk, w.mandate.pk]),
        None,
        (302, 302, 404, 404, 404, 404),
    ),
    # Public pages.
    ("public statistics", "get", lambda w: reverse("cases:public_stats"), None, (200,) * 6),
    (
        "public statistics json",
        "get",
        lambda w: reverse("cases:public_stats_download", args=["json"]),
        None,
        (200,) * 6,
    ),
    (
        "campaign page",
        "get",
        lambda w: reverse("cases:campaign_join", args=[_slug(w), "alexa"]),
        None,
        (200,) * 6,
    ),
    (
        "invitation",
        "get",
        lambda w: reverse("cases:invitation_accept", args=[w.token]),
        None,
        (302, 200, 200, 200, 200, 200),
    ),
    (
        "unknown organisation",
        "get",
        lambda w: reverse("cases:org_dashboard", args=["no-such-org"]),
        None,
        NOBODY,
    ),
]

BULK: list[tuple[str, dict[str, Any], tuple[int, ...]]] = [
    ("assign", {"action": "assign"}, WORK),
    ("reminders", {"action": "reminders"}, WORK),
    ("complaints", {"action": "complaints"}, WORK),
    ("export", {"action": "export"}, (302, 404, 403, 200, 200, 404)),
    ("every overdue case", {"action": "reminders", "select_all": "on"}, WORK),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    [pytest.param(m, u, d, e, id=name) for name, m, u, d, e in URLS],
)
def test_every_workspace_url_answers_each_visitor_as_expected(
    world, role, method, url, data, expected
):
    response = request(world, role, method, url(world), data(world) if data else None)
    assert response.status_code == expected[ROLES.index(role)]
    if response.status_code == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("cases:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("data", "expected"), [pytest.param(d, e, id=name) for name, d, e in BULK])
def test_every_bulk_action_answers_each_visitor_as_expected(world, role, data, expected):
    url = reverse("cases:org_bulk", args=[world.org.slug])
    before = BulkJob.objects.count()
    response = request(world, role, "post", url, {"cases": [world.case.pk], **data})
    status = expected[ROLES.index(role)]
    assert response.status_code == status
    if role in ("caseworker", "admin") and data["action"] != "export":
        assert BulkJob.objects.count() == before + 1
    else:
        assert BulkJob.objects.count() == before


def test_a_bulk_action_on_another_organisations_case_changes_nothing_there(world):
    client = Client()
    client.force_login(world.users["caseworker"])
    client.post(
        reverse("cases:org_bulk", args=[world.org.slug]),
        {
            "action": "assign",
            "assignee": str(world.users["caseworker"].pk),
            "cases": [world.foreign_case.pk, world.case.pk],
        },
    )
    job = BulkJob.objects.latest("pk")
    services.bulk_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.succeeded == 1
    assert [f["case_id"] for f in job.failures] == [world.foreign_case.pk]
    world.foreign_case.refresh_from_db()
    assert world.foreign_case.assignee is None


def test_a_job_of_another_organisation_is_a_404(world):
    other_job = BulkJob.objects.create(
        organisation=Organisation.objects.get(slug="voice-watch"),
        kind=BulkJob.Kind.ASSIGN,
        case_ids=[],
        total=0,
    )
    client = Client()
    client.force_login(world.users["admin"])
    url = reverse("cases:org_job", args=[world.org.slug, other_job.pk])
    assert client.get(url).status_code == 404


def test_a_member_may_leave_but_a_viewer_may_not_remove_others(world):
    client = Client()
    viewer = world.users["viewer"]
    client.force_login(viewer)
    own = Membership.objects.get(user=viewer, organisation=world.org)
    assert (
        client.post(
            reverse("cases:org_member_remove", args=[world.org.slug, world.target.pk])
        ).status_code
        == 403
    )
    client.post(reverse("cases:org_member_remove", args=[world.org.slug, own.pk]))
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_an_invitation_is_accepted_only_by_its_address(world):
    client = Client()
    url = reverse("cases:invitation_accept", args=[world.token])
    client.force_login(UserFactory(email="someone@example.org"))
    assert client.post(url).status_code == 400
    client.force_login(UserFactory(email="invited@example.org"))
    response = client.post(url)
    assert response["Location"] == reverse("cases:org_dashboard", args=[world.org.slug])
    assert client.get(reverse("cases:org_dashboard", args=[world.org.slug])).status_code == 200
