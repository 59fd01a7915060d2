"""Follow-up requests after access: erasure, objection, withdrawal of consent, restriction and
portability as cases of their own, linked to the access case, each with its checklist and clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from cases import facts, selectors, services
from cases.exceptions import CaseError, NotPermitted
from cases.models import (
    ALL_ITEMS,
    CHECKLISTS,
    FOLLOW_UP_KINDS,
    Article15Item,
    Case,
    DeadlineKind,
    EventKind,
    Mandate,
    Membership,
    Outcome,
    RequestKind,
    checklist,
    in_article_order,
)
from tests.factories import (
    CaseFactory,
    MandateFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db


def _access(**kwargs):
    return CaseFactory(sent=True, **kwargs)


# --- The model -------------------------------------------------------------------------------


def test_every_kind_has_a_checklist_and_no_code_names_two_items():
    assert set(CHECKLISTS) == set(RequestKind.values)
    assert len(ALL_ITEMS) == len(set(ALL_ITEMS))
    assert checklist(RequestKind.ACCESS) == [i.value for i in Article15Item]


def test_the_erasure_checklist_asks_for_everything_article_17_and_19_require_in_article_order():
    assert checklist(RequestKind.ERASURE) == [
        "erase_audio",
        "erase_transcripts",
        "erase_annotations",
        "erase_processor_copies",
        "retained_explained",
        "recipients_told",
    ]
    assert checklist(RequestKind.OBJECTION) == ["human_review_stopped", "training_stopped"]
    assert checklist(RequestKind.WITHDRAWAL) == ["consent_processing_stopped"]
    assert checklist(RequestKind.RESTRICTION) == ["processing_restricted"]
    assert checklist(RequestKind.PORTABILITY) == ["portable_audio", "portable_transcripts"]
    assert in_article_order(["recipients_told", "erase_audio", "audio"], "erasure") == [
        "erase_audio",
        "recipients_told",
    ]


def test_an_existing_mandate_covers_access_only():
    mandate = MandateFactory()
    mandate.refresh_from_db()
    assert mandate.kinds == ["access"]
    assert mandate.covers_kind("access") and not mandate.covers_kind("erasure")


# --- Creating follow-ups ---------------------------------------------------------------------


def test_each_kind_becomes_its_own_case_linked_to_the_access_case():
    parent = _access(device_serials="G090", language="de")
    cases = services.case_follow_ups_create(
        parent=parent,
        actor=parent.requester,
        kinds=["objection", "erasure", "withdrawal"],
        grounds=["objection", "consent_withdrawn"],
    )
    assert [c.kind for c in cases] == ["erasure", "objection", "withdrawal"]
    for case in cases:
        assert case.parent_id == parent.pk
        assert case.requester_id == parent.requester_id and case.vendor_id == parent.vendor_id
        assert case.language == "de" and case.device_serials == "G090"
        assert case.requested_items == checklist(case.kind)
        assert case.status == "draft"
    assert cases[0].grounds == ["consent_withdrawn", "objection"]
    assert cases[1].grounds == []
    assert set(parent.follow_ups.values_list("pk", flat=True)) == {c.pk for c in cases}
    notes = parent.events.filter(kind=EventKind.NOTE, data__follow_up_kind__isnull=False)
    assert notes.count() == 3


def test_erasure_needs_a_ground_and_unknown_kinds_or_grounds_are_refused():
    parent = _access()
    with pytest.raises(CaseError) as error:
        services.case_follow_ups_create(parent=parent, actor=parent.requester, kinds=["erasure"])
    assert error.value.field == "grounds"
    with pytest.raises(CaseError):
        services.case_follow_ups_create(parent=parent, actor=parent.requester, kinds=["access"])
    with pytest.raises(CaseError):
        services.case_follow_ups_create(
            parent=parent, actor=parent.requester, kinds=["erasure"], grounds=["boredom"]
        )
    assert not Case.objects.filter(parent=parent).exists()


def test_a_kind_the_vendor_cannot_receive_is_refused_with_a_clear_message_and_nothing_made():
    vendor = VendorFactory(
        email="", address="", webform="https://example.com/download", webform_kinds=["access"]
    )
    parent = _access(vendor=vendor)
    with pytest.raises(CaseError) as error:
        services.case_follow_ups_create(
            parent=parent, actor=parent.requester, kinds=["objection", "portability"]
        )
    assert "directory" in error.value.message and vendor.name in error.value.message
    assert not Case.objects.filter(parent=parent).exists()
    assert facts.channels_for(vendor, "access") == ["webform"]
    assert facts.channels_for(vendor, "objection") == []


def test_a_follow_up_can_only_come_from_an_access_case():
    parent = _access()
    (objection,) = services.case_follow_ups_create(
        parent=parent, actor=parent.requester, kinds=["objection"]
    )
    with pytest.raises(CaseError):
        services.case_follow_ups_create(
            parent=objection, actor=parent.requester, kinds=["restriction"]
        )


def test_erasure_while_the_access_request_is_open_is_allowed_and_flagged():
    parent = _access()
    events = list(parent.events.all())
    assert facts.access_copy_pending(parent.kind, parent.status, events)
    services.case_follow_ups_create(
        parent=parent, actor=parent.requester, kinds=["erasure"], grounds=["unlawful"]
    )
    services.case_record_response(
        case=parent, actor=parent.requester, received_on=timezone.localdate(), missing_items=[]
    )
    parent.refresh_from_db()
    assert not facts.access_copy_pending(parent.kind, parent.status, list(parent.events.all()))


# --- Organisations: the mandate names the kinds -----------------------------------------------


def _org_case(kinds):
    org = OrganisationFactory()
    worker = UserFactory()
    MembershipFactory(user=worker, organisation=org, role=Membership.Role.CASEWORKER)
    parent = _access()
    MandateFactory(case=parent, organisation=org, kinds=kinds)
    parent.refresh_from_db()
    return org, worker, parent


def test_a_kind_outside_the_mandate_is_refused_for_the_organisation():
    _org, worker, parent = _org_case(["access"])
    with pytest.raises(NotPermitted) as error:
        services.case_follow_ups_create(parent=parent, actor=worker, kinds=["objection"])
    assert "mandate" in error.value.message
    assert not Case.objects.filter(parent=parent).exists()


def test_a_kind_inside_the_mandate_is_run_by_the_organisation_under_the_same_consent():
    org, worker, parent = _org_case(["access", "objection"])
    (case,) = services.case_follow_ups_create(parent=parent, actor=worker, kinds=["objection"])
    assert case.organisation_id == org.pk
    mandate = Mandate.objects.active().get(case=case)
    assert mandate.granted_by_id == parent.requester_id
    assert selectors.cases_visible_to(worker).filter(pk=case.pk).exists()


def test_the_person_may_ask_for_a_kind_the_mandate_does_not_cover_and_keeps_it_to_themselves():
    _org, worker, parent = _org_case(["access"])
    (case,) = services.case_follow_ups_create(
        parent=parent, actor=parent.requester, kinds=["withdrawal"]
    )
    assert case.organisation_id is None
    assert not selectors.cases_visible_to(worker).filter(pk=case.pk).exists()
    # The access case's timeline, which the organisation reads, does not mention it.
    assert not parent.events.filter(data__follow_up_id=case.pk).exists()
    assert selectors.cases_visible_to(parent.requester).filter(pk=case.pk).exists()


# --- Clocks and answers as for access ----------------------------------------------------------


@pytest.mark.parametrize("kind", [k.value for k in FOLLOW_UP_KINDS])
def test_every_kind_gets_the_one_month_clock_and_records_its_answer_against_its_checklist(kind):
    parent = _access()
    (case,) = services.case_follow_ups_create(
        parent=parent, actor=parent.requester, kinds=[kind], grounds=["objection"]
    )
    sent = date(2027, 3, 5)
    with time_machine.travel(sent, tick=False):
        services.case_mark_sent(case=case, actor=case.requester, sent_on=sent, channel="email")
    response = case.deadlines.get(kind=DeadlineKind.RESPONSE)
    assert response.due_on == date(2027, 4, 5)  # Art. 12(3): one month, as for access
    items = checklist(kind)
    with time_machine.travel(sent + timedelta(days=20), tick=False):
        with pytest.raises(CaseError) as error:  # an access item is not on this kind's list
            services.case_record_response(
                case=case, actor=case.requester, received_on=sent, missing_items=["audio"]
            )
        assert error.value.field == "missing_items"
        services.case_record_response(
            case=case, actor=case.requester, received_on=date(2027, 3, 25), contains=items[:1]
        )
    case.refresh_from_db()
    assert case.missing_items == items[1:]
    assert case.outcome == (Outcome.PARTIAL if items[1:] else Outcome.COMPLETE)
