"""The pages people load most cost a constant number of SQL queries, whatever the number of
events, deadlines, letters, incidents, files and cases behind them.

Each test builds the same page at two sizes through the services and the factories, counts the
queries of the second view of the small one (the first warms per-process lookups such as content
types), and asserts the big one costs exactly as many. The case page has a ceiling too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    Case,
    Channel,
    DeadlineKind,
    DeadlineState,
    EventKind,
    IncidentKind,
    LetterKind,
    LetterStatus,
    MandateScope,
    Membership,
    Organisation,
    User,
)
from tests.factories import (
    CaseEventFactory,
    DeadlineFactory,
    LetterFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

# 9: session, user, case, deadlines, events, evidence, incidents, reminders (the section that shows
# what is scheduled and sent, one query whatever their number), letters.
CASE_PAGE_MAX_QUERIES = 9
ALL_SCOPES = [s.value for s in MandateScope]

# Event kinds with the data the timeline describes, so that every branch of its wording runs.
EVENTS = [
    (EventKind.NOTE, {}),
    (EventKind.SENT, {"channel": Channel.EMAIL}),
    (EventKind.EXTENSION_NOTIFIED, {"reason": "complexity"}),
    (EventKind.RESPONSE_RECEIVED, {"missing_items": ["audio"]}),
    (EventKind.INCIDENT_RECORDED, {"incident_kind": IncidentKind.MISDIRECTED_EXPORT}),
    (EventKind.EVIDENCE_ADDED, {"file_name": "answer.txt"}),
    # Still true on the page (`facts.missed_event_stands`): the extra clock due 10 days ago.
    (EventKind.DEADLINE_MISSED, {"deadline_kind": DeadlineKind.AUTHORITY_PROGRESS}),
]


def today():
    return timezone.localdate()


def count_queries(client: Client, url: str) -> tuple[int, list[str]]:
    """The queries of one GET of `url` (asserted 200), after one GET to warm the process."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries), [q["sql"] for q in queries.captured_queries]


def sent_case(requester: User) -> Case:
    """A request sent by e-mail and received 20 days ago: its clocks run."""
    case = services.case_create(
        requester=requester,
        vendor=VendorFactory(),
        requester_name=requester.full_name or "Anna Muller",
        requester_email=requester.email,
        requester_country="DE",
        account_identifiers=requester.email,
        requested_items=["audio", "transcripts"],
        language="en",
    )
    services.case_mark_sent(
        case=case,
        actor=requester,
        sent_on=today() - timedelta(days=20),
        channel=Channel.EMAIL,
    )
    return Case.objects.get(pk=case.pk)


def grow_case(case: Case) -> None:
    """Make `case` big: 40 events, 6 deadlines, 5 letters, 3 incidents and 3 files."""
    requester = case.requester
    incidents = [
        services.incident_record(
            case=case,
            actor=requester,
            kind=kind,
            discovered_on=today() - timedelta(days=n + 1),
            records_affected=10 * (n + 1),
            data_categories=["audio", "transcripts"],
            description=f"incident {n}",
        )
        for n, kind in enumerate(
            [
                IncidentKind.MISDIRECTED_EXPORT,
                IncidentKind.UNDISCLOSED_REVIEW,
                IncidentKind.MISDIRECTED_EXPORT,
            ]
        )
    ]
    for n in range(3):
        services.evidence_add(
            case=case,
            actor=requester,
            upload=SimpleUploadedFile(f"answer-{n}.txt", b"Your data, part %d.\n" % n),
            description=f"file {n}",
            incident=incidents[n],
        )
    for n in range(40 - case.events.count()):
        kind, data = EVENTS[n % len(EVENTS)]
        if kind == EventKind.DEADLINE_MISSED:
            data = {**data, "due_on": (today() - timedelta(days=10)).isoformat()}
        CaseEventFactory(
            case=case,
            kind=kind,
            data=data,
            note=f"note {n}",
            occurred_on=today() - timedelta(days=n % 15),
        )
    for n in range(6 - case.deadlines.count()):
        DeadlineFactory(
            case=case,
            kind=DeadlineKind.ADMONITION if n % 2 else DeadlineKind.AUTHORITY_PROGRESS,
            key=f"extra-{n}",
            due_on=today() + timedelta(days=7 * n - 10),
            state=[DeadlineState.OPEN, DeadlineState.MET, DeadlineState.MISSED][n % 3],
        )
    authority = case.vendor.lead_authority
    for kind, version, status, extra in [
        (LetterKind.ACCESS_REQUEST, 1, LetterStatus.READY, {}),
        (LetterKind.ACCESS_REQUEST, 2, LetterStatus.READY, {}),
        (LetterKind.REMINDER, 1, LetterStatus.FAILED, {}),
        (LetterKind.COMPLAINT, 1, LetterStatus.QUEUED, {"authority": authority}),
        (LetterKind.INCIDENT_NOTICE, 1, LetterStatus.READY, {}),
    ]:
        LetterFactory(case=case, kind=kind, version=version, status=status, **extra)
    assert case.events.count() >= 40
    assert (case.deadlines.count(), case.letters.count()) == (6, 5)
    assert (case.incidents.count(), case.evidence.count()) == (3, 3)


