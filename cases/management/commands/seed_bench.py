"""Fill the database with realistic cases for benchmarks: `manage.py seed_bench --cases N`.

Fast by construction: rows are planned in memory and written a batch at a time, one transaction
per batch, never one `save()` per row. On PostgreSQL each table's batch goes in with one `COPY`
(ids taken from the table's sequence first); elsewhere, or with `--no-copy`, with Django's
`bulk_create`. Measured on PostgreSQL 100,000 cases take under half a minute with COPY, so one
million take a few minutes; bulk_create is about 4x slower.

What the data looks like, so that benchmark queries meet the shapes they meet in production:

- a pool of requesters (cases / 5 by default) with an unusable password (one precomputed hash,
  never a hash per user), and 3 organisations with caseworkers that run about 15 % of the cases,
  each under an active mandate (Art. 80(1)) given when the case was created;
- cases created over the last two years, more of them recently, spread over the vendors that
  exist (voice-assistant vendors more often), by e-mail, web form or post;
- a timeline per case that follows the law's path: created, sent, delivered (post), identity
  asked and given (15 %), extension notified (10 %), answered (in time or late), deadline missed,
  reminder to the vendor, complaint, closed; the status is wherever that path stands today;
- the deadlines that path implies (response, extended response, authority progress), met, missed
  or open, with `key` = `kind`; a paused clock (`paused_since`) while the vendor waits for the
  requester's identity; reminders at -7, 0 and +1 days, 09:00 local time, for the open clocks
  that are not paused; incidents on about 3 % of the cases.

Deadlines are an approximation, not the engine's answer: one (or three) calendar month(s) after
receipt plus the identity pause, then moved off Saturday/Sunday; public holidays are ignored. The
deadline engine per row would be far too slow and bench data does not need the exact day.

Timestamps (`Case.created_at`, `Case.updated_at`, `CaseEvent.recorded_at`) follow the simulated
timeline instead of "now", so that date hierarchies and "recent" queries see a realistic spread.

With the same `--seed` against the same database on the same day the same rows come out (bar the
users' calendar tokens, which are secrets). A second run adds N more cases with fresh requesters
(their e-mail numbers continue where the last run stopped) and reuses the organisations.
"""

from __future__ import annotations

import json
import random
import string
import time as clock
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from cases.deadlines import add_months
from cases.models import (
    MANDATE_CONSENT_VERSION,
    Article15Item,
    Case,
    CaseEvent,
    Channel,
    Deadline,
    DeadlineKind,
    DeadlineState,
    EventKind,
    Incident,
    IncidentKind,
    Mandate,
    MandateScope,
    Membership,
    Organisation,
    Outcome,
    Reminder,
    Status,
    User,
    Vendor,
)

BENCH_DOMAIN = "bench.example"
REMINDER_OFFSETS = (-7, 0, 1)
# Days after the due date before the nightly scan has marked an unanswered deadline missed; in
# between, the deadline is open and overdue (what the "overdue" views look for).
SCAN_GRACE_DAYS = 2

FIRST_NAMES = (  # noqa: SIM905 (40 names read better as words than as 40 lines)
    "Anna Ben Clara David Emma Felix Greta Hugo Ines Jonas Karin Lukas Marie Noah Olga Paul "
    "Rita Sven Tina Ugo Vera Wim Yara Zoe Louis Camille Jeanne Mathis Sophie Lena Elias Mia "
    "Liam Aoife Sean Ciara Marco Giulia Pieter Sanne"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Muller Schmit Weber Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau "
    "Simon Laurent Lefebvre Michel Garcia Fischer Meyer Wagner Becker Schulz Hoffmann Koch "
    "Murphy Kelly Byrne Walsh Rossi Russo Ferrari Janssen Peeters Maes Jacobs Hansen Larsen"
).split()
# Where requesters live, weighted roughly by population; the letter language follows.
COUNTRIES = ("DE", "FR", "LU", "BE", "IE", "NL", "AT", "IT")
COUNTRY_WEIGHTS = (30, 25, 5, 10, 6, 10, 6, 8)
LANGUAGE_OF = {"DE": "de", "AT": "de", "FR": "fr", "LU": "fr", "BE": "fr"}
CITIES = {
    "DE": ("10115 Berlin", "20095 Hamburg", "80331 München"),
    "FR": ("75001 Paris", "69001 Lyon", "13001 Marseille"),
    "LU": ("L-1111 Luxembourg", "L-4001 Esch-sur-Alzette"),
    "BE": ("1000 Bruxelles", "4000 Liège"),
    "IE": ("Dublin 2", "Cork T12"),
    "NL": ("1011 Amsterdam", "3011 Rotterdam"),
    "AT": ("1010 Wien", "8010 Graz"),
    "IT": ("00184 Roma", "20121 Milano"),
}
STREETS = ("Hauptstraße", "rue de la Gare", "Main Street", "Kerkstraat", "Via Roma", "Grand-Rue")

