"""Who may act on an organisation's case: caseworkers and admins act, viewers only read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Membership
from tests.factories import CaseFactory, MandateFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mandated_case():
    case = CaseFactory(sent=True)
    mandate = MandateFactory(case=case)
    return case, mandate.organisation


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role, user=UserFactory()).user


@pytest.mark.parametrize(
    ("role", "can_act"),
    [
        (Membership.Role.VIEWER, False),
        (Membership.Role.CASEWORKER, True),
        (Membership.Role.ADMIN, True),
    ],
)
def test_only_caseworkers_and_admins_may_act_on_an_organisations_case(
    client, mandated_case, role, can_act
):
    case, organisation = mandated_case
    client.force_login(member(organisation, role))

    page = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert page.status_code == 200
    offers_actions = reverse("cases:case_close", args=[case.pk]).encode() in page.content
    offers_letters = reverse("cases:letter_generate", args=[case.pk]).encode() in page.content
    assert offers_actions is can_act
    assert offers_letters is can_act

    close = client.post(reverse("cases:case_close", args=[case.pk]), {"close-outcome": ""})
    letter = client.post(reverse("cases:letter_generate", args=[case.pk]), {"kind": "reminder"})
    if can_act:
        assert close.status_code != 403 and letter.status_code != 403
    else:
        assert close.status_code == 403 and letter.status_code == 403
        case.refresh_from_db()
        assert case.is_open
        assert not case.letters.exists()


def test_a_member_of_another_organisation_gets_404(client, mandated_case):
    case, _ = mandated_case
    outsider = MembershipFactory(role=Membership.Role.ADMIN).user
    client.force_login(outsider)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("cases:case_close", args=[case.pk])).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Membership.Role.VIEWER, 403),
        (Membership.Role.CASEWORKER, 200),
        (Membership.Role.ADMIN, 200),
    ],
)
def test_only_caseworkers_and_admins_may_open_an_actions_page(client, mandated_case, role, status):
    case, organisation = mandated_case
    client.force_login(member(organisation, role))
    for name in ("case_close", "case_incident", "case_evidence"):
        assert client.get(reverse(f"cases:{name}", args=[case.pk])).status_code == status


def test_a_member_of_another_organisation_gets_404_on_an_actions_page(client, mandated_case):
    case, _ = mandated_case
    client.force_login(MembershipFactory(role=Membership.Role.ADMIN).user)
    assert client.get(reverse("cases:case_close", args=[case.pk])).status_code == 404
