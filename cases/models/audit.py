"""Which models the audit trail (django-auditlog) records, and what each entry links to."""

from __future__ import annotations

from typing import Any

from auditlog.registry import auditlog
from django.db import models

from cases.models.api import WebhookEndpoint
from cases.models.case import Case
from cases.models.evidence import Evidence
from cases.models.incident import Incident
from cases.models.letter import Letter
from cases.models.people import Membership
from cases.models.workspace import Campaign, CaseNote, Invitation, Mandate

# --- Audit trail -----------------------------------------------------------------------------
# django-auditlog writes one LogEntry per save or delete of these models, with the actor (set by
# its middleware for web requests, by `auditlog.context.set_actor` in tasks) and the before/after
# of every changed field. `get_additional_data` links each entry to its case and organisation so
# that a case's trail includes its incidents, evidence, letters, notes and mandates, even after
# they are deleted.

AUDIT_EXCLUDED_FIELDS = {
    "Case": ["updated_at"],
    # The text of a letter is its PDF's source; the SHA-256 and status changes are what matter.
    "Letter": ["rendered_text"],
    # Only the digest is stored; it is a secret's fingerprint all the same.
    "Invitation": ["token_hash"],
    # Kept in clear to sign deliveries: never copied into the audit trail.
    "WebhookEndpoint": ["secret"],
}


def _case_link(self: models.Model) -> dict[str, Any]:
    return {"case_id": self.case_id}


def _case_self_link(self: Case) -> dict[str, Any]:
    return {"case_id": self.pk}


def _membership_link(self: models.Model) -> dict[str, Any]:
    return {"organisation_id": self.organisation_id}


def register_audit() -> None:
    Case.get_additional_data = _case_self_link  # type: ignore[attr-defined]
    for model in (Incident, Evidence, Letter):
        model.get_additional_data = _case_link  # type: ignore[attr-defined]
    Membership.get_additional_data = _membership_link  # type: ignore[attr-defined]
    for model in (
        Case,
        Incident,
        Evidence,
        Letter,
        Membership,
        Mandate,
        CaseNote,
        Campaign,
        Invitation,
        WebhookEndpoint,
    ):
        if not auditlog.contains(model):
            excluded = AUDIT_EXCLUDED_FIELDS.get(model.__name__, [])
            auditlog.register(
                model,
                # The row's own columns only: other models' keys to it are not its data.
                include_fields=[
                    f.name for f in model._meta.concrete_fields if f.name not in excluded
                ],
                exclude_fields=excluded,
                m2m_fields={"vendors"} if model is Campaign else None,
            )
