"""Services behind the REST API: API keys, the organisation's service account, filing a case as
an organisation, changing a case's details, and forgetting old idempotency records.

Case actions through the API call the same services as the pages (`cases.services.cases`); only
what the pages have no counterpart for lives here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import CaseError
from cases.models import (
    ApiKey,
    ApiScope,
    Campaign,
    Case,
    IdempotencyRecord,
    MandateScope,
    Membership,
    Organisation,
    ServiceAccount,
    Status,
    User,
    Vendor,
    checklist,
    in_article_order,
)
from cases.services.cases import case_create, clean_region
from cases.services.roles import require_role
from cases.services.workspace import mandate_grant

logger = logging.getLogger(__name__)

# How stale `last_used_at` may get before a request writes it again: one UPDATE a minute per key
# at most, instead of one per request.
LAST_USED_RESOLUTION = timedelta(seconds=60)


# --- The organisation's service account ------------------------------------------------------


def service_account_for(organisation: Organisation) -> User:
    """The user the organisation's API keys act as, created on first use. It cannot log in
    (inactive, no password) and its address is in the reserved `.invalid` domain, so nothing
    is ever delivered to it."""
    account = (
        ServiceAccount.objects.select_related("user").filter(organisation=organisation).first()
    )
    if account is not None:
        return account.user
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=f"api-{organisation.pk}@{organisation.slug}.service.invalid",
                password=None,
                full_name=f"{organisation.name} (API)",
                is_active=False,
            )
            ServiceAccount.objects.create(organisation=organisation, user=user)
            return user
    except IntegrityError:
        # Created by a concurrent request in the meantime.
        return ServiceAccount.objects.select_related("user").get(organisation=organisation).user


# --- API keys --------------------------------------------------------------------------------


def _clean_key_fields(name: str, scope: str) -> str:
    name = name.strip()
    if not name:
        raise CaseError(_("Give the key a name, e.g. the tool that will use it."), field="name")
    if len(name) > 50:
        raise CaseError(_("Keep the name under 50 characters."), field="name")
    if scope not in ApiScope.values:
        raise CaseError(_("Choose read or read-write."), field="scope")
    return name


@transaction.atomic
def api_key_create_for_organisation(
    *, organisation: Organisation, actor: User, name: str, scope: str
) -> tuple[ApiKey, str]:
    """A new key of the organisation (admins only); returns the key and its secret, which is
    shown once and stored only as a hash."""
    require_role(actor, organisation, Membership.Role.ADMIN)
    name = _clean_key_fields(name, scope)
    service_account_for(organisation)
    return ApiKey.objects.create_key(
        name=name, organisation=organisation, scope=scope, created_by=actor
    )


@transaction.atomic
def api_key_create_personal(*, user: User, name: str, scope: str) -> tuple[ApiKey, str]:
    """A person's own key: it sees and changes what they see and change on the site."""
    name = _clean_key_fields(name, scope)
    return ApiKey.objects.create_key(name=name, user=user, scope=scope, created_by=user)


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: User) -> ApiKey:
    """Revoke a key for good: its holder's next request gets a 401. Organisation keys are
    revoked by the organisation's admins, personal keys by their owner."""
    key = (
        ApiKey.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=key.pk)
    )
    if key.organisation is not None:
        require_role(actor, key.organisation, Membership.Role.ADMIN)
    elif key.user_id != actor.pk:
        raise CaseError(_("This is not your key."))
    if not key.revoked:
        key.revoked, key.revoked_at, key.revoked_by = True, timezone.now(), actor
        key.save(update_fields=["revoked", "revoked_at", "revoked_by"])
    return key


def api_key_touch(*, key: ApiKey, now: datetime | None = None) -> None:
    """Record that the key was used, at most once a minute (a conditional UPDATE, no lock)."""
    now = now or timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now


# --- Cases -----------------------------------------------------------------------------------


