"""Stored statistics: the figures PostgreSQL keeps (materialized views, refreshed in Celery) are
those `vendor_statistics` computes from scratch, pages and the API read them in a few queries,
and one refresh runs at a time."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import psycopg
import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import facts, selectors, services
from cases.models import (
    Article15Item,
    Case,
    DeadlineKind,
    DeadlineState,
    EventKind,
    IncidentKind,
    IncidentSide,
    Mandate,
    Membership,
    RequestKind,
    Status,
    VendorFigures,
    checklist,
)
from cases.services.statistics import STATISTICS_LOCK
from tasks.workspace import statistics_refresh
from tests.api_helpers import headers, organisation_key
from tests.factories import (
    CaseEventFactory,
    CaseFactory,
    DeadlineFactory,
    IncidentFactory,
    MandateFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db

ITEMS = list(Article15Item.values)
# Month boundaries in Brussels and UTC differ: 22:30 UTC on the last day of a month is the next
# month in Brussels, as TruncMonth sees it.
CREATED = [
    datetime(2026, 1, 15, 10, tzinfo=UTC),
    datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
    datetime(2026, 6, 1, 9, tzinfo=UTC),
    datetime(2026, 9, 30, 23, 15, tzinfo=UTC),
]


def _unpopulated() -> None:
    """As right after the migration: the views hold no data (undone with the test's rollback)."""
    with connection.cursor() as cursor:
        cursor.execute("REFRESH MATERIALIZED VIEW cases_statistics WITH NO DATA")
        cursor.execute("REFRESH MATERIALIZED VIEW cases_statistics_incidents WITH NO DATA")


def _one_case(rng: random.Random, vendor, requester, today: date) -> Case:
    """A case of some kind (access mostly) in one of the states the statistics tell apart."""
    state = rng.choice(
        ["draft", "sent", "delivered", "in_time", "late", "extended", "open_past", "paused"]
    )
    received = today - timedelta(days=rng.randint(5, 120))
    kind = RequestKind.ACCESS if rng.random() < 0.7 else rng.choice(RequestKind.values[1:])
    items = checklist(kind)
    fields = {"vendor": vendor, "requester": requester, "kind": kind, "requested_items": items}
    if state == "draft":
        return CaseFactory(**fields)
    case = CaseFactory(
        **fields,
        status=Status.AWAITING_RESPONSE,
        sent_on=received,
        received_on=None if state == "sent" else received,
        missing_items=rng.sample(items, rng.randint(0, min(3, len(items)))),
    )
    due = received + timedelta(days=30)
    if state != "sent" and rng.random() < 0.5:  # a confirmation of receipt: not an answer
        CaseEventFactory(
            case=case, kind=EventKind.ACKNOWLEDGED, occurred_on=received + timedelta(3)
        )
    if state in ("in_time", "late", "extended"):
        answered = received + timedelta(days=rng.randint(3, 70 if state != "in_time" else 29))
        first_lacked = rng.sample(items, rng.randint(0, min(2, len(items))))
        CaseEventFactory(
            case=case,
            kind=EventKind.RESPONSE_RECEIVED,
            occurred_on=answered,
            data={"missing_items": first_lacked},
        )
        if rng.random() < 0.3:  # a second answer: the first one counts, the first complete too
            CaseEventFactory(
                case=case,
                kind=EventKind.RESPONSE_RECEIVED,
                occurred_on=answered + timedelta(rng.randint(1, 40)),
                data={"missing_items": case.missing_items},
            )
        kind = DeadlineKind.RESPONSE
        if state == "extended":
            CaseEventFactory(case=case, kind=EventKind.EXTENSION_NOTIFIED, occurred_on=received)
            DeadlineFactory(case=case, kind=DeadlineKind.RESPONSE, due_on=due, state="met")
            kind, due = DeadlineKind.EXTENDED_RESPONSE, received + timedelta(days=90)
        in_time = answered <= due and state != "late"
        DeadlineFactory(
            case=case,
            kind=kind,
            due_on=due if in_time else min(due, answered - timedelta(1)),
            state=DeadlineState.MET if in_time else DeadlineState.MISSED,
            met_on=answered if in_time else None,
        )
    elif state == "open_past":  # nothing answered, due date passed, the scan not run yet
        DeadlineFactory(case=case, kind=DeadlineKind.RESPONSE, due_on=due, state="open")
    elif state == "paused":  # waiting for the requester's identity: not late
        DeadlineFactory(
            case=case, kind=DeadlineKind.RESPONSE, due_on=due, paused_since=received + timedelta(2)
        )
    if rng.random() < 0.15:
        IncidentFactory(case=case, kind=rng.choice(list(IncidentKind.values)))
    if rng.random() < 0.1:  # an export of the person's own data gone astray, or a stranger's
        side = rng.choice([*IncidentSide.values, ""])
        IncidentFactory(case=case, kind=IncidentKind.MISDIRECTED_EXPORT, side=side)
    return case


@pytest.fixture
def dataset():
    """A few hundred cases in every state, over several vendors and months; two organisations,
    with active, ended and mismatched mandates."""
    rng = random.Random(20261202)
    today = timezone.localdate()
    vendors = [VendorFactory(name=f"Vendor {n}") for n in range(5)]
    requester = UserFactory()
    ours, theirs = OrganisationFactory(slug="ours"), OrganisationFactory(slug="theirs")
    cases = []
    for _ in range(300):
        vendor = vendors[min(int(rng.expovariate(0.7)), 4)]  # the last vendors have few cases
        case = _one_case(rng, vendor, requester, today)
        Case.objects.filter(pk=case.pk).update(created_at=rng.choice(CREATED))
        cases.append(case)
    for case in rng.sample(cases, 80):  # mandated to us
        MandateFactory(case=case, organisation=ours)
    for case in rng.sample([c for c in cases if c.organisation_id is None], 20):
        MandateFactory(case=case, organisation=theirs)
    ended = [c for c in cases if c.organisation_id is None][:15]
    for case in ended:  # ours once; the mandate ended, the case still names us
        mandate = MandateFactory(case=case, organisation=ours)
        Mandate.objects.filter(pk=mandate.pk).update(revoked_at=F("granted_at"))
    for case in [c for c in cases if c.organisation_id is None][15:20]:  # names us, mandates them
        MandateFactory(case=case, organisation=theirs)
        Case.objects.filter(pk=case.pk).update(organisation=ours)
    return ours, theirs


def _same(stored, scratch) -> None:
    assert stored.vendors == scratch.vendors
    assert stored.months == scratch.months
    assert stored.follow_ups == scratch.follow_ups
    assert stored.incidents == scratch.incidents
    assert stored.min_group == scratch.min_group


def test_the_stored_public_figures_equal_a_computation_from_scratch(dataset, settings):
    settings.STATS_MIN_GROUP = 20  # some vendors and months fall below it
    assert services.statistics_refresh()
    stored = selectors.public_statistics_stored()
    scratch = selectors.vendor_statistics(Case.objects.all(), min_group=20)
    _same(stored, scratch)
    assert len(stored.vendors) >= 2 and stored.months and stored.incidents
    assert all(row["kind"] == RequestKind.ACCESS for row in stored.vendors + stored.months)
    everything = selectors.vendor_statistics(Case.objects.all())
    # every other kind, per kind and vendor; the groups below 20 cases left out here too
    assert everything.follow_ups and len(stored.follow_ups) < len(everything.follow_ups)
    assert all(row["cases"] >= 20 for row in stored.follow_ups)
    assert len(stored.vendors) < len(everything.vendors)
    assert len(stored.months) < len(everything.months)
    # months as TruncMonth sees them, in TIME_ZONE (22:30 UTC on 31 March is April in Brussels)
    assert {r["month"] for r in everything.months} == {
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 6, 1),
        date(2026, 10, 1),
    }