CHANNELS = (Channel.EMAIL.value, Channel.WEBFORM.value, Channel.POST.value)
CHANNEL_WEIGHTS = (55, 35, 10)
OUTCOMES = (Outcome.COMPLETE.value, Outcome.PARTIAL.value, Outcome.REFUSED.value)
OUTCOME_WEIGHTS = (45, 40, 15)
ALL_ITEMS = [item.value for item in Article15Item]
CORE_ITEMS = [
    Article15Item.AUDIO.value,
    Article15Item.TRANSCRIPTS.value,
    Article15Item.ANNOTATIONS.value,
    Article15Item.RECIPIENTS.value,
]
INCIDENT_KINDS = [kind.value for kind in IncidentKind]
# Personal-data breaches that the vendor must notify to its authority (Art. 33).
BREACHES = {IncidentKind.MISDIRECTED_EXPORT.value, IncidentKind.OTHER_BREACH.value}
DATA_CATEGORIES = ("audio", "transcripts", "contacts", "location", "purchase history")
EXTENSION_REASONS = ("complexity", "number of requests")
ORGANISATIONS = (
    ("bench-privacy-action", "Privacy Action (bench)"),
    ("bench-voice-watch", "Voice Watch (bench)"),
    ("bench-datenschutz-verein", "Datenschutz-Verein (bench)"),
)
CASEWORKERS_PER_ORGANISATION = 4

# Plain strings (not the enum members) so that every writer stores the value.
S = {status.name: status.value for status in Status}
E = {kind.name: kind.value for kind in EventKind}
D = {kind.name: kind.value for kind in DeadlineKind}
OPEN, MET, MISSED = DeadlineState.OPEN.value, DeadlineState.MET.value, DeadlineState.MISSED.value

# The columns each batch fills; every other column gets its model default.
USER_COLUMNS = ("email", "full_name", "language", "password", "date_joined", "email_verified_at")
CASE_COLUMNS = (
    "requester_id",
    "organisation_id",
    "assignee_id",
    "vendor_id",
    "requested_items",
    "requester_name",
    "requester_email",
    "requester_address",
    "requester_country",
    "account_identifiers",
    "language",
    "channel",
    "sent_on",
    "received_on",
    "vendor_reference",
    "status",
    "outcome",
    "missing_items",
    "created_at",
    "updated_at",
    "closed_at",
    "next_due_on",
)
EVENT_COLUMNS = ("case_id", "actor_id", "kind", "occurred_on", "recorded_at", "data")
MANDATE_COLUMNS = (
    "case_id",
    "organisation_id",
    "scope",
    "consent_text_version",
    "granted_at",
    "granted_by_id",
)
MANDATE_SCOPE = [MandateScope.CORRESPONDENCE.value, MandateScope.COMPLAINT.value]
DEADLINE_COLUMNS = (
    "case_id",
    "kind",
    "key",
    "due_on",
    "state",
    "met_on",
    "paused_since",
    "missed_at",
)
REMINDER_COLUMNS = ("deadline_id", "offset_days", "send_at", "queued_at", "sent_at", "attempts")
INCIDENT_COLUMNS = (
    "case_id",
    "kind",
    "occurred_on",
    "discovered_on",
    "reported_to_vendor_on",
    "authority_notified_on",
    "records_affected",
    "data_categories",
    "description",
    "created_by_id",
)