@transaction.atomic
def case_create_for_organisation(
    *,
    organisation: Organisation,
    vendor: Vendor,
    requester_name: str,
    requester_email: str,
    requester_country: str,
    requester_address: str = "",
    account_identifiers: str = "",
    device_serials: str = "",
    requested_items: Iterable[str] | None = None,
    language: str = "",
    mandate_scope: Iterable[str] | None = None,
    campaign: Campaign | None = None,
    requester_region: str = "",
) -> Case:
    """File a request for a data subject whose Art. 80(1) mandate the organisation holds (the
    partner tool collected it). The case is the organisation's service account's, with the data
    subject's name and address, and an active mandate to the organisation within
    `mandate_scope`, so that its members see it in the workspace."""
    account = service_account_for(organisation)
    if campaign is not None and campaign.organisation_id != organisation.pk:
        raise CaseError(_("This campaign is not the organisation's."), field="campaign")
    case = case_create(
        requester=account,
        vendor=vendor,
        requester_name=requester_name,
        requester_email=requester_email,
        requester_country=requester_country,
        requester_region=requester_region,
        requester_address=requester_address,
        account_identifiers=account_identifiers,
        device_serials=device_serials,
        requested_items=requested_items,
        language=language,
    )
    scope = (
        list(mandate_scope)
        if mandate_scope is not None
        else [MandateScope.CORRESPONDENCE.value, MandateScope.COMPLAINT.value]
    )
    mandate_grant(
        case=case, actor=account, organisation=organisation, scope=scope, campaign=campaign
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def case_file(
    *,
    requester: User,
    organisation: Organisation | None,
    mandate_scope: Iterable[str] | None = None,
    campaign_id: int | None = None,
    **fields: Any,
) -> Case:
    """File an access request (GDPR Art. 15) for the API's caller: a person files their own; an
    organisation's key files under the data subject's mandate (Art. 80(1)), optionally through
    one of its own campaigns. Only an organisation holds mandates, so a person's key may not
    give a scope or a campaign."""
    if organisation is None:
        if mandate_scope is not None or campaign_id is not None:
            raise CaseError(
                _("Only an organisation's key files under a mandate."), field="mandate_scope"
            )
        return case_create(requester=requester, **fields)
    campaign = None
    if campaign_id is not None:
        campaign = Campaign.objects.filter(pk=campaign_id, organisation=organisation).first()
        if campaign is None:
            raise CaseError(_("No such campaign."), field="campaign")
    return case_create_for_organisation(
        organisation=organisation, mandate_scope=mandate_scope, campaign=campaign, **fields
    )


# Fields a case's holder may correct at any time, and those fixed once the request went out
# (the letter that was sent asked for exactly these things, in this language).
CASE_FIELDS_ANY_TIME = (
    "requester_name",
    "requester_region",
    "requester_address",
    "account_identifiers",
    "device_serials",
    "vendor_reference",
)
CASE_FIELDS_WHILE_DRAFT = ("requested_items", "language")


@transaction.atomic
def case_update(*, case: Case, actor: User | None, **changes: Any) -> Case:
    """Correct a case's details. The request's content (what is asked, the language) can only
    change while it is a draft; status changes go through the case's actions, never here."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    allowed = set(CASE_FIELDS_ANY_TIME) | set(CASE_FIELDS_WHILE_DRAFT)
    unknown = set(changes) - allowed
    if unknown:
        field = sorted(unknown)[0]
        raise CaseError(_("This cannot be changed here."), field=field)
    changed: list[str] = []
    for field, value in changes.items():
        if field in CASE_FIELDS_WHILE_DRAFT and case.status != Status.DRAFT:
            if getattr(case, field) != value:
                raise CaseError(
                    _("The request has been sent: what it asks for can no longer change."),
                    field=field,
                )
            continue
        if field == "requested_items":
            value = in_article_order(value, case.kind)
            unknown_items = set(changes[field]) - set(checklist(case.kind))
            if unknown_items:
                raise CaseError(
                    _("Unknown item asked for: %s") % ", ".join(sorted(unknown_items)),
                    field=field,
                )
            if not value:
                raise CaseError(_("Choose at least one thing to ask for."), field=field)
        elif field == "requester_region":
            value = clean_region(case.requester_country, value)
        elif field == "requester_name":
            value = value.strip()
            if not value:
                raise CaseError(_("Enter the name the letter should carry."), field=field)
        elif isinstance(value, str):
            value = value.strip()
        if getattr(case, field) != value:
            setattr(case, field, value)
            changed.append(field)
    if changed:
        case.save(update_fields=[*changed, "updated_at"])
    return case


# --- Idempotency -----------------------------------------------------------------------------


def idempotency_records_purge(*, now: datetime | None = None) -> int:
    """Forget idempotency keys older than API_IDEMPOTENCY_HOURS."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    deleted, _details = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


__all__ = [
    "api_key_create_for_organisation",
    "api_key_create_personal",
    "api_key_revoke",
    "api_key_touch",
    "case_create_for_organisation",
    "case_file",
    "case_update",
    "idempotency_records_purge",
    "service_account_for",
]