def test_the_stored_organisation_figures_equal_a_computation_from_scratch(dataset):
    assert services.statistics_refresh()
    for org in dataset:
        stored = selectors.organisation_statistics_stored(org)
        scratch = selectors.vendor_statistics(selectors.organisation_cases(org))
        _same(stored, scratch)
        assert stored.vendors
    ours = dataset[0]
    stored = selectors.organisation_statistics_stored(ours)
    counted = sum(r["cases"] for r in stored.vendors + stored.follow_ups)
    assert counted == selectors.organisation_cases(ours).count() == 80  # ended ones left out


def test_the_late_answers_follow_the_clock_missed_rule_on_the_refresh_day(dataset):
    services.statistics_refresh()
    stored = selectors.public_statistics_stored()
    answered = sum(r["answered"] for r in stored.vendors)
    assert 0 < sum(r["on_time"] for r in stored.vendors) < answered


def test_the_figures_say_when_they_were_computed(dataset):
    before = timezone.now()
    services.statistics_refresh()
    stored = selectors.public_statistics_stored()
    # now() is the start of the transaction, which the test opened
    assert stored.computed_at is not None and stored.computed_at <= before + timedelta(1)
    assert set(VendorFigures.objects.values_list("computed_at", flat=True)) == {stored.computed_at}


