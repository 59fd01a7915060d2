"""The consumer's journey: file a request, follow it, record what the vendor did."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases import actions, services
from cases.models import (
    Article15Item,
    Case,
    CaseEvent,
    DeadlineState,
    EventKind,
    Incident,
    Status,
    User,
)
from tests.factories import (
    CaseEventFactory,
    CaseFactory,
    DeadlineFactory,
    UserFactory,
    VendorFactory,
)
from tests.journey_helpers import STATUSES, case_in_status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

PASSWORD = "a long and unusual passphrase 42"


def today() -> date:
    return timezone.localdate()


def request_data(**overrides) -> dict:
    data = {
        "requester_name": "Anna Muller",
        "requester_email": "anna@example.org",
        "requester_country": "DE",
        "requester_address": "",
        "account_identifiers": "anna@example.org",
        "device_serials": "G090XG1234567",
        "requested_items": ["audio", "transcripts", "annotations", "recipients"],
        "language": "de",
    }
    data.update(overrides)
    return data


def case_url(case: Case, name: str = "case_detail") -> str:
    return reverse(f"cases:{name}", args=[case.pk])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Pages anybody can see -------------------------------------------------------------------


def test_the_landing_page_says_what_the_tracker_does_and_lists_the_voice_vendors(client):
    VendorFactory(name="Amazon", products=["Alexa", "Echo"], slug="amazon-alexa")
    VendorFactory(name="Acme Toasters", voice_assistant=False, slug="acme")
    response = client.get(reverse("cases:landing"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Get your voice-assistant data back" in page
    assert "Amazon" in page and "Alexa, Echo" in page
    assert "Acme Toasters" not in page
    assert reverse("cases:request_details", args=["amazon-alexa"]) in page


def test_the_vendor_directory_shows_products_controller_and_lead_authority(client):
    vendor = VendorFactory(
        name="Google",
        legal_name="Google Ireland Limited",
        products=["Google Assistant", "Nest"],
        lead_authority__short_name="DPC",
        lead_authority__name="Data Protection Commission",
    )
    page = text_of(client.get(reverse("cases:vendor_list")))
    assert "Google Assistant, Nest" in page
    assert "Google Ireland Limited" in page
    assert "DPC" in page and "Data Protection Commission" in page
    assert reverse("cases:request_details", args=[vendor.slug]) in page


def test_the_request_starts_by_choosing_a_company(client):
    vendor = VendorFactory(name="Apple", products=["Siri"])
    page = text_of(client.get(reverse("cases:request_new")))
    assert "Apple" in page and "Siri" in page
    assert reverse("cases:request_details", args=[vendor.slug]) in page


def test_an_unknown_company_in_the_request_address_is_a_404(client):
    assert client.get(reverse("cases:request_details", args=["no-such-vendor"])).status_code == 404


# --- Filing a request ------------------------------------------------------------------------


def test_the_request_form_asks_for_every_article_15_item_by_default(client):
    vendor = VendorFactory(request_language="fr")
    response = client.get(reverse("cases:request_details", args=[vendor.slug]))
    form = response.context["form"]
    assert form["requested_items"].value() == [item.value for item in Article15Item]
    assert form["language"].value() == "fr"
    page = text_of(response)
    for item in Article15Item:
        assert f'value="{item.value}"' in page and "checked" in page


def test_a_logged_in_person_files_a_request_and_lands_on_its_case_page(client):
    user = UserFactory()
    vendor = VendorFactory()
    client.force_login(user)
    response = client.post(reverse("cases:request_details", args=[vendor.slug]), request_data())
    case = Case.objects.get(requester=user)
    assert response.status_code == 302
    assert response.url == case_url(case)
    assert case.vendor == vendor
    assert case.status == Status.DRAFT
    assert case.requester_country == "DE"
    assert case.language == "de"
    assert case.device_serials == "G090XG1234567"
    # Stored in the order of Article 15: paragraph 1 (c) before the copies of paragraph 3.
    assert case.requested_items == ["recipients", "audio", "transcripts", "annotations"]
    # Filing also asks for the letter to send, so the case page shows it being prepared.
    assert list(case.events.values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.LETTER_GENERATED,
    ]


def test_the_request_form_says_next_to_each_field_what_is_missing(client):
    client.force_login(UserFactory())
    vendor = VendorFactory()
    response = client.post(
        reverse("cases:request_details", args=[vendor.slug]),
        request_data(requester_name="", requester_email="not-an-address", requested_items=[]),
    )
    assert response.status_code == 200
    assert not Case.objects.exists()
    page = response.content.decode()
    for field in ("requester_name", "requester_email", "requested_items"):
        assert f'id="id_{field}_error"' in page
    assert "Choose at least one thing to ask for." in page
    assert 'aria-invalid="true"' in page


def test_an_anonymous_person_keeps_what_they_typed_while_registering_then_files_it(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    vendor = VendorFactory()
    response = client.post(reverse("cases:request_details", args=[vendor.slug]), request_data())
    confirm = reverse("cases:request_confirm")
    assert response.status_code == 302
    assert response.url == f"{reverse('cases:register')}?next={confirm}"
    assert not Case.objects.exists()

    # Registration happens in the middle of the flow, and comes back to the confirm step.
    page = client.get(response.url)
    assert f'name="next" value="{confirm}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:register"),
            {
                "email": "Anna@Example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "next": confirm,
            },
        )
    assert response.status_code == 302 and response.url == confirm
    assert len(mailoutbox) == 1

    summary = text_of(client.get(confirm))
    assert "Anna Muller" in summary and "G090XG1234567" in summary and "Germany" in summary

    response = client.post(confirm)
    case = Case.objects.get()
    assert response.url == case_url(case)
    assert case.requester == User.objects.get(email="anna@example.org")
    assert case.requester_name == "Anna Muller"
    # Stored in the order of Article 15: paragraph 1 (c) before the copies of paragraph 3.
    assert case.requested_items == ["recipients", "audio", "transcripts", "annotations"]
    # The draft is gone: confirming again files nothing more.
    assert client.post(confirm).url == reverse("cases:request_new")
    assert Case.objects.count() == 1


def test_an_anonymous_person_can_log_in_instead_and_still_file_the_request(client):
    user = UserFactory(email="ben@example.org", password=PASSWORD)
    vendor = VendorFactory()
    client.post(reverse("cases:request_details", args=[vendor.slug]), request_data())
    confirm = reverse("cases:request_confirm")
    response = client.post(
        reverse("cases:login"),
        {"username": "ben@example.org", "password": PASSWORD, "next": confirm},
    )
    assert response.status_code == 302 and response.url == confirm
    client.post(confirm)
    assert Case.objects.get().requester == user


def test_going_back_to_the_form_shows_what_was_typed(client):
    vendor = VendorFactory()
    client.post(reverse("cases:request_details", args=[vendor.slug]), request_data())
    form = client.get(reverse("cases:request_details", args=[vendor.slug])).context["form"]
    assert form["requester_name"].value() == "Anna Muller"
    assert form["device_serials"].value() == "G090XG1234567"


def test_confirming_with_no_request_kept_goes_back_to_the_start(client):
    client.force_login(UserFactory())
    response = client.get(reverse("cases:request_confirm"))
    assert response.status_code == 302 and response.url == reverse("cases:request_new")


def test_filing_requests_is_rate_limited_with_a_clear_429_page(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "request_create": "2/3600"}
    client.force_login(UserFactory())
    url = reverse("cases:request_details", args=[VendorFactory().slug])
    assert client.post(url, request_data()).status_code == 302
    assert client.post(url, request_data()).status_code == 302
    response = client.post(url, request_data())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()
    assert Case.objects.count() == 2


# --- My cases --------------------------------------------------------------------------------


def test_my_cases_shows_the_overdue_first_then_the_due_soon_then_the_rest(client):
    user = UserFactory()
    later = DeadlineFactory(case__requester=user, due_on=today() + timedelta(days=25)).case
    none = CaseFactory(requester=user)
    overdue = DeadlineFactory(case__requester=user, due_on=today() - timedelta(days=3)).case
    soon = DeadlineFactory(case__requester=user, due_on=today() + timedelta(days=2)).case
    CaseFactory()  # somebody else's
    client.force_login(user)
    response = client.get(reverse("cases:my_cases"))
    assert [row["case"] for row in response.context["rows"]] == [overdue, soon, later, none]
    assert [row["urgency"] for row in response.context["rows"]] == [
        "overdue",
        "soon",
        "later",
        "none",
    ]
    page = text_of(response)
    assert "3 days late" in page and "in 2 days" in page


def test_my_cases_keeps_a_missed_clock_on_top_and_a_closed_case_out_of_the_way(client):
    user = UserFactory()
    soon = DeadlineFactory(case__requester=user, due_on=today() + timedelta(days=2)).case
    # The nightly scan marked it missed: it is still the most urgent.
    missed = DeadlineFactory(
        case__requester=user, due_on=today() - timedelta(days=9), state=DeadlineState.MISSED
    ).case
    closed = DeadlineFactory(
        case__requester=user, case__status=Status.CLOSED, due_on=today() - timedelta(days=20)
    ).case
    client.force_login(user)
    rows = client.get(reverse("cases:my_cases")).context["rows"]
    assert [(row["case"], row["urgency"]) for row in rows] == [
        (missed, "overdue"),
        (soon, "soon"),
        (closed, "none"),
    ]


def test_my_cases_makes_as_many_queries_for_20_cases_as_for_1(client, django_assert_num_queries):
    one, twenty = UserFactory(), UserFactory()
    DeadlineFactory(case__requester=one)
    for n in range(20):
        DeadlineFactory(case__requester=twenty, due_on=today() + timedelta(days=n - 5))
    client.force_login(one)
    client.get(reverse("cases:my_cases"))
    with CaptureQueriesContext(connection) as baseline:
        assert len(client.get(reverse("cases:my_cases")).context["rows"]) == 1
    expected = len(baseline)  # read now: later requests clear the log it points into
    client.force_login(twenty)
    client.get(reverse("cases:my_cases"))
    with django_assert_num_queries(expected):
        assert len(client.get(reverse("cases:my_cases")).context["rows"]) == 20


# --- The case page ---------------------------------------------------------------------------


def test_the_case_page_shows_status_clocks_with_days_left_next_step_and_timeline(client):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    response = client.get(case_url(case))
    page = text_of(response)
    assert response.status_code == 200
    assert "Awaiting response" in page
    response_clock = case.deadlines.get(kind="response")
    assert response_clock.due_on.strftime("%Y-%m-%d") in page
    days_left = (response_clock.due_on - today()).days
    assert f"{days_left} days left" in page
    assert "What to do next" in page and "must answer by" in page
    assert "Request sent — by e-mail" in page
    assert "Case created" in page


def test_the_case_page_makes_as_many_queries_with_20_events_as_with_1(
    client, django_assert_num_queries
):
    user = UserFactory()
    small = CaseFactory(requester=user, sent=True)
    big = CaseFactory(requester=user, sent=True)
    services.deadlines_refresh(case=small)
    services.deadlines_refresh(case=big)
    CaseEventFactory(case=small, kind=EventKind.CREATED)
    kinds = [
        (EventKind.SENT, {"channel": "email"}),
        (EventKind.RESPONSE_RECEIVED, {"missing_items": ["audio"]}),
        (EventKind.INCIDENT_RECORDED, {"incident_kind": "misdirected_export"}),
        (EventKind.EVIDENCE_ADDED, {"file_name": "answer.pdf"}),
        (EventKind.NOTE, {}),
    ]
    for n in range(20):
        kind, data = kinds[n % len(kinds)]
        CaseEventFactory(case=big, kind=kind, data=data, note=f"note {n}")
    client.force_login(user)
    client.get(case_url(small))
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(case_url(small)).status_code == 200
    expected = len(baseline)  # read now: later requests clear the log it points into
    client.get(case_url(big))
    with django_assert_num_queries(expected):
        response = client.get(case_url(big))
    assert len(response.context["timeline"]) == big.events.count()


EXPECTED_ACTIONS = {
    Status.DRAFT: ["mark_sent", "incident", "evidence", "close"],
    Status.SENT: ["delivery", "incident", "evidence", "close"],
    Status.AWAITING_RESPONSE: [
        "acknowledgement",
        "response",
        "identity_requested",
        "extension",
        "incident",
        "evidence",
        "close",
    ],
    Status.PAUSED_FOR_IDENTITY: [
        "acknowledgement",
        "response",
        "identity_provided",
        "extension",
        "incident",
        "evidence",
        "close",
    ],
    Status.EXTENDED: ["response", "identity_requested", "incident", "evidence", "close"],
    Status.ANSWERED: ["response", "incident", "evidence", "close"],
    Status.ESCALATED: ["response", "incident", "evidence", "close"],
    Status.COMPLAINT_FILED: ["response", "authority_reply", "incident", "evidence", "close"],
    Status.CLOSED: [],
}


@pytest.mark.parametrize("status", STATUSES)
def test_the_case_page_offers_only_the_actions_that_fit_the_status(client, status):
    case = case_in_status(status)
    client.force_login(case.requester)
    response = client.get(case_url(case))
    offered = [action["name"] for action in response.context["actions"]]
    assert offered == EXPECTED_ACTIONS[status]
    page = response.content.decode()
    for name in actions.ORDER:
        assert (f'href="{case_url(case, f"case_{name}")}"' in page) == (name in offered)


def valid_post(name: str) -> dict:
    day = today().isoformat()
    return {
        "mark_sent": {"sent_on": day, "channel": "email"},
        "delivery": {"delivered_on": day},
        "acknowledgement": {"acknowledged_on": day},
        "identity_requested": {"requested_on": day, "note": "a copy of my ID card"},
        "identity_provided": {"provided_on": day},
        "extension": {"notified_on": day, "reason": "number of requests"},
        "response": {"received_on": day, "contains": ["transcripts"]},
        "authority_reply": {"kind": "acknowledgement", "replied_on": day},
        "incident": {
            "kind": "misdirected_export",
            "discovered_on": day,
            "records_affected": "1700",
            "data_categories": ["audio", "transcripts"],
            "side": "own_data",
        },
        "evidence": {
            "file": SimpleUploadedFile("answer.txt", b"Dear customer, here is your data.\n"),
            "description": "the answer",
        },
        "close": {"outcome": "complete", "note": "done"},
    }[name]


@pytest.mark.parametrize(
    ("status", "name"),
    [(status, name) for status, names in EXPECTED_ACTIONS.items() for name in names],
)
def test_every_action_the_page_offers_is_accepted(client, status, name):
    case = case_in_status(status)
    client.force_login(case.requester)
    events_before = case.events.count()
    response = client.post(case_url(case, f"case_{name}"), valid_post(name))
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert response.url == case_url(case) + "#timeline"
    assert case.events.count() > events_before


def test_an_email_request_marked_sent_starts_the_one_month_clock(client):
    case = case_in_status(Status.DRAFT)
    client.force_login(case.requester)
    sent = today() - timedelta(days=3)
    client.post(case_url(case, "case_mark_sent"), {"sent_on": sent.isoformat(), "channel": "email"})
    case.refresh_from_db()
    assert (case.status, case.sent_on, case.received_on) == (Status.AWAITING_RESPONSE, sent, sent)
    assert case.deadlines.filter(kind="response", state=DeadlineState.OPEN).exists()


def test_a_posted_request_starts_the_clock_on_delivery(client):
    case = case_in_status(Status.DRAFT)
    client.force_login(case.requester)
    sent = today() - timedelta(days=5)
    client.post(case_url(case, "case_mark_sent"), {"sent_on": sent.isoformat(), "channel": "post"})
    case.refresh_from_db()
    assert case.status == Status.SENT and case.received_on is None
    assert not case.deadlines.exists()
    delivered = sent + timedelta(days=2)
    client.post(case_url(case, "case_delivery"), {"delivered_on": delivered.isoformat()})
    case.refresh_from_db()
    assert case.status == Status.AWAITING_RESPONSE and case.received_on == delivered


def test_a_posted_request_can_be_marked_sent_and_delivered_at_once(client):
    case = case_in_status(Status.DRAFT)
    client.force_login(case.requester)
    sent, delivered = today() - timedelta(days=5), today() - timedelta(days=2)
    client.post(
        case_url(case, "case_mark_sent"),
        {"sent_on": sent.isoformat(), "channel": "post", "delivered_on": delivered.isoformat()},
    )
    case.refresh_from_db()
    assert case.received_on == delivered


def test_the_vendor_asking_for_identity_pauses_the_clock_until_the_answer(client):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    asked = today() - timedelta(days=4)
    client.post(case_url(case, "case_identity_requested"), {"requested_on": asked.isoformat()})
    case.refresh_from_db()
    assert case.status == Status.PAUSED_FOR_IDENTITY
    assert case.deadlines.get(kind="response").paused_since == asked
    page = text_of(client.get(case_url(case)))
    assert "paused" in page and "reasonable doubts" in page

    client.post(case_url(case, "case_identity_provided"), {"provided_on": today().isoformat()})
    case.refresh_from_db()
    assert case.status == Status.AWAITING_RESPONSE
    assert case.deadlines.get(kind="response").paused_since is None


def test_an_extension_needs_the_reason_the_vendor_gave(client):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    response = client.post(
        case_url(case, "case_extension"), {"notified_on": today().isoformat(), "reason": ""}
    )
    assert response.status_code == 200
    assert 'id="id_extension_reason_error"' in response.content.decode()
    client.post(
        case_url(case, "case_extension"),
        {"notified_on": today().isoformat(), "reason": "complexity"},
    )
    case.refresh_from_db()
    assert case.status == Status.EXTENDED
    extension = case.events.get(kind=EventKind.EXTENSION_NOTIFIED)
    assert extension.data["reason"] == "complexity"


def test_every_item_left_unticked_in_the_answer_becomes_a_missing_item(client):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    ticked = ["transcripts", "purposes", "categories", "retention", "rights", "source"]
    client.post(
        case_url(case, "case_response"),
        {"received_on": today().isoformat(), "contains": ticked, "note": "a ZIP of JSON files"},
    )
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert set(case.missing_items) == {
        "audio",
        "annotations",
        "recipients",
        "safeguards",
        "automated_decisions",
    }
    page = text_of(client.get(case_url(case)))
    assert "Missing from the company's answer" in page
    assert str(Article15Item.AUDIO.label) in page
    assert "The answer lacks 5 of the things you asked for" in page


def test_the_answer_checklist_lists_what_was_asked_for(client):
    case = case_in_status(Status.AWAITING_RESPONSE)
    Case.objects.filter(pk=case.pk).update(requested_items=["audio", "transcripts"])
    client.force_login(case.requester)
    form = client.get(case_url(case, "case_response")).context["form"]
    assert [value for value, _label in form.fields["contains"].choices] == ["audio", "transcripts"]


def test_an_incident_is_recorded_with_records_affected_and_data_categories(client):
    case = case_in_status(Status.ANSWERED)
    client.force_login(case.requester)
    response = client.post(
        case_url(case, "case_incident"),
        {
            "kind": "misdirected_export",
            "occurred_on": (today() - timedelta(days=2)).isoformat(),
            "discovered_on": today().isoformat(),
            "reported_to_vendor_on": today().isoformat(),
            "records_affected": "1700",
            "data_categories": ["audio", "transcripts"],
            "side": "own_data",
            "other_categories": "first name, device serial",
            "description": "The export held a stranger's recordings.",
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get(case=case)
    assert incident.records_affected == 1700
    assert incident.data_categories == ["audio", "transcripts", "first name", "device serial"]
    assert not case.deadlines.filter(kind="breach_notification").exists()
    page = text_of(client.get(case_url(case)))
    assert "72 hours from when you told the company:" in page
    assert "only the authority can check whether it was notified" in page
    assert "Data sent to the wrong person" in page
    assert "audio recordings, transcripts, first name, device serial" in page


def test_a_negative_number_of_records_is_refused_next_to_the_field(client):
    case = case_in_status(Status.ANSWERED)
    client.force_login(case.requester)
    response = client.post(
        case_url(case, "case_incident"),
        {"kind": "other_breach", "discovered_on": today().isoformat(), "records_affected": "-4"},
    )
    assert response.status_code == 200
    assert 'id="id_incident_records_affected_error"' in response.content.decode()
    assert not Incident.objects.exists()


def test_a_date_in_the_future_is_refused_next_to_the_field(client):
    case = case_in_status(Status.DRAFT)
    client.force_login(case.requester)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = client.post(
        case_url(case, "case_mark_sent"), {"sent_on": tomorrow, "channel": "email"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_mark_sent_sent_on_error"' in page and "This date is in the future." in page
    # The action's page again, with what was typed.
    assert f'<form method="post" action="{case_url(case, "case_mark_sent")}" id="mark_sent"' in page
    assert f'value="{tomorrow}"' in page
    case.refresh_from_db()
    assert case.status == Status.DRAFT


def test_closing_a_case_records_the_outcome_and_offers_nothing_more(client):
    case = case_in_status(Status.ANSWERED)
    client.force_login(case.requester)
    client.post(case_url(case, "case_close"), {"outcome": "partial", "note": "enough"})
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.outcome == "partial"
    assert client.get(case_url(case)).context["actions"] == []


def test_an_action_that_no_longer_fits_is_refused_with_a_message(client):
    case = case_in_status(Status.CLOSED)
    client.force_login(case.requester)
    response = client.post(
        case_url(case, "case_incident"),
        {"kind": "other_breach", "discovered_on": today().isoformat()},
        follow=True,
    )
    assert "This cannot be recorded on this case any more." in text_of(response)
    assert not Incident.objects.exists()
    assert case.events.filter(kind=EventKind.INCIDENT_RECORDED).count() == 0


def test_an_action_records_only_on_post(client):
    case = case_in_status(Status.DRAFT)
    client.force_login(case.requester)
    events_before = case.events.count()
    assert client.get(case_url(case, "case_mark_sent")).status_code == 200  # its page
    assert client.put(case_url(case, "case_mark_sent")).status_code == 405
    assert client.delete(case_url(case, "case_mark_sent")).status_code == 405
    case.refresh_from_db()
    assert case.status == Status.DRAFT and case.events.count() == events_before


# --- An action's own page --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "name"),
    [(status, name) for status, names in EXPECTED_ACTIONS.items() for name in names],
)
def test_each_action_the_case_page_lists_has_a_page_with_its_form(client, status, name):
    case = case_in_status(status)
    client.force_login(case.requester)
    listed = next(a for a in client.get(case_url(case)).context["actions"] if a["name"] == name)
    response = client.get(listed["url"])
    assert response.status_code == 200
    page = response.content.decode()
    form = response.context["form"]
    assert f'<form method="post" action="{case_url(case, f"case_{name}")}" id="{name}"' in page
    for field in form:
        assert f'id="id_{name}_{field.name}' in page
    assert f"<h1>{escape(listed['title'])}</h1>" in page
    assert case.vendor.name in page and case.get_status_display().capitalize() in page
    assert f'href="{case_url(case)}"' in page  # back to the case


def test_the_page_of_an_action_that_no_longer_fits_sends_back_to_the_case(client):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    response = client.get(case_url(case, "case_mark_sent"))
    assert response.status_code == 302 and response.url == case_url(case)
    page = text_of(client.get(response.url))
    assert "This cannot be recorded on this case any more." in page
    closed = case_in_status(Status.CLOSED, requester=case.requester)
    response = client.get(case_url(closed, "case_evidence"), follow=True)
    assert response.redirect_chain == [(case_url(closed), 302)]
    assert "This cannot be recorded on this case any more." in text_of(response)


def test_an_actions_page_is_a_404_for_another_person(client):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(UserFactory())
    for name in EXPECTED_ACTIONS[Status.AWAITING_RESPONSE]:
        assert client.get(case_url(case, f"case_{name}")).status_code == 404


def test_a_refused_form_comes_back_on_the_actions_page_with_what_was_typed(client):
    case = case_in_status(Status.AWAITING_RESPONSE)
    client.force_login(case.requester)
    response = client.post(
        case_url(case, "case_extension"), {"notified_on": "not a date", "reason": "complexity"}
    )
    assert response.status_code == 200
    assert response.templates[0].name == "cases/case_action.html"
    page = response.content.decode()
    assert 'id="id_extension_notified_on_error"' in page and "complexity</textarea>" in page
    assert case.events.filter(kind=EventKind.EXTENSION_NOTIFIED).count() == 0


# --- Languages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["landing", "vendor_list", "authority_list", "request_new", "login", "register"]
)
def test_every_page_carries_the_active_language_on_its_html_element(client, name):
    client.cookies["django_language"] = "de"
    page = client.get(reverse(f"cases:{name}")).content.decode()
    assert '<html lang="de">' in page


def test_the_language_switcher_changes_the_language_and_remembers_it_on_the_account(client):
    user = UserFactory(language="en")
    client.force_login(user)
    page = client.get(reverse("cases:my_cases")).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/cases/"})
    assert response.status_code == 302 and response.url == "/cases/"
    user.refresh_from_db()
    assert user.language == "fr"
    assert '<html lang="fr">' in client.get("/cases/").content.decode()


def test_the_language_switcher_works_for_anonymous_visitors_too(client):
    response = client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert response.cookies["django_language"].value == "de"
    assert '<html lang="de">' in client.get("/").content.decode()


def test_dates_are_written_the_way_the_language_writes_them(client):
    case = CaseFactory(sent=True)
    DeadlineFactory(case=case, due_on=date(2027, 9, 30))
    client.force_login(case.requester)
    assert "30 September 2027" in client.get(case_url(case)).content.decode()
    client.cookies["django_language"] = "fr"
    assert "30 septembre 2027" in client.get(case_url(case)).content.decode()
    client.cookies["django_language"] = "de"
    assert "30. September 2027" in client.get(case_url(case)).content.decode()


def test_the_case_timeline_records_who_did_what(client):
    case = case_in_status(Status.AWAITING_RESPONSE)
    event = CaseEvent.objects.filter(case=case, kind=EventKind.SENT).get()
    assert event.actor == case.requester


def test_my_cases_come_fifty_to_a_page(client):
    user = UserFactory()
    CaseFactory.create_batch(51, requester=user)
    client.force_login(user)
    first = client.get(reverse("cases:my_cases"))
    assert len(first.context["rows"]) == 50
    assert 'href="?page=2"' in first.content.decode()
    second = client.get(reverse("cases:my_cases"), {"page": "2"})
    assert len(second.context["rows"]) == 1
    assert 'href="?page=1"' in second.content.decode()
    assert client.get(reverse("cases:my_cases"), {"page": "nonsense"}).status_code == 200


# --- Clocks on the case page: disputed pauses, stale "missed" entries, the authority ---------


BRUSSELS = ZoneInfo("Europe/Brussels")


def test_the_case_page_no_longer_shows_a_missed_deadline_an_extension_in_time_answered(client):
    # Microsoft (IE), received Tuesday 31 August 2027: due Thursday 30 September. The scan of
    # 5 October marks it missed; the extension notified on 20 September is recorded afterwards.
    case = CaseFactory(
        vendor=VendorFactory(name="Microsoft", country="IE"),
        status=Status.DRAFT,
        sent_on=None,
        received_on=None,
    )
    with time_machine.travel(datetime(2027, 8, 31, 12, tzinfo=BRUSSELS), tick=False):
        services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 8, 31), channel="email")
    with time_machine.travel(datetime(2027, 10, 5, 12, tzinfo=BRUSSELS), tick=False):
        client.force_login(case.requester)
        services.deadlines_mark_missed()
        assert "Deadline missed" in text_of(client.get(case_url(case)))
        response = client.post(
            case_url(case, "case_extension"),
            {"notified_on": "2027-09-20", "reason": "many recordings"},
        )
        assert response.status_code == 302
        page = text_of(client.get(case_url(case)))
    assert "Deadline missed" not in page
    assert case.deadlines.get(kind="response").state == DeadlineState.MET
    assert CaseEvent.objects.filter(case=case, kind=EventKind.DEADLINE_MISSED).exists()


def test_the_case_page_shows_both_dates_of_a_clock_whose_identity_pause_is_disputed(client):
    # Received Friday 29 Jan 2027 (LU), ID card asked 1 Feb, sent 3 Feb, demand recorded as
    # excessive: due Monday 1 March 2027; counting the pause, Tuesday 2 March.
    case = CaseFactory(
        vendor=VendorFactory(country="LU"), status=Status.DRAFT, sent_on=None, received_on=None
    )
    with time_machine.travel(datetime(2027, 2, 10, 12, tzinfo=BRUSSELS), tick=False):
        client.force_login(case.requester)
        services.case_mark_sent(case=case, actor=None, sent_on=date(2027, 1, 29), channel="email")
        services.case_identity_requested(case=case, actor=None, requested_on=date(2027, 2, 1))
        services.case_identity_provided(case=case, actor=None, provided_on=date(2027, 2, 3))
        page = text_of(client.get(case_url(case)))
        assert "if the identity check you dispute is counted" not in page
        client.post(
            case_url(case, "case_incident"),
            {"kind": "excessive_identity_demand", "discovered_on": "2027-02-04"},
        )
        page = text_of(client.get(case_url(case)))
    assert '<time datetime="2027-03-01">' in page
    assert "2 March 2027 if the identity check you dispute is counted" in page


def test_the_authority_reply_form_asks_whether_it_was_only_an_acknowledgement(client):
    case = case_in_status(Status.COMPLAINT_FILED)
    client.force_login(case.requester)
    form_page = text_of(client.get(case_url(case, "case_authority_reply")))
    assert "It only acknowledged receipt" in form_page
    assert "It reported progress or an outcome" in form_page
    day = today().isoformat()
    client.post(
        case_url(case, "case_authority_reply"), {"kind": "acknowledgement", "replied_on": day}
    )
    clock = case.deadlines.get(kind="authority_progress")
    assert (clock.state, clock.met_on) == (DeadlineState.OPEN, None)
    page = text_of(client.get(case_url(case)))
    assert "Authority acknowledged receipt" in page
    client.post(case_url(case, "case_authority_reply"), {"kind": "progress", "replied_on": day})
    clock.refresh_from_db()
    assert (clock.state, clock.met_on) == (DeadlineState.MET, today())
    assert "Authority reported progress or an outcome" in text_of(client.get(case_url(case)))


def test_a_misdirected_export_shows_the_vendors_72_hours_as_information(client):
    case = case_in_status(Status.AWAITING_RESPONSE)
    with time_machine.travel(datetime(2027, 3, 3, 12, tzinfo=BRUSSELS), tick=False):
        client.force_login(case.requester)
        services.incident_record(
            case=case,
            actor=None,
            kind="misdirected_export",
            discovered_on=date(2027, 2, 26),
            reported_to_vendor_on=date(2027, 3, 1),
        )
        page = text_of(client.get(case_url(case)))
    # Told on Monday 1 March 2027: the 72 hours end on Thursday 4 March (UTC).
    assert '72 hours from when you told the company:</dt><dd><time datetime="2027-03-04">' in page
    assert not case.deadlines.filter(kind="breach_notification").exists()
