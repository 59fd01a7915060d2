"""Helpers for the journey tests: cases brought to a status through the real services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases import services
from cases.models import Case, Channel, Status, User
from tests.factories import UserFactory, VendorFactory

# The statuses a person's case can be in, in the order a case usually moves through them.
STATUSES = [
    Status.DRAFT,
    Status.SENT,
    Status.AWAITING_RESPONSE,
    Status.PAUSED_FOR_IDENTITY,
    Status.EXTENDED,
    Status.ANSWERED,
    Status.ESCALATED,
    Status.COMPLAINT_FILED,
    Status.CLOSED,
]


def case_in_status(status: str, *, requester: User | None = None) -> Case:
    """A case that reached `status` the way a person would get it there, 20 days ago onwards."""
    requester = requester or UserFactory()
    case = services.case_create(
        requester=requester,
        vendor=VendorFactory(),
        requester_name=requester.full_name or "Anna Muller",
        requester_email=requester.email,
        requester_country="LU",
        account_identifiers=requester.email,
        language="en",
    )
    start = timezone.localdate() - timedelta(days=20)
    actor = requester

    def day(n: int):
        return start + timedelta(days=n)

    if status == Status.DRAFT:
        return case
    if status == Status.SENT:
        services.case_mark_sent(case=case, actor=actor, sent_on=day(0), channel=Channel.POST)
        return Case.objects.get(pk=case.pk)
    services.case_mark_sent(case=case, actor=actor, sent_on=day(0), channel=Channel.EMAIL)
    if status == Status.PAUSED_FOR_IDENTITY:
        services.case_identity_requested(case=case, actor=actor, requested_on=day(2))
    elif status == Status.EXTENDED:
        services.case_extension_notified(
            case=case, actor=actor, notified_on=day(2), reason="complexity"
        )
    elif status in (Status.ANSWERED, Status.ESCALATED, Status.COMPLAINT_FILED, Status.CLOSED):
        services.case_record_response(
            case=case, actor=actor, received_on=day(5), missing_items=["audio"]
        )
        if status in (Status.ESCALATED, Status.COMPLAINT_FILED):
            services.case_record_reminder_sent(case=case, actor=actor, sent_on=day(6))
        if status == Status.COMPLAINT_FILED:
            services.case_record_complaint_filed(
                case=case, actor=actor, filed_on=day(8), authority=case.vendor.lead_authority
            )
        if status == Status.CLOSED:
            services.case_close(case=case, actor=actor, outcome="partial")
    case = Case.objects.get(pk=case.pk)
    assert case.status == status, (case.status, status)
    return case