def test_a_refresh_while_another_runs_does_nothing(dataset):
    _unpopulated()
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        host=params["HOST"],
        port=params["PORT"] or 5432,
        password=params["PASSWORD"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [STATISTICS_LOCK])
        assert services.statistics_refresh() is False
        assert selectors.public_statistics_stored().computed_at is None  # still not refreshed
        other.execute("SELECT pg_advisory_unlock(%s)", [STATISTICS_LOCK])
    assert services.statistics_refresh() is True
    assert services.statistics_refresh() is True  # twice is harmless (concurrently, then)
    assert selectors.public_statistics_stored().computed_at is not None


def test_a_refresh_asked_for_before_the_last_one_does_nothing(dataset):
    asked = timezone.now() - timedelta(minutes=1)
    assert services.statistics_refresh()
    assert services.statistics_refresh(requested_at=asked) is False
    assert services.statistics_refresh(requested_at=timezone.now() + timedelta(1)) is True


def test_before_the_first_refresh_the_page_says_the_figures_are_being_prepared(client, dataset):
    _unpopulated()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:public_stats"))
    assert response.status_code == 200
    assert b"The figures are being prepared" in response.content
    assert not any("cases_case" in q["sql"] for q in queries.captured_queries)
    data = client.get(reverse("cases:public_stats_download", args=["json"])).json()
    assert data["computed_at"] is None and data["vendors"] == []


def test_the_public_page_reads_the_stored_figures_in_a_few_queries(
    client, dataset, settings, django_assert_max_num_queries
):
    settings.STATS_MIN_GROUP = 8
    services.statistics_refresh()
    with django_assert_max_num_queries(4) as queries:
        response = client.get(reverse("cases:public_stats"))
    assert not any("cases_case" in q["sql"] for q in queries.captured_queries)
    stats = response.context["stats"]
    assert stats.vendors and b"Figures as of" in response.content
    assert stats.vendors == selectors.public_statistics_stored().vendors


def test_the_organisation_page_reads_the_stored_figures_in_a_few_queries(
    client, dataset, django_assert_max_num_queries
):
    ours = dataset[0]
    viewer = MembershipFactory(organisation=ours, role=Membership.Role.VIEWER).user
    client.force_login(viewer)
    services.statistics_refresh()
    url = reverse("cases:org_stats", args=[ours.slug])
    client.get(url)  # the session and the membership are read once, like any page
    with django_assert_max_num_queries(8) as queries:
        response = client.get(url)
    figures = [q for q in queries.captured_queries if "cases_statistics" in q["sql"]]
    assert len(figures) == 3  # refreshed yet? the figures, the incidents
    assert not any('FROM "cases_case"' in q["sql"] for q in queries.captured_queries)
    assert b"Figures as of" in response.content
    assert response.context["stats"].vendors == (
        selectors.vendor_statistics(selectors.organisation_cases(ours)).vendors
    )


def test_the_api_serves_the_stored_figures_with_when_they_were_computed(client, dataset):
    ours = dataset[0]
    services.statistics_refresh()
    _key, secret = organisation_key(ours)
    data = client.get("/api/v1/statistics/vendors/", **headers(secret)).json()
    stored = selectors.organisation_statistics_stored(ours)
    assert datetime.fromisoformat(data["computed_at"]) == stored.computed_at
    assert [v["cases"] for v in data["vendors"]] == [v["cases"] for v in stored.vendors]


