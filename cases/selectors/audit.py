"""The audit trail (django-auditlog): a case's, as its data subject or an organisation may see
it, and an organisation's own."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from cases.models import Case, Mandate, Organisation


def case_audit(case: Case | int, *, organisation: Organisation | None) -> QuerySet[LogEntry]:
    """Every recorded change to the case and to what hangs off it (incidents, evidence, letters,
    mandates, notes), oldest first. Notes are internal: only the members of the organisation
    that wrote them see their entries. So are mandates, to every organisation but the one that
    held them: the data subject sees them all (`organisation`: the viewer's, or None for the
    data subject)."""
    pk = case.pk if isinstance(case, Case) else case
    entries = LogEntry.objects.filter(additional_data__case_id=pk)
    public = ~Q(additional_data__has_key="internal")  # a plain boolean, never NULL
    if organisation is None:
        entries = entries.filter(public)
    else:
        own = Q(additional_data__organisation_id=organisation.pk)
        mandate = Q(content_type=ContentType.objects.get_for_model(Mandate))
        entries = entries.filter((public & ~mandate) | own)
    return entries.select_related("actor", "content_type").order_by("timestamp", "pk")


def organisation_audit(organisation: Organisation) -> QuerySet[LogEntry]:
    """Changes to the organisation's members, invitations, campaigns and mandates, newest first
    (notes and other case entries are on each case's trail)."""
    return (
        LogEntry.objects.filter(additional_data__organisation_id=organisation.pk)
        .filter(~Q(additional_data__has_key="case_id") | Q(content_type__model="mandate"))
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def audit_changes(entry: LogEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for one entry, whichever format the changes were stored in."""
    changes = entry.changes if isinstance(entry.changes, dict) else entry.changes_dict
    rows = []
    for name, change in (changes or {}).items():
        if isinstance(change, dict):  # many-to-many
            rows.append((name, "", f"{change.get('operation')}: {change.get('objects')}"))
        elif isinstance(change, list | tuple) and len(change) == 2:
            rows.append((name, change[0], change[1]))
    return rows


__all__ = ["audit_changes", "case_audit", "organisation_audit"]
