"""The case page's own read of its case: the case with its vendor, lead authority and
organisation, and, in the same query, what the page would otherwise ask in queries of its own:
the viewer's role in the case's organisation and the active mandate.

Kept beside `cases.selectors` (being split into a package) so as not to collide with that move;
it builds on `selectors.cases_visible_to`, so the permission filter is the same one.
"""

from __future__ import annotations

from django.db.models import Exists, JSONField, OuterRef, Subquery
from django.shortcuts import get_object_or_404

from cases import selectors
from cases.models import Case, Mandate, Membership, User
from cases.selectors_workspace import ROLE_RANK


def case_for_page(user: User, case_id: int) -> Case:
    """One visible case (404 for anybody else's) annotated with `viewer_role` (the user's role
    in the case's organisation, or None), the active mandate (`mandate_pk`, `mandate_granted_at`,
    `mandate_scope`; its organisation is the case's) and `earlier_mandates` (whether an ended
    one exists): one query."""
    active = Mandate.objects.active().filter(case=OuterRef("pk")).order_by()
    role = Membership.objects.filter(user_id=user.pk, organisation=OuterRef("organisation_id"))
    return get_object_or_404(
        selectors.cases_visible_to(user)
        .select_related("vendor__lead_authority", "organisation")
        .annotate(
            viewer_role=Subquery(role.values("role")[:1]),
            mandate_pk=Subquery(active.values("pk")[:1]),
            mandate_granted_at=Subquery(active.values("granted_at")[:1]),
            mandate_scope=Subquery(active.values("scope")[:1], output_field=JSONField()),
            earlier_mandates=Exists(
                Mandate.objects.filter(case=OuterRef("pk"), revoked_at__isnull=False)
            ),
        ),
        pk=case_id,
    )


def is_annotated(case: Case) -> bool:
    """Whether `case` came from `case_for_page` above (else its readers query as before)."""
    return "mandate_scope" in case.__dict__


def case_editable(user: User, case: Case) -> bool:
    """`selectors.case_editable_by`, read from the annotated role when the case has it: its
    requester always may; in its organisation, caseworkers and admins may, viewers may not."""
    if not is_annotated(case):
        return selectors.case_editable_by(user, case)
    if not user.is_authenticated:
        return False
    if case.requester_id == user.pk:
        return True
    role = case.viewer_role  # type: ignore[attr-defined]
    if case.organisation_id is None or role is None:
        return False
    return ROLE_RANK[role] >= ROLE_RANK[Membership.Role.CASEWORKER]


def active_mandate(case: Case) -> Mandate | None:
    """The active mandate from the annotations (its organisation is the case's)."""
    if case.mandate_pk is None or case.organisation is None:  # type: ignore[attr-defined]
        return None
    return Mandate(
        pk=case.mandate_pk,  # type: ignore[attr-defined]
        case=case,
        organisation=case.organisation,
        scope=case.mandate_scope or [],  # type: ignore[attr-defined]
        granted_at=case.mandate_granted_at,  # type: ignore[attr-defined]
    )