def assert_same_count(small: tuple[int, list[str]], big: tuple[int, list[str]]) -> None:
    assert big[0] == small[0], "\n".join(["small:", *small[1], "big:", *big[1]])


# --- The case page ---------------------------------------------------------------------------


@pytest.fixture
def organisation() -> Organisation:
    return OrganisationFactory()


@pytest.fixture
def caseworker(organisation: Organisation) -> User:
    return MembershipFactory(organisation=organisation, role=Membership.Role.CASEWORKER).user


def _mandated(case: Case, organisation: Organisation) -> Case:
    services.mandate_grant(
        case=case, actor=case.requester, organisation=organisation, scope=ALL_SCOPES
    )
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("viewer", ["requester", "caseworker"])
def test_the_case_page_costs_the_same_few_queries_for_a_small_or_a_big_case(
    client: Client, organisation: Organisation, caseworker: User, viewer: str
) -> None:
    small = sent_case(UserFactory())
    big = sent_case(UserFactory())
    grow_case(big)
    if viewer == "caseworker":
        small, big = _mandated(small, organisation), _mandated(big, organisation)

    def url(case: Case) -> str:
        return reverse("cases:case_detail", args=[case.pk])

    client.force_login(small.requester if viewer == "requester" else caseworker)
    small_count = count_queries(client, url(small))
    client.force_login(big.requester if viewer == "requester" else caseworker)
    big_count = count_queries(client, url(big))
    response = client.get(url(big))
    assert len(response.context["timeline"]) == big.events.count()
    assert len(response.context["clocks"]) == 6
    assert_same_count(small_count, big_count)


@pytest.mark.parametrize("viewer", ["requester", "caseworker"])
def test_the_case_page_costs_at_most_9_queries(
    client: Client, organisation: Organisation, caseworker: User, viewer: str
) -> None:
    case = sent_case(UserFactory())
    grow_case(case)
    if viewer == "caseworker":
        case = _mandated(case, organisation)
    client.force_login(case.requester if viewer == "requester" else caseworker)
    count, queries = count_queries(client, reverse("cases:case_detail", args=[case.pk]))
    assert count <= CASE_PAGE_MAX_QUERIES, "\n".join(queries)


# --- My cases --------------------------------------------------------------------------------


def _cases_of(requester: User, n: int) -> None:
    """n cases of the requester, each with its clocks, some with more deadlines and events."""
    for i in range(n):
        case = sent_case(requester)
        if i % 3 == 0:
            DeadlineFactory(
                case=case, kind=DeadlineKind.ADMONITION, key="extra", due_on=today() - timedelta(i)
            )
        CaseEventFactory(case=case, kind=EventKind.NOTE, note=f"note {i}")


def test_my_cases_costs_the_same_queries_for_2_or_30_cases(client: Client) -> None:
    few, many = UserFactory(), UserFactory()
    _cases_of(few, 2)
    _cases_of(many, 30)
    url = reverse("cases:my_cases")
    client.force_login(few)
    small = count_queries(client, url)
    client.force_login(many)
    big = count_queries(client, url)
    assert len(client.get(url).context["rows"]) == 30
    assert_same_count(small, big)


# --- The organisation's dashboard, filtered --------------------------------------------------


def _mandated_cases(organisation: Organisation, caseworker: User, n: int) -> None:
    """n cases mandated to the organisation, assigned, some overdue, some with an incident."""
    for i in range(n):
        case = _mandated(sent_case(UserFactory()), organisation)
        services.case_assign(
            case=case, actor=caseworker, organisation=organisation, assignee=caseworker
        )
        DeadlineFactory(
            case=case,
            kind=DeadlineKind.ADMONITION,
            key="extra",
            due_on=today() + timedelta(days=(i * 7) % 30 - 10),
        )
        if i % 2:
            services.incident_record(
                case=case,
                actor=case.requester,
                kind=IncidentKind.MISDIRECTED_EXPORT,
                discovered_on=today(),
            )


FILTERS: dict[str, Callable[[User], str]] = {
    "status and sort by due": lambda worker: "?status=awaiting_response&sort=due",
    "overdue": lambda worker: "?overdue=on",
    "due within, assignee, search": lambda worker: f"?due_within=30&assignee={worker.pk}&q=a",
    "incident": lambda worker: "?incident_kind=misdirected_export&sort=updated",
}


@pytest.mark.parametrize("query", FILTERS.values(), ids=FILTERS.keys())
def test_the_filtered_dashboard_costs_the_same_queries_for_2_or_30_cases(
    client: Client, caseworker: User, query: Callable[[User], str]
) -> None:
    small_org = Organisation.objects.get(memberships__user=caseworker)
    big_org = OrganisationFactory()
    MembershipFactory(organisation=big_org, user=caseworker, role=Membership.Role.CASEWORKER)
    _mandated_cases(small_org, caseworker, 2)
    _mandated_cases(big_org, caseworker, 30)
    client.force_login(caseworker)

    def url(organisation: Organisation) -> str:
        return reverse("cases:org_dashboard", args=[organisation.slug]) + query(caseworker)

    small = count_queries(client, url(small_org))
    big = count_queries(client, url(big_org))
    assert len(client.get(url(big_org)).context["page"].object_list) > 2
    assert_same_count(small, big)