def test_a_mandate_given_or_ended_queues_a_refresh(django_capture_on_commit_callbacks):
    org = OrganisationFactory()
    MembershipFactory(organisation=org, role=Membership.Role.ADMIN)
    case = CaseFactory(sent=True)
    with (
        mock.patch("cases.queue.enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        mandate = services.mandate_grant(
            case=case, actor=case.requester, organisation=org, scope=["correspondence"]
        )
        services.mandate_revoke(mandate=mandate, actor=case.requester)
    names = [c.args[0] for c in enqueue.call_args_list]
    assert names.count("tasks.workspace.statistics_refresh") == 2


def test_the_refresh_task_refreshes(dataset):
    _unpopulated()
    statistics_refresh.apply(args=[timezone.now().isoformat()])
    assert selectors.public_statistics_stored().computed_at is not None


def test_complete_answers_follow_the_one_rule_of_the_facts_module(dataset, settings):
    """The figures count a complete answer by `facts.complete_answer_on`, the rule a page reads."""
    settings.STATS_MIN_GROUP = 1  # every group, so that every case counts
    services.statistics_refresh()
    stored = selectors.public_statistics_stored()
    by_rule = sum(
        facts.complete_answer_on(facts.facts_of(case.events.all()), case.incidents.all())
        is not None
        for case in Case.objects.prefetch_related("events", "incidents")
    )
    rows = stored.vendors + stored.follow_ups  # every kind
    assert 0 < sum(r["complete"] for r in rows) == by_rule
    assert sum(r["complete"] for r in rows) < sum(r["answered"] for r in rows)
    acknowledged = Case.objects.filter(events__kind=EventKind.ACKNOWLEDGED).distinct().count()
    assert sum(r["acknowledged"] for r in rows) == acknowledged > 0


def _received(vendor, days_ago: int) -> tuple[Case, date]:
    today = timezone.localdate()
    received = today - timedelta(days=days_ago)
    case = CaseFactory(
        vendor=vendor, status=Status.AWAITING_RESPONSE, sent_on=received, received_on=received
    )
    return case, received


@pytest.fixture
def four_vendors():
    """What a new user saw: Amazon sent an empty export of a stranger's recordings in time;
    Google has not answered and its month is still running; Apple answered completely in
    time; Microsoft only confirmed receipt, and its month ran out."""
    names = ("Amazon", "Google", "Apple", "Microsoft")
    vendors = {name: VendorFactory(name=name) for name in names}
    amazon, received = _received(vendors["Amazon"], 40)
    Case.objects.filter(pk=amazon.pk).update(missing_items=ITEMS, status=Status.ANSWERED)
    CaseEventFactory(
        case=amazon,
        kind=EventKind.RESPONSE_RECEIVED,
        occurred_on=received + timedelta(20),
        data={"missing_items": ITEMS},
    )
    DeadlineFactory(
        case=amazon,
        kind=DeadlineKind.RESPONSE,
        due_on=received + timedelta(30),
        state=DeadlineState.MET,
        met_on=received + timedelta(20),
    )
    IncidentFactory(
        case=amazon, kind=IncidentKind.MISDIRECTED_EXPORT, side=IncidentSide.OTHERS_DATA
    )
    google, received = _received(vendors["Google"], 5)
    DeadlineFactory(case=google, kind=DeadlineKind.RESPONSE, due_on=received + timedelta(30))
    apple, received = _received(vendors["Apple"], 50)
    CaseEventFactory(
        case=apple,
        kind=EventKind.RESPONSE_RECEIVED,
        occurred_on=received + timedelta(12),
        data={"missing_items": []},
    )
    DeadlineFactory(
        case=apple,
        kind=DeadlineKind.RESPONSE,
        due_on=received + timedelta(30),
        state=DeadlineState.MET,
        met_on=received + timedelta(12),
    )
    microsoft, received = _received(vendors["Microsoft"], 45)
    CaseEventFactory(
        case=microsoft, kind=EventKind.ACKNOWLEDGED, occurred_on=received + timedelta(2)
    )
    DeadlineFactory(
        case=microsoft,
        kind=DeadlineKind.RESPONSE,
        due_on=received + timedelta(30),
        state=DeadlineState.MISSED,
    )
    return vendors


def test_statistics_do_not_count_a_wrong_or_empty_answer_or_a_receipt_as_answered(
    four_vendors, settings
):
    settings.STATS_MIN_GROUP = 1
    services.statistics_refresh()
    stored = {r["vendor_name"]: r for r in selectors.public_statistics_stored().vendors}
    scratch = {r["vendor_name"]: r for r in selectors.public_statistics().vendors}
    assert stored == scratch
    amazon, google, apple, microsoft = (
        stored[name] for name in ("Amazon", "Google", "Apple", "Microsoft")
    )
    assert (amazon["answered"], amazon["complete"], amazon["due"]) == (1, 0, 1)
    assert amazon["on_time_share"] == 0 and amazon["median_days_to_complete"] is None
    assert google["due"] == 0 and google["on_time_share"] is None  # no data yet, not 0 %
    assert apple["on_time_share"] == 1 and apple["median_days_to_complete"] == 12
    assert (microsoft["acknowledged"], microsoft["answered"], microsoft["due"]) == (1, 0, 1)
    assert microsoft["median_days_to_acknowledgement"] == 2
    assert microsoft["on_time_share"] == 0


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_every_chart_draws_its_bars_and_says_no_data_where_there_is_none(
    client, four_vendors, settings, language
):
    settings.STATS_MIN_GROUP = 1
    services.statistics_refresh()
    client.cookies["django_language"] = language
    html = client.get(reverse("cases:public_stats"), HTTP_ACCEPT_LANGUAGE=language).content
    html = html.decode()
    charts = re.findall(r"<svg role=\"img\".*?</svg>", html, re.S)
    assert len(charts) == 3
    no_data = {"en": "no data", "fr": "pas de données", "de": "keine Daten"}[language]
    for chart in charts:
        widths = re.findall(r'<rect x="\d+" y="\d+" width="([^"]+)"', chart)
        assert widths and all(re.fullmatch(r"\d+(\.\d+)?", w) for w in widths), widths
    on_time, to_complete, to_receipt = charts
    assert len(re.findall("<rect", on_time)) == 3 and on_time.count(no_data) == 1  # Google
    assert len(re.findall("<rect", to_complete)) == 1  # Apple alone answered completely
    assert len(re.findall("<rect", to_receipt)) == 1  # Microsoft alone confirmed receipt
    assert html.count(no_data) >= 6


def test_every_kind_of_request_is_counted_per_kind_and_vendor_against_its_checklist(
    client, dataset, settings
):
    """Issue 17: erasure, objection, withdrawal, restriction and portability have figures of
    their own, each row's missing items those of its kind's checklist; the page, the downloads
    and the API show them."""
    settings.STATS_MIN_GROUP = 1
    services.statistics_refresh()
    stored = selectors.public_statistics_stored()
    assert {row["kind"] for row in stored.follow_ups} == set(RequestKind.values[1:])
    for row in stored.follow_ups:
        cases = Case.objects.filter(kind=row["kind"], vendor=row["vendor"])
        assert row["cases"] == cases.count()
        assert list(row["missing"]) == checklist(row["kind"])
        for item, count in row["missing"].items():
            assert count == sum(item in c.missing_items for c in cases)
    order = [RequestKind.values.index(row["kind"]) for row in stored.follow_ups]
    assert order == sorted(order)
    assert sum(r["cases"] for r in stored.vendors + stored.follow_ups) == Case.objects.count()

    erasure = next(r for r in stored.follow_ups if r["kind"] == RequestKind.ERASURE)
    html = client.get(reverse("cases:public_stats")).content.decode()
    assert "After access: erasure, objection" in html
    assert "the audio recordings erased (Art. 17(1))" in html
    assert erasure["vendor_name"] in html

    response = client.get(reverse("cases:public_stats_download", args=["csv"]))
    csv_text = b"".join(response.streaming_content).decode()
    header, *lines = csv_text.splitlines()
    assert header.split(",")[:3] == ["vendor", "request_kind", "month"]
    assert "missing_erase_audio" in header and "missing_portable_audio" in header
    kinds_in_csv = {line.split(",")[1] for line in lines}
    assert kinds_in_csv == set(RequestKind.values)

    ours = dataset[0]
    _key, secret = organisation_key(ours)
    data = client.get("/api/v1/statistics/vendors/", **headers(secret)).json()
    scratch = selectors.vendor_statistics(selectors.organisation_cases(ours))
    assert [(r["kind"], r["vendor"], r["cases"]) for r in data["follow_ups"]] == [
        (r["kind"], r["vendor"], r["cases"]) for r in scratch.follow_ups
    ]
    assert all(set(r["missing"]) == set(checklist(r["kind"])) for r in data["follow_ups"])
    assert {r["kind"] for r in data["vendors"]} == {"access"}