def bench_due(start: date, months: int) -> date:
    """Bench approximation of the deadline engine: a month add, then off the weekend only."""
    due = add_months(start, months)
    weekday = due.weekday()
    return due + timedelta(days=7 - weekday) if weekday >= 5 else due


# --- Writers ---------------------------------------------------------------------------------


def constant(value: Any) -> Callable[[], Any]:
    return lambda: value


class Writer(Protocol):
    def insert(
        self, model: type[models.Model], columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> list[int]:
        """Insert `rows` (values in `columns` order); return their new primary keys in order."""
        ...

    def session(self) -> AbstractContextManager[None]:
        """Wraps the whole run."""
        ...


class BulkCreateWriter:
    """Any database: Django's bulk_create (which returns primary keys on PostgreSQL/SQLite)."""

    def insert(
        self, model: type[models.Model], columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> list[int]:
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(objects)
        return [obj.pk for obj in objects]

    @contextmanager
    def session(self) -> Iterator[None]:
        """Let bulk_create keep the simulated timestamps instead of stamping "now" on them."""
        fields = [
            Case._meta.get_field("created_at"),
            Case._meta.get_field("updated_at"),
            CaseEvent._meta.get_field("recorded_at"),
        ]
        saved = [(f, f.auto_now, f.auto_now_add) for f in fields]  # type: ignore[union-attr]
        try:
            for f in fields:
                f.auto_now = f.auto_now_add = False  # type: ignore[union-attr]
            yield
        finally:
            for f, auto_now, auto_now_add in saved:
                f.auto_now, f.auto_now_add = auto_now, auto_now_add  # type: ignore[union-attr]


@dataclass
class CopyTable:
    sql: str
    sequence: str
    # Columns the caller does not fill: a function giving each row's value (model defaults).
    extras: list[Callable[[], Any]]
    # Positions (in the COPY row: id, columns..., extras...) of JSON columns, sent as text.
    json_positions: list[int]


class CopyWriter:
    """PostgreSQL: ids from the table's sequence in one query, then the rows in one COPY."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.tables: dict[tuple[type[models.Model], tuple[str, ...]], CopyTable] = {}

    def _table(self, model: type[models.Model], columns: tuple[str, ...]) -> CopyTable:
        key = (model, columns)
        if key in self.tables:
            return self.tables[key]
        meta, quote = model._meta, connection.ops.quote_name
        by_attname = {f.attname: f for f in meta.concrete_fields}
        pk = meta.pk
        assert pk is not None
        extra_fields = [f for f in meta.concrete_fields if f.attname not in columns and f != pk]
        fields = [pk, *(by_attname[c] for c in columns), *extra_fields]
        extras = []
        for f in extra_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                extras.append(constant(self.now))
            elif f.has_default() and callable(f.default):
                extras.append(f.default)
            else:
                extras.append(constant(f.get_default()))
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, pk.column])
            (sequence,) = cursor.fetchone()
        table = CopyTable(
            sql=f"COPY {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            "FROM STDIN",
            sequence=sequence,
            extras=extras,
            json_positions=[i for i, f in enumerate(fields) if isinstance(f, models.JSONField)],
        )
        self.tables[key] = table
        return table

    def insert(
        self, model: type[models.Model], columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> list[int]:
        if not rows:
            return []
        table = self._table(model, tuple(columns))
        extras, json_positions, dumps = table.extras, table.json_positions, json.dumps
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(%s) FROM generate_series(1, %s)", [table.sequence, len(rows)]
            )
            ids = sorted(pk for (pk,) in cursor.fetchall())
            # Counted like any query when queries are logged (DEBUG, assertNumQueries).
            debug_sql = getattr(cursor, "debug_sql", None)
            logged = debug_sql(table.sql) if debug_sql else nullcontext()
            with logged, cursor.cursor.copy(table.sql) as copy:
                for pk, row in zip(ids, rows, strict=True):
                    values = [pk, *row, *(extra() for extra in extras)]
                    for i in json_positions:
                        values[i] = dumps(values[i])
                    copy.write_row(values)
        return ids

    def session(self) -> nullcontext[None]:
        return nullcontext()


# --- The command -----------------------------------------------------------------------------


@dataclass(slots=True)
class Requester:
    pk: int
    name: str
    email: str
    country: str
    address: str


@dataclass(slots=True)
class Plan:
    """One case before it has a primary key, and the rows that hang off it."""

    case: dict[str, Any]
    events: list[tuple[str, date, dict[str, Any]]] = field(default_factory=list)
    # (kind, due_on, state, met_on)
    deadlines: list[tuple[str, date, str, date | None]] = field(default_factory=list)
    # The day the vendor asked for identity, while the requester has not answered yet: the open
    # deadline stands still (no reminders, not overdue).
    paused_since: date | None = None
    # INCIDENT_COLUMNS without case_id
    incidents: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class Totals:
    users: int = 0
    cases: int = 0
    events: int = 0
    deadlines: int = 0
    reminders: int = 0
    incidents: int = 0
    mandates: int = 0


class Command(BaseCommand):
    help = "Create N realistic cases (with events, deadlines, reminders, incidents) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="How many cases to add.")
        parser.add_argument("--seed", type=int, default=None, help="Random seed (default: random).")
        parser.add_argument("--batch", type=int, default=10_000, help="Cases per transaction.")
        parser.add_argument(
            "--users", type=int, default=None, help="Requesters to create (default: cases / 5)."
        )
        parser.add_argument(
            "--no-copy",
            action="store_true",
            help="Use bulk_create even on PostgreSQL (slower; for comparison).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        n_cases: int = options["cases"]
        batch: int = options["batch"]
        if n_cases < 1 or batch < 1:
            raise CommandError("--cases and --batch must be positive.")
        seed = options["seed"] if options["seed"] is not None else random.randrange(2**32)
        n_users = options["users"] or max(1, n_cases // 5)

        self.rng = random.Random(seed)
        self.tz: tzinfo = timezone.get_current_timezone()
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.totals = Totals()
        use_copy = connection.vendor == "postgresql" and not options["no_copy"]
        self.writer: Writer = CopyWriter(self.now) if use_copy else BulkCreateWriter()
        self._load_vendors()
        self.stdout.write(
            f"seed_bench: {n_cases:,} cases, {n_users:,} requesters, batch {batch:,}, "
            f"seed {seed}, {'COPY' if use_copy else 'bulk_create'}"
        )

        started = clock.perf_counter()
        self._create_organisations()
        with self.writer.session():
            self._create_requesters(n_users, batch)
            done = 0
            while done < n_cases:
                size = min(batch, n_cases - done)
                plans = [self._plan_case() for _ in range(size)]
                with transaction.atomic():
                    self._write_batch(plans)
                done += size
                elapsed = clock.perf_counter() - started
                self.stdout.write(
                    f"  {done:>10,} / {n_cases:,} cases  {done / elapsed:>8,.0f} cases/s  "
                    f"{elapsed:7.1f} s"
                )
        if connection.vendor == "postgresql":
            written = (User, Case, Mandate, CaseEvent, Deadline, Reminder, Incident)
            tables = [m._meta.db_table for m in written]
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(map(connection.ops.quote_name, tables))}")
        elapsed = clock.perf_counter() - started
        t = self.totals
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_bench: {t.cases:,} cases, {t.events:,} events, {t.deadlines:,} deadlines, "
                f"{t.reminders:,} reminders, {t.incidents:,} incidents, {t.mandates:,} mandates, "
                f"{t.users:,} users "
                f"in {elapsed:.1f} s ({t.cases / elapsed:,.0f} cases/s)"
            )
        )

    # --- Reference rows ------------------------------------------------------------------------

    def _load_vendors(self) -> None:
        if not Vendor.objects.exists():
            self.stdout.write("No vendors: loading the reference directory first.")
            call_command("load_reference", verbosity=0)
        vendors = list(Vendor.objects.order_by("pk").values_list("pk", "voice_assistant"))
        if not vendors:
            raise CommandError("No vendors exist, and load_reference created none.")
        self.vendor_ids = [pk for pk, _ in vendors]
        weights = [6 if voice else 1 for _, voice in vendors]
        self.vendor_cum_weights = [sum(weights[: i + 1]) for i in range(len(weights))]

    @property
    def password(self) -> str:
        """One unusable password hash shared by every bench user (hashing per user is slow)."""
        if not hasattr(self, "_password"):
            alphabet = string.ascii_letters + string.digits
            self._password = UNUSABLE_PASSWORD_PREFIX + "".join(
                self.rng.choice(alphabet) for _ in range(40)
            )
        return self._password

    def _create_organisations(self) -> None:
        """Three organisations with caseworkers; later runs reuse them."""
        slugs = [slug for slug, _ in ORGANISATIONS]
        Organisation.objects.bulk_create(
            [
                Organisation(slug=slug, name=name, email=f"cases@{slug}.{BENCH_DOMAIN}")
                for slug, name in ORGANISATIONS
            ],
            ignore_conflicts=True,
        )
        org_ids = dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        workers = {
            f"caseworker-{index}-{n}@{BENCH_DOMAIN}": (slug, f"Caseworker {index}-{n}")
            for index, slug in enumerate(slugs)
            for n in range(CASEWORKERS_PER_ORGANISATION)
        }
        User.objects.bulk_create(
            [
                User(email=email, full_name=name, password=self.password)
                for email, (_, name) in workers.items()
            ],
            ignore_conflicts=True,
        )
        worker_ids = dict(User.objects.filter(email__in=workers).values_list("email", "pk"))
        Membership.objects.bulk_create(
            [
                Membership(
                    user_id=worker_ids[email], organisation_id=org_ids[slug], role="caseworker"
                )
                for email, (slug, _) in workers.items()
            ],
            ignore_conflicts=True,
        )
        self.organisations: list[tuple[int, list[int]]] = [
            (
                org_ids[slug],
                [worker_ids[e] for e, (s, _) in workers.items() if s == slug],
            )
            for slug in slugs
        ]

    def _create_requesters(self, n_users: int, batch: int) -> None:
        rng = self.rng
        start = User.objects.filter(
            email__startswith="requester-", email__endswith=f"@{BENCH_DOMAIN}"
        ).count()
        self.requesters: list[Requester] = []
        for offset in range(0, n_users, batch):
            rows, people = [], []
            for n in range(start + offset, start + min(offset + batch, n_users)):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                country = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
                joined = self.now - timedelta(days=rng.randrange(800), seconds=rng.randrange(86400))
                email = f"requester-{n:07d}@{BENCH_DOMAIN}"
                verified = joined + timedelta(minutes=rng.randrange(5, 600))
                language = LANGUAGE_OF.get(country, "en")
                name = f"{first} {last}"
                rows.append((email, name, language, self.password, joined, verified))
                address = (
                    f"{name}\n{rng.randrange(1, 200)} {rng.choice(STREETS)}\n"
                    f"{rng.choice(CITIES[country])}"
                )
                people.append((name, email, country, address))
            with transaction.atomic():
                ids = self.writer.insert(User, USER_COLUMNS, rows)
            self.requesters.extend(
                Requester(pk, *person) for pk, person in zip(ids, people, strict=True)
            )
            self.totals.users += len(rows)

    # --- One case ------------------------------------------------------------------------------

    def _plan_case(self) -> Plan:
        """Simulate one case from its creation to today; the status is where it stands now."""
        rng, today = self.rng, self.today
        requester = rng.choice(self.requesters)
        created = today - timedelta(days=int(730 * rng.random() ** 1.5))
        organisation_id = assignee_id = None
        if rng.random() < 0.15:
            organisation_id, workers = rng.choice(self.organisations)
            assignee_id = rng.choice(workers) if workers else None
        case: dict[str, Any] = {
            "requester_id": requester.pk,
            "organisation_id": organisation_id,
            "assignee_id": assignee_id,
            "vendor_id": rng.choices(self.vendor_ids, cum_weights=self.vendor_cum_weights)[0],
            "requested_items": ALL_ITEMS if rng.random() < 0.8 else CORE_ITEMS,
            "requester_name": requester.name,
            "requester_email": requester.email,
            "requester_address": requester.address,
            "requester_country": requester.country,
            "account_identifiers": requester.email,
            "language": LANGUAGE_OF.get(requester.country, "en"),
            "channel": "",
            "sent_on": None,
            "received_on": None,
            "vendor_reference": "",
            "status": S["DRAFT"],
            "outcome": "",
            "missing_items": [],
            "closed_at": None,
        }
        plan = Plan(case)
        events = plan.events
        events.append((E["CREATED"], created, {}))
        if rng.random() < 0.05:
            return self._finish(plan)

        # Sent, and received: at once by e-mail or web form, a few days later by post.
        channel = case["channel"] = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        sent = case["sent_on"] = min(created + timedelta(days=rng.choice((0, 0, 0, 1, 2))), today)
        events.append((E["SENT"], sent, {"channel": channel}))
        case["status"] = S["SENT"]
        received = sent + timedelta(days=rng.randint(2, 7)) if channel == "post" else sent
        if received > today:
            return self._finish(plan)  # a letter in the post
        case["received_on"] = received
        if channel == "post":
            events.append((E["DELIVERED"], received, {}))
        case["status"] = S["AWAITING_RESPONSE"]
        if rng.random() < 0.6:
            case["vendor_reference"] = f"REF-{rng.randrange(10**8):08d}"
        # Many vendors confirm receipt within days: no answer, and no clock moves.
        if rng.random() < 0.5:
            acknowledged = received + timedelta(days=rng.randint(0, 5))
            if acknowledged <= today:
                events.append((E["ACKNOWLEDGED"], acknowledged, {}))

        # Identity: the days between the vendor's question and the answer stop the clock.
        pause_days, paused, resumed = 0, False, received
        if rng.random() < 0.15:
            asked = received + timedelta(days=rng.randint(2, 14))
            if asked <= today:
                events.append((E["IDENTITY_REQUESTED"], asked, {}))
                provided = asked + timedelta(days=rng.randint(1, 21))
                if provided > today:
                    paused, pause_days = True, (today - asked).days
                    plan.paused_since = asked
                    case["status"] = S["PAUSED_FOR_IDENTITY"]
                else:
                    events.append((E["IDENTITY_PROVIDED"], provided, {}))
                    pause_days, resumed = (provided - asked).days, provided
        start = received + timedelta(days=pause_days)
        due = bench_due(start, 1)
        final_kind, final_due = D["RESPONSE"], due

        if paused:
            plan.deadlines.append((D["RESPONSE"], due, OPEN, None))
            return self._incident(plan)

        # Extension: notified before the first month is out; the month's duty is then met.
        if rng.random() < 0.10:
            notice = max(due - timedelta(days=rng.randint(1, 10)), resumed)
            if notice <= today:
                reason = rng.choice(EXTENSION_REASONS)
                events.append((E["EXTENSION_NOTIFIED"], notice, {"reason": reason}))
                plan.deadlines.append((D["RESPONSE"], due, MET, notice))
                final_kind, final_due = D["EXTENDED_RESPONSE"], bench_due(start, 3)
                case["status"] = S["EXTENDED"]

        # Most vendors answer, most of them in time; the late ones within six weeks or so.
        answered_on = None
        if rng.random() < 0.85:
            if rng.random() < 0.75:
                answered_on = resumed + timedelta(days=rng.randint(3, (final_due - resumed).days))
            else:
                answered_on = final_due + timedelta(days=rng.randint(1, 45))
            if answered_on > today:
                answered_on = None
        if answered_on is not None:
            self._answered(plan, final_kind, final_due, answered_on)
        elif today <= final_due + timedelta(days=SCAN_GRACE_DAYS):
            plan.deadlines.append((final_kind, final_due, OPEN, None))
        else:
            self._unanswered(plan, final_kind, final_due)
        return self._incident(plan)

    def _answered(self, plan: Plan, kind: str, due: date, answered_on: date) -> None:
        rng, today, case = self.rng, self.today, plan.case
        if answered_on <= due:
            plan.deadlines.append((kind, due, MET, answered_on))
        else:
            plan.deadlines.append((kind, due, MISSED, None))
            plan.events.append((E["DEADLINE_MISSED"], due + timedelta(days=1), {"kind": kind}))
        case["status"] = S["ANSWERED"]
        outcome = case["outcome"] = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
        if outcome == Outcome.PARTIAL:
            case["missing_items"] = rng.sample(CORE_ITEMS, rng.randint(1, 3))
        # As services.case_record_response records it: what the answer lacked.
        missing = {"missing_items": case["missing_items"]}
        plan.events.append((E["RESPONSE_RECEIVED"], answered_on, missing))
        last = answered_on
        if outcome != Outcome.COMPLETE and rng.random() < 0.4:
            reminded = answered_on + timedelta(days=rng.randint(3, 20))
            if reminded <= today:
                plan.events.append((E["REMINDER_SENT"], reminded, {}))
                case["status"], last = S["ESCALATED"], reminded
        closed = last + timedelta(days=rng.randint(20, 60))
        if closed <= today and rng.random() < 0.75:
            self._close(plan, closed)

    def _unanswered(self, plan: Plan, kind: str, due: date) -> None:
        rng, today, case = self.rng, self.today, plan.case
        plan.deadlines.append((kind, due, MISSED, None))
        plan.events.append((E["DEADLINE_MISSED"], due + timedelta(days=1), {"kind": kind}))
        case["outcome"] = Outcome.NO_ANSWER.value
        roll = rng.random()
        if roll < 0.3:
            return  # still waiting, nothing done yet
        reminded = due + timedelta(days=rng.randint(2, 10))
        if reminded > today:
            return
        plan.events.append((E["REMINDER_SENT"], reminded, {}))
        case["status"] = S["ESCALATED"]
        if roll < 0.65:
            return
        filed = reminded + timedelta(days=rng.randint(7, 40))
        if filed > today:
            return
        plan.events.append((E["COMPLAINT_FILED"], filed, {}))
        case["status"] = S["COMPLAINT_FILED"]
        progress = D["AUTHORITY_PROGRESS"]
        progress_due = add_months(filed, 3)
        replied = filed + timedelta(days=rng.randint(20, 150))
        if replied <= min(progress_due, today) and rng.random() < 0.5:
            plan.events.append((E["AUTHORITY_REPLIED"], replied, {}))
            plan.deadlines.append((progress, progress_due, MET, replied))
            closed = replied + timedelta(days=rng.randint(30, 120))
            if closed <= today and rng.random() < 0.5:
                self._close(plan, closed)
        elif today <= progress_due + timedelta(days=SCAN_GRACE_DAYS):
            plan.deadlines.append((progress, progress_due, OPEN, None))
        else:
            plan.deadlines.append((progress, progress_due, MISSED, None))

    def _close(self, plan: Plan, closed: date) -> None:
        plan.events.append((E["CLOSED"], closed, {}))
        plan.case["status"] = S["CLOSED"]
        plan.case["closed_at"] = self._at(closed, 18)

    def _incident(self, plan: Plan) -> Plan:
        """About 3 % of delivered requests run into an incident."""
        rng, case = self.rng, plan.case
        received = case["received_on"]
        if received is None or rng.random() >= 0.03:
            return self._finish(plan)
        discovered = received + timedelta(days=rng.randint(0, (self.today - received).days))
        occurred = discovered - timedelta(days=rng.randint(0, 30)) if rng.random() < 0.8 else None
        reported = discovered + timedelta(days=rng.randint(0, 10))
        kind = rng.choice(INCIDENT_KINDS)
        notified = None
        if kind in BREACHES and rng.random() < 0.3:
            notified = discovered + timedelta(days=rng.randint(1, 5))
        plan.incidents.append(
            (
                kind,
                occurred,
                discovered,
                reported if reported <= self.today else None,
                notified if notified and notified <= self.today else None,
                rng.randint(1, 2000) if rng.random() < 0.5 else None,
                rng.sample(DATA_CATEGORIES, rng.randint(1, 3)),
                f"Bench incident: {kind.replace('_', ' ')}.",
                case["requester_id"],
            )
        )
        plan.events.append((E["INCIDENT_RECORDED"], discovered, {"incident_kind": kind}))
        return self._finish(plan)

    def _finish(self, plan: Plan) -> Plan:
        plan.events.sort(key=lambda event: event[1])
        plan.case["created_at"] = self._at(plan.events[0][1], 8)
        plan.case["updated_at"] = self._at(plan.events[-1][1], 20)
        return plan

    def _at(self, day: date, hour: int) -> datetime:
        """An aware local time on `day`, a little after `hour`."""
        return datetime.combine(day, time(hour, self.rng.randrange(60)), tzinfo=self.tz)

    # --- Writing a batch -----------------------------------------------------------------------

    @staticmethod
    def _next_due(plan: Plan) -> date | None:
        """`facts.next_due` of the planned clocks, as `services.deadlines_refresh` stores it."""
        if plan.case["status"] == S["CLOSED"]:
            return None
        unmet = [
            due_on
            for kind, due_on, state, met_on in plan.deadlines
            if state in (OPEN, MISSED)
            and met_on is None
            and not (state == OPEN and plan.paused_since is not None)
            and kind != D["EXTENSION_NOTICE"]
        ]
        return min(unmet, default=None)

    def _write_batch(self, plans: list[Plan]) -> None:
        insert, at = self.writer.insert, self._at
        for plan in plans:
            plan.case["next_due_on"] = self._next_due(plan)
        case_ids = insert(
            Case, CASE_COLUMNS, [tuple(plan.case[c] for c in CASE_COLUMNS) for plan in plans]
        )

        # The requester's mandate to the organisation, given when the case was created; the
        # timeline notes it as mandate_grant does.
        mandated = [
            (case_id, plan)
            for case_id, plan in zip(case_ids, plans, strict=True)
            if plan.case["organisation_id"] is not None
        ]
        mandate_ids = insert(
            Mandate,
            MANDATE_COLUMNS,
            [
                (
                    case_id,
                    plan.case["organisation_id"],
                    MANDATE_SCOPE,
                    MANDATE_CONSENT_VERSION,
                    plan.case["created_at"],
                    plan.case["requester_id"],
                )
                for case_id, plan in mandated
            ],
        )
        for mandate_id, (_, plan) in zip(mandate_ids, mandated, strict=True):
            note = {
                "mandate_id": mandate_id,
                "mandate": "granted",
                "organisation_id": plan.case["organisation_id"],
            }
            plan.events.insert(1, (E["NOTE"], plan.events[0][1], note))

        events, deadlines, incidents = [], [], []
        for case_id, plan in zip(case_ids, plans, strict=True):
            actor_id = plan.case["requester_id"]
            for kind, day, data in plan.events:
                events.append((case_id, actor_id, kind, day, at(day, 9), data))
            paused_since = plan.paused_since
            for kind, due_on, state, met_on in plan.deadlines:
                missed_at = (
                    at(due_on + timedelta(days=SCAN_GRACE_DAYS + 1), 2) if state == MISSED else None
                )
                paused = paused_since if state == OPEN else None
                deadlines.append((case_id, kind, kind, due_on, state, met_on, paused, missed_at))
            for incident in plan.incidents:
                incidents.append((case_id, *incident))

        insert(CaseEvent, EVENT_COLUMNS, events)
        deadline_ids = insert(Deadline, DEADLINE_COLUMNS, deadlines)
        insert(Incident, INCIDENT_COLUMNS, incidents)

        reminders = []
        for deadline_id, (_, _, _, due_on, state, _, paused, _) in zip(
            deadline_ids, deadlines, strict=True
        ):
            if state != OPEN or paused is not None:
                continue
            for offset in REMINDER_OFFSETS:
                send_at = datetime.combine(due_on + timedelta(days=offset), time(9), tzinfo=self.tz)
                sent = send_at <= self.now
                queued_at = send_at + timedelta(seconds=5) if sent else None
                sent_at = send_at + timedelta(seconds=30) if sent else None
                reminders.append((deadline_id, offset, send_at, queued_at, sent_at, int(sent)))
        insert(Reminder, REMINDER_COLUMNS, reminders)

        t = self.totals
        t.cases += len(plans)
        t.events += len(events)
        t.deadlines += len(deadlines)
        t.reminders += len(reminders)
        t.incidents += len(incidents)
        t.mandates += len(mandate_ids)
