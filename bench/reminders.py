"""How the due-reminder scan scales: 10,000 vs 1,000,000 stored deadlines, 1,000 of them due.

The dispatcher must cost what is due, not what is stored. Prints the median time of the
selection at both sizes, their ratio (target: at most 3) and the query plan at the larger size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dsar .venv/bin/python bench/reminders.py
"""

from __future__ import annotations

from _setup import scratch_database, timed

scratch_database("dsar_bench_reminders")

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.selectors import reminders_due  # noqa: E402
from tests.factories import CaseFactory  # noqa: E402

DUE = 1_000
SIZES = (10_000, 1_000_000)
CASES = 1_000  # deadlines are spread over this many cases (key is unique per case)


def insert_deadlines(first: int, last: int, case_ids: list[int]) -> None:
    """Deadlines first..last (inclusive), three reminders each, none of them due.

    Past reminders are already sent; future ones are pending: the realistic mix after months
    of operation.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_deadline (case_id, kind, key, due_on, state, created_at, updated_at)
            SELECT (%(case_ids)s::bigint[])[1 + n %% %(cases)s], 'response', 'bench:' || n,
                   CURRENT_DATE + ((n %% 730) - 365), 'open', now(), now()
            FROM generate_series(%(first)s, %(last)s) AS n
            """,
            {"case_ids": case_ids, "cases": len(case_ids), "first": first, "last": last},
        )
        cursor.execute(
            """
            INSERT INTO cases_reminder (deadline_id, offset_days, send_at, sent_at, attempts,
                                        last_error)
            SELECT d.id, o.offset_days,
                   (d.due_on + o.offset_days) + time '09:00',
                   CASE WHEN (d.due_on + o.offset_days) < CURRENT_DATE
                        THEN (d.due_on + o.offset_days) + time '09:05' END,
                   0, ''
            FROM cases_deadline d
            CROSS JOIN (VALUES (-7), (0), (1)) AS o(offset_days)
            WHERE d.key LIKE 'bench:%%'
              AND substring(d.key from 7)::int BETWEEN %(first)s AND %(last)s
            """,
            {"first": first, "last": last},
        )


def make_due(count: int) -> None:
    """Turn `count` sent reminders back into pending ones that fell due in the last months."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE cases_reminder SET sent_at = NULL
            WHERE id IN (SELECT id FROM cases_reminder WHERE sent_at IS NOT NULL
                         ORDER BY id LIMIT %s)
            """,
            [count],
        )
        cursor.execute("ANALYZE cases_deadline")
        cursor.execute("ANALYZE cases_reminder")


def select_due() -> int:
    now = timezone.now()
    return len(list(reminders_due(now=now).values_list("pk", flat=True)))


def plan() -> str:
    sql, params = (
        reminders_due(now=timezone.now()).values_list("pk", flat=True).query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def main() -> None:
    case_ids = [CaseFactory().pk for _ in range(CASES)]
    results = {}
    stored = 0
    for size in SIZES:
        insert_deadlines(stored + 1, size, case_ids)
        stored = size
        # Keep exactly DUE pending-and-due reminders at every size.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_reminder SET sent_at = now() WHERE sent_at IS NULL "
                "AND send_at <= now()"
            )
        make_due(DUE)
        found = select_due()
        assert found == DUE, f"expected {DUE} due reminders, found {found}"
        results[size] = timed(select_due)
        print(
            f"{size:>9,} deadlines ({3 * size:,} reminders), {DUE:,} due: "
            f"median selection {results[size] * 1000:.2f} ms"
        )
    small, large = results[SIZES[0]], results[SIZES[-1]]
    print(f"ratio {SIZES[-1]:,} / {SIZES[0]:,}: {large / small:.2f} (target at most 3)")
    print("query plan at the larger size:")
    print(plan())


if __name__ == "__main__":
    main()
