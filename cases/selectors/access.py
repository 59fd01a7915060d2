"""Who may see and act on what: the only way a page or the API gets cases.

Selectors scope by user first. A person sees the cases `cases_visible_to` gives them: their own,
and those whose requester mandated an organisation they belong to (GDPR Art. 80(1)), for as long
as the mandate stands. An organisation sees `organisation_cases`, the cases it holds an active
mandate for. An API caller is a `Principal`: a person (signed in, or with a personal key) or an
organisation (with one of its keys), and `principal_cases` gives it one of the two; nothing
else, so no view can forget a permission filter.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Exists,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404

from cases.models import (
    ApiKey,
    Case,
    InboundMessage,
    Mandate,
    Membership,
    Organisation,
    ServiceAccount,
    User,
)

ROLE_RANK = {
    Membership.Role.VIEWER: 1,
    Membership.Role.CASEWORKER: 2,
    Membership.Role.ADMIN: 3,
}


def membership_role(user: User | None, organisation: Organisation) -> str | None:
    """The user's role in the organisation, or None for anybody else (anonymous included)."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def membership_for(user: User, slug: str) -> Membership | None:
    """The user's membership in the organisation with this slug, with the organisation, in one
    query; None when the organisation does not exist or the user is not a member."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__slug=slug)
        .first()
    )


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The cases `user` may see: their own, and those that their requester has mandated an
    organisation the user belongs to (GDPR Art. 80(1)), for as long as the mandate stands."""
    if not user.is_authenticated:
        return Case.objects.none()
    org_ids = Membership.objects.filter(user=user).values("organisation_id")
    mandated = Mandate.objects.active().filter(
        case=OuterRef("pk"), organisation_id=OuterRef("organisation_id")
    )
    return Case.objects.filter(
        Q(requester=user) | (Q(organisation_id__in=org_ids) & Exists(mandated))
    )


def cases_owned_by(user: User) -> QuerySet[Case]:
    """The cases `user` filed for themselves: what their own-data export and deletion cover
    (cases they only see through an organisation belong to other people)."""
    return cases_visible_to(user).filter(requester=user)


def case_editable_by(user: User, case: Case) -> bool:
    """Whether `user` may act on `case`, which must come from `cases_visible_to(user)`: its
    requester always may; in an organisation, caseworkers and admins may, viewers may not."""
    if not user.is_authenticated:
        return False
    if case.requester_id == user.pk:
        return True
    if case.organisation_id is None:
        return False
    if "viewer_role" in case.__dict__:  # read with the case by `case_for_page`
        role = case.viewer_role  # type: ignore[attr-defined]
    else:
        role = membership_role(user, case.organisation)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[Membership.Role.CASEWORKER]


def case_for_page(user: User, case_id: int) -> Case:
    """One visible case (404 for anybody else's), in one query, with what its page shows beside
    it: the vendor, its lead authority, the organisation, the viewer's role there
    (`viewer_role`), the active mandate (`mandate_pk`, `mandate_granted_at`, `mandate_scope`;
    its organisation is the case's), whether an ended mandate exists (`earlier_mandates`) and
    whether any of the company's mail is on it (`has_inbound_mail`)."""
    active = Mandate.objects.active().filter(case=OuterRef("pk")).order_by()
    role = Membership.objects.filter(user_id=user.pk, organisation=OuterRef("organisation_id"))
    return get_object_or_404(
        cases_visible_to(user)
        .select_related("vendor__lead_authority", "organisation")
        .annotate(
            viewer_role=Subquery(role.values("role")[:1]),
            mandate_pk=Subquery(active.values("pk")[:1]),
            mandate_granted_at=Subquery(active.values("granted_at")[:1]),
            mandate_scope=Subquery(active.values("scope")[:1], output_field=JSONField()),
            earlier_mandates=Exists(
                Mandate.objects.filter(case=OuterRef("pk"), revoked_at__isnull=False)
            ),
            # Whether the company's mail is on it (cases/mail): read only when there is some.
            has_inbound_mail=Exists(InboundMessage.objects.filter(case=OuterRef("pk"))),
        ),
        pk=case_id,
    )


def page_mandate(case: Case) -> Mandate | None:
    """The active mandate of a case read by `case_for_page`, from its annotations."""
    if case.mandate_pk is None or case.organisation is None:  # type: ignore[attr-defined]
        return None
    return Mandate(
        pk=case.mandate_pk,  # type: ignore[attr-defined]
        case=case,
        organisation=case.organisation,
        scope=case.mandate_scope or [],  # type: ignore[attr-defined]
        granted_at=case.mandate_granted_at,  # type: ignore[attr-defined]
    )


def organisation_cases(organisation: Organisation) -> QuerySet[Case]:
    """The cases the organisation holds an active mandate for: nothing else."""
    # The id as a bigint, the column's type: the dashboard's search indexes (migration 0022)
    # can only use "organisation_id = <bigint>", and a bare 1 is an integer.
    organisation_id = Cast(Value(organisation.pk), BigIntegerField())
    active = Mandate.objects.active().filter(case=OuterRef("pk"), organisation_id=organisation_id)
    # "Has an active mandate" as a scalar subquery rather than EXISTS: PostgreSQL turns EXISTS
    # into a semi-join and, not knowing that nearly all of an organisation's cases carry its
    # mandate, hashes every mandate of the organisation to count or list one page of cases (a
    # cost that grows with the organisation); a scalar subquery is asked per case, of an index.
    mandated = Subquery(active.order_by().values(flag=Value(True))[:1], output_field=BooleanField())
    return (
        Case.objects.filter(organisation_id=organisation_id)
        .alias(mandated=mandated)
        .filter(mandated=True)
    )


@dataclass(frozen=True)
class Principal:
    """The caller of an API request.

    `user` is who the services record as the actor: the person, or the organisation's service
    account. `organisation` is set for an organisation's key only.
    """

    user: User
    organisation: Organisation | None = None
    key: ApiKey | None = None
    can_write: bool = True

    @property
    def ident(self) -> str:
        """Stable and unique per caller: what idempotency keys and rate limits are kept by."""
        return f"key:{self.key.prefix}" if self.key is not None else f"user:{self.user.pk}"


def principal_cases(principal: Principal) -> QuerySet[Case]:
    """The cases the principal may see, and nothing else."""
    if principal.organisation is not None:
        return organisation_cases(principal.organisation)
    return cases_visible_to(principal.user)


def principal_may_change(principal: Principal, case: Case) -> bool:
    """Whether the principal may record things on a case it sees: an organisation's read-write
    key on its mandated cases; a person on their own cases, or as a caseworker or admin of the
    organisation that holds the case's mandate (viewers only read)."""
    if not principal.can_write:
        return False
    return principal.organisation is not None or case_editable_by(principal.user, case)


def is_service_account(user: User | None, organisation: Organisation) -> bool:
    """Whether `user` is the organisation's service account (what its API keys act as)."""
    return (
        user is not None
        and user.pk is not None
        and ServiceAccount.objects.filter(organisation=organisation, user=user).exists()
    )


__all__ = [
    "ROLE_RANK",
    "Principal",
    "case_editable_by",
    "case_for_page",
    "cases_owned_by",
    "cases_visible_to",
    "is_service_account",
    "membership_for",
    "membership_role",
    "memberships_of",
    "organisation_cases",
    "page_mandate",
    "principal_cases",
    "principal_may_change",
]
