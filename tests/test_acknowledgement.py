"""A confirmation of receipt: recorded on the timeline, never an answer, and no clock moves."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases import actions, selectors, services
from cases.exceptions import ActionNotAvailable, CaseError
from cases.models import CaseEvent, Deadline, EventKind, Status
from tests.api_helpers import headers, personal_key
from tests.factories import CaseFactory, VendorFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2027, 3, 10, 12, tzinfo=BRUSSELS)


@pytest.fixture
def sent_case(db):
    case = CaseFactory(
        vendor=VendorFactory(name="Amazon", country="LU"),
        status=Status.DRAFT,
        sent_on=None,
        received_on=None,
    )
    with time_machine.travel(NOW, tick=False):
        services.case_mark_sent(
            case=case, actor=case.requester, sent_on=date(2027, 3, 1), channel="email"
        )
    case.refresh_from_db()
    return case


def _clocks(case) -> list[tuple[str, date, str]]:
    return sorted(Deadline.objects.filter(case=case).values_list("key", "due_on", "state"))


@time_machine.travel(NOW, tick=False)
def test_a_confirmation_of_receipt_is_recorded_and_moves_no_clock(sent_case):
    before = _clocks(sent_case)
    services.case_record_acknowledgement(
        case=sent_case, actor=sent_case.requester, acknowledged_on=date(2027, 3, 3), note="ok"
    )
    sent_case.refresh_from_db()
    assert sent_case.status == Status.AWAITING_RESPONSE
    assert _clocks(sent_case) == before
    event = CaseEvent.objects.get(case=sent_case, kind=EventKind.ACKNOWLEDGED)
    assert event.occurred_on == date(2027, 3, 3) and event.note == "ok"
    # once is enough, and never after an answer
    with pytest.raises(ActionNotAvailable):
        services.case_record_acknowledgement(
            case=sent_case, actor=sent_case.requester, acknowledged_on=date(2027, 3, 4)
        )


@time_machine.travel(NOW, tick=False)
def test_a_confirmation_cannot_come_before_receipt_or_in_the_future(sent_case):
    for day in (date(2027, 2, 27), date(2027, 3, 11)):
        with pytest.raises(CaseError) as error:
            services.case_record_acknowledgement(
                case=sent_case, actor=sent_case.requester, acknowledged_on=day
            )
        assert error.value.field == "acknowledged_on"


@time_machine.travel(NOW, tick=False)
def test_it_is_offered_only_while_the_request_awaits_an_answer(sent_case):
    draft = CaseFactory(status=Status.DRAFT, sent_on=None, received_on=None)
    assert actions.ACKNOWLEDGEMENT not in actions.allowed_actions(draft, [])
    events = list(sent_case.events.all())
    assert actions.ACKNOWLEDGEMENT in actions.allowed_actions(sent_case, events)
    services.case_record_response(
        case=sent_case, actor=sent_case.requester, received_on=date(2027, 3, 5), contains=[]
    )
    sent_case.refresh_from_db()
    events = list(sent_case.events.all())
    assert actions.ACKNOWLEDGEMENT not in actions.allowed_actions(sent_case, events)


@time_machine.travel(NOW, tick=False)
def test_the_page_records_it_and_another_users_case_answers_404(client, sent_case):
    url = reverse("cases:case_acknowledgement", args=[sent_case.pk])
    stranger = CaseFactory().requester
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(sent_case.requester)
    page = client.get(reverse("cases:case_detail", args=[sent_case.pk])).content.decode()
    assert url in page
    response = client.post(url, {"acknowledged_on": "2027-03-02", "note": ""})
    assert response.status_code == 302
    timeline = client.get(reverse("cases:case_detail", args=[sent_case.pk])).content.decode()
    assert "Vendor acknowledged receipt" in timeline
    assert selectors.case_events(sent_case).filter(kind=EventKind.ACKNOWLEDGED).count() == 1


@time_machine.travel(NOW, tick=False)
def test_the_api_records_it(client, sent_case):
    _key, secret = personal_key(sent_case.requester)
    url = f"/api/v1/cases/{sent_case.pk}/acknowledgement/"
    json = {"content_type": "application/json", **headers(secret)}
    before_receipt = client.post(url, {"acknowledged_on": "2027-02-01"}, **json)
    assert before_receipt.status_code == 422  # well-formed, refused by a rule of the domain
    assert "acknowledged_on" in before_receipt.json()["error"]["fields"]
    ok = client.post(url, {"acknowledged_on": "2027-03-02"}, **json)
    assert ok.status_code == 200, ok.content
    assert CaseEvent.objects.filter(case=sent_case, kind=EventKind.ACKNOWLEDGED).count() == 1
