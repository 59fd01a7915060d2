"""Follow-up requests: after an access request, erasure (Art. 17), objection (Art. 21(1)),
withdrawal of consent (Art. 7(3)), restriction (Art. 18(1)(d)) and portability (Art. 20).

One case per kind, linked to the access case it came from (`Case.parent`, the case family): each
kind has its own letter, its own Art. 12(3) clock, its own checklist and outcome, and a vendor
that stops human review but keeps the recordings gets a complaint about the erasure only. The
person sends the letters together or one by one; nothing is lost by choosing either.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import facts
from cases.exceptions import CaseError, NotPermitted
from cases.models import (
    FOLLOW_UP_KINDS,
    Case,
    ErasureGround,
    EventKind,
    Mandate,
    RequestKind,
    ServiceAccount,
    Status,
    User,
)
from cases.services.cases import case_create
from cases.services.events import event_record
from cases.services.webhooks import webhooks_emit_for_mandate

__all__ = ["case_follow_ups_create", "follow_up_refusal"]


def _mandate(parent: Case) -> Mandate | None:
    if parent.organisation_id is None:
        return None
    return (
        Mandate.objects.active()
        .filter(case=parent, organisation_id=parent.organisation_id)
        .order_by("-granted_at")
        .first()
    )


def _acts_for_organisation(parent: Case, actor: User) -> bool:
    """Whether `actor` asks in the data subject's name rather than as the data subject: a member
    of an organisation, or an organisation's API service account (the requester of the cases
    its keys file, on behalf of the person named on the case)."""
    if actor.pk != parent.requester_id:
        return True
    return parent.organisation_id is not None and ServiceAccount.objects.filter(user=actor).exists()


def follow_up_refusal(*, parent: Case, actor: User, kind: str) -> tuple[str, str] | None:
    """Why a follow-up of `kind` cannot be asked from `parent` now, as (message, field), or
    None. The one rule the service refuses by and the page offers by:

    - only an access case starts a family, and only a kind that follows access;
    - one open follow-up of a kind per access case (a double submit or a bulk job run twice
      sends nothing twice);
    - the vendor's directory entry must be able to receive the kind (`facts.channels_for`);
    - somebody acting for the data subject needs a mandate that covers the kind (Art. 80(1):
      the data subject decides what the organisation may ask in their name)."""
    if kind not in FOLLOW_UP_KINDS:
        return _("Unknown kind of request."), "kinds"
    if parent.kind != RequestKind.ACCESS:
        return _("Ask for more from the access request it follows."), "parent"
    open_twin = Case.objects.filter(parent=parent, kind=kind).exclude(status=Status.CLOSED).first()
    if open_twin is not None:
        return _(
            "A request of this kind from this access request is already open (case "
            "%(id)s): follow it there, or close it first."
        ) % {"id": open_twin.pk}, "kinds"
    if not facts.channels_for(parent.vendor, kind):
        return _(
            "%(vendor)s's entry in the directory has no address, e-mail or web form that takes "
            "this kind of request. Tell us where to send it and we will add it."
        ) % {"vendor": parent.vendor.name}, "kinds"
    if _acts_for_organisation(parent, actor):
        mandate = _mandate(parent)
        if mandate is None:
            return _("Only the person the request is about can ask for more."), "mandate"
        if not mandate.covers_kind(kind):
            return _(
                "The mandate %(person)s gave %(organisation)s does not cover this request. "
                "Ask them to extend it, or to send it themselves."
            ) % {"person": parent.requester_name, "organisation": mandate.organisation.name}, (
                "mandate"
            )
    return None


@transaction.atomic
def case_follow_ups_create(
    *,
    parent: Case,
    actor: User,
    kinds: Iterable[str],
    grounds: Iterable[str] = (),
) -> list[Case]:
    """Open one draft case per kind, each a follow-up of the access case `parent` (which the
    caller read through `cases_visible_to(actor)`), to the same vendor, for the same person, in
    the same language. An erasure request gives its grounds in plain words (Art. 17(1)(b), (c),
    (d)). Under an organisation's mandate, the new case is run under the same mandate when it
    covers the kind; otherwise it is the person's own. Refuses the lot, with the first reason,
    when any kind is refused (`follow_up_refusal`): nothing half-done."""
    parent = Case.objects.select_for_update().select_related("vendor").get(pk=parent.pk)
    chosen = [k for k in FOLLOW_UP_KINDS if k in set(kinds)]
    unknown = set(kinds) - set(FOLLOW_UP_KINDS)
    if unknown or not chosen:
        raise CaseError(_("Choose what to ask for."), field="kinds")
    given = set(grounds)
    if given - set(ErasureGround.values):
        raise CaseError(_("Unknown ground."), field="grounds")
    grounds = [g for g in ErasureGround.values if g in given]
    if RequestKind.ERASURE in chosen and not grounds:
        raise CaseError(
            _("Say why the data must be erased: choose at least one ground."), field="grounds"
        )
    for kind in chosen:
        refusal = follow_up_refusal(parent=parent, actor=actor, kind=kind)
        if refusal is not None:
            message, field = refusal
            if field == "mandate":
                raise NotPermitted(message)
            raise CaseError(message, field=field)
    mandate = _mandate(parent)
    created = []
    for kind in chosen:
        under_mandate = mandate is not None and mandate.covers_kind(kind)
        case = case_create(
            requester=parent.requester,
            vendor=parent.vendor,
            requester_name=parent.requester_name,
            requester_email=parent.requester_email,
            requester_country=parent.requester_country,
            requester_region=parent.requester_region,
            requester_address=parent.requester_address,
            account_identifiers=parent.account_identifiers,
            device_serials=parent.device_serials,
            language=parent.language,
            organisation=parent.organisation if under_mandate else None,
            kind=kind,
            parent=parent,
            grounds=grounds if kind == RequestKind.ERASURE else (),
        )
        if under_mandate:
            # The same consent, given once for the family: the organisation may act on the
            # follow-up because the person said so for this kind (Art. 80(1)).
            derived = Mandate.objects.create(
                case=case,
                organisation=mandate.organisation,
                campaign=mandate.campaign,
                scope=mandate.scope,
                kinds=mandate.kinds,
                consent_text_version=mandate.consent_text_version,
                granted_at=mandate.granted_at,
                granted_by=mandate.granted_by,
            )
            webhooks_emit_for_mandate(mandate=derived)
        created.append(case)
        if case.organisation_id != parent.organisation_id:
            # The organisation sees the access case but not this one: its timeline keeps quiet
            # about it (`selectors.case_family` reads these notes).
            continue
        event_record(
            parent,
            actor,
            EventKind.NOTE,
            on=timezone.localdate(),
            note=_("Follow-up request opened: %(kind)s (case #%(id)s).")
            % {"kind": RequestKind(kind).label, "id": case.pk},
            follow_up_id=case.pk,
            follow_up_kind=kind,
        )
    return created
