"""How the whole reminder dispatch scales: one scan with 1,000 reminders due, among 10,000 and
then 1,000,000 stored deadlines (three reminders each).

The dispatch must cost what is due, not what is stored. Each measured scan runs the real path:
`reminders_enqueue_due` (the selection, one Celery message per reminder on the configured broker,
`queued_at` written), then every message taken off the queue and handed to the task it names,
`tasks.reminders.reminder_send`, in this process: `reminder_deliver` claims the row, renders the
e-mail and sends it (Django's locmem e-mail backend), marking it sent. The messages go to a queue
of this process's own (`bench-reminders-<pid>`), so no running worker takes them.

Three scans per size (the same 1,000 reminders made due again before each) give
min / median / max. Target: median whole-dispatch time at the larger size at most 1.5 times that
at the smaller, printed with PASS or FAIL (exit 1 on FAIL), with the selection's query plan.

Deadlines and reminders are inserted with SQL in batches of 100,000 deadlines, each batch its own
transaction. BENCH_REMINDER_SIZES overrides the sizes (e.g. 10000,200000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dsar REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/reminders.py
"""

from __future__ import annotations

import os
import sys
import time
from statistics import median

from _setup import scratch_database

SIZES = [int(n) for n in os.environ.get("BENCH_REMINDER_SIZES", "10000,1000000").split(",")]
DUE = 1_000
CASES = 1_000  # deadlines are spread over this many cases (key is unique per case)
BATCH = 100_000
RUNS = 3
TARGET = 1.5

scratch_database("reminders")

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Reminder  # noqa: E402
from cases.selectors import reminders_due  # noqa: E402
from cases.services import reminders_enqueue_due  # noqa: E402
from dsar.celery import app  # noqa: E402
from tasks.reminders import reminder_send  # noqa: E402
from tests.factories import CaseFactory  # noqa: E402

settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
QUEUE = f"bench-reminders-{os.getpid()}"
app.conf.task_default_queue = QUEUE


def insert_deadlines(first: int, last: int, case_ids: list[int]) -> None:
    """Deadlines first..last (inclusive), three reminders each, none of them due, in batches.

    Past reminders are already sent; future ones are pending: the realistic mix after months
    of operation.
    """
    for start in range(first, last + 1, BATCH):
        end = min(last, start + BATCH - 1)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH d AS (
                    INSERT INTO cases_deadline (case_id, kind, key, due_on, state, created_at,
                                                updated_at)
                    SELECT (%(case_ids)s::bigint[])[1 + n %% %(cases)s], 'response',
                           'bench:' || n, CURRENT_DATE + ((n %% 730) - 365), 'open', now(), now()
                    FROM generate_series(%(first)s, %(last)s) AS n
                    RETURNING id, due_on
                )
                INSERT INTO cases_reminder (deadline_id, offset_days, send_at, sent_at, attempts,
                                            last_error)
                SELECT d.id, o.offset_days,
                       (d.due_on + o.offset_days) + time '09:00',
                       CASE WHEN (d.due_on + o.offset_days) < CURRENT_DATE
                            THEN (d.due_on + o.offset_days) + time '09:05' END,
                       0, ''
                FROM d CROSS JOIN (VALUES (-7), (0), (1)) AS o(offset_days)
                """,
                {"case_ids": case_ids, "cases": len(case_ids), "first": start, "last": end},
            )


def settle() -> None:
    """Mark sent whatever a batch left pending and due (e.g. today's 09:00 reminders)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_reminder SET sent_at = now() WHERE sent_at IS NULL AND send_at <= now()"
        )
        cursor.execute("VACUUM ANALYZE cases_deadline")
        cursor.execute("VACUUM ANALYZE cases_reminder")


def choose_due(count: int) -> list[int]:
    """`count` sent reminders, spread over the table, that fell due in the last year."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM cases_reminder WHERE sent_at IS NOT NULL ORDER BY random() LIMIT %s",
            [count],
        )
        return [row[0] for row in cursor.fetchall()]


def make_due(ids: list[int]) -> None:
    """Turn these reminders back into pending, unqueued ones."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_reminder SET sent_at = NULL, queued_at = NULL, attempts = 0 "
            "WHERE id = ANY(%s)",
            [ids],
        )


def deliver_queued() -> int:
    """Take every message off this run's queue and run the task it names, as a worker would."""
    delivered = 0
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue(QUEUE)
        while True:
            try:
                message = queue.get(block=False)
            except queue.Empty:
                break
            args, _kwargs, _embed = message.decode()
            assert message.headers["task"] == "tasks.reminders.reminder_send", message.headers
            message.ack()
            reminder_send(*args)
            delivered += 1
        queue.close()
    return delivered


def dispatch(due: list[int]) -> float:
    """One scan and the delivery of everything it queued: seconds."""
    mail.outbox = []
    started = time.perf_counter()
    queued = reminders_enqueue_due()
    delivered = deliver_queued()
    elapsed = time.perf_counter() - started
    assert queued == delivered == DUE, f"queued {queued}, delivered {delivered}, due {DUE}"
    sent = Reminder.objects.filter(pk__in=due, sent_at__isnull=False).count()
    assert sent == DUE, f"{sent} of the {DUE} due reminders marked sent"
    assert len(mail.outbox) >= DUE, f"{len(mail.outbox)} e-mails for {DUE} reminders"
    return elapsed


def plan() -> str:
    sql, params = (
        reminders_due(now=timezone.now()).values_list("pk", flat=True).query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def purge_queue() -> None:
    with app.connection_for_write() as conn:
        queue = conn.SimpleQueue(QUEUE)
        queue.clear()
        queue.queue.delete()
        queue.close()


def main() -> None:
    case_ids = [CaseFactory().pk for _ in range(CASES)]
    results: dict[int, list[float]] = {}
    stored = 0
    try:
        for size in SIZES:
            started = time.perf_counter()
            insert_deadlines(stored + 1, size, case_ids)
            stored = size
            settle()
            print(
                f"stored {size:,} deadlines ({3 * size:,} reminders) "
                f"in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
            due = choose_due(DUE)
            make_due(due)
            dispatch(due)  # warm-up: templates, connections, plans
            results[size] = []
            for _ in range(RUNS):
                make_due(due)
                results[size].append(dispatch(due))
            times = results[size]
            print(
                f"  {size:>9,} deadlines, {DUE:,} due: whole dispatch (select, enqueue, deliver, "
                f"mark sent) min / median / max {min(times):.2f} / {median(times):.2f} / "
                f"{max(times):.2f} s",
                flush=True,
            )
    finally:
        purge_queue()
    small, large = median(results[SIZES[0]]), median(results[SIZES[-1]])
    ratio = large / small
    ok = ratio <= TARGET
    print(
        f"ratio {SIZES[-1]:,} / {SIZES[0]:,} deadlines (medians): {ratio:.2f} "
        f"(target: at most {TARGET}) {'PASS' if ok else 'FAIL'}"
    )
    print("query plan of the selection at the larger size:")
    print(plan())
    print("targets missed: none" if ok else f"targets missed:\n  - dispatch ratio {ratio:.2f}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
