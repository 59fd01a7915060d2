"""Letter rendering: how long one heavy complaint takes, and how many letters two workers make.

1. The median render time (context + template + WeasyPrint) of a complaint with 50 timeline
   events (notes of different lengths) and 20 evidence files, against a minimal one-page
   WeasyPrint document without the letters' stylesheet in the same run (target: at most 250 ms
   here with libharfbuzz-subset0 installed; the ratio tells the machine apart).
2. 500 complaints rendered by two real Celery worker processes (one child each) on a private
   redis-server, from the first enqueue to the last letter ready: letters per minute. Without
   redis-server, two multiprocessing processes call the render service instead (it says so).

    DJANGO_DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/dsar \\
        .venv/bin/python bench/letters.py [--letters 500] [--repeat 21]

Uses a scratch PostgreSQL database of its own (`dsar_bench_letters`, beside DATABASE_URL's) and a
temporary media folder, both removed at exit. Prints figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import atexit
import io
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, scratch_database, timed

DATABASE = "dsar_bench_letters"
BRUSSELS = ZoneInfo("Europe/Brussels")
MINIMAL = "<!doctype html><html><body><p>Hello.</p></body></html>"
# What people write down between two letters; different lengths, as in real cases.
NOTES = (
    "Called the company's support line; no answer about the missing recordings.",
    "Chat with customer service: they say the export is complete and closed the ticket.",
    "Wrote again through the privacy web form.",
    "Support promised a reply from the privacy team within a week; none came, and the "
    "recordings from the kitchen device are still missing from the export.",
)


def harfbuzz_subset() -> str:
    try:
        status = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status} ${Version}", "libharfbuzz-subset0"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    except FileNotFoundError:
        return "unknown (no dpkg)"
    return f"installed ({status.split()[-1]})" if "install ok installed" in status else "MISSING"


def build_complaint_case():
    """A case with 50 timeline events and 20 evidence files, on which complaints are asked."""
    import time_machine

    from cases import services
    from cases.models import CaseEvent, EventKind, Status
    from tests.factories import (
        AuthorityFactory,
        CaseFactory,
        EvidenceFactory,
        UserFactory,
        VendorFactory,
    )

    def at(day: date):
        return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=BRUSSELS))

    cnpd = AuthorityFactory(slug="lucnpd", short_name="CNPD")
    amazon = VendorFactory(
        slug="amazon",
        name="Amazon",
        legal_name="Amazon Europe Core S.à r.l.",
        products=["Alexa", "Echo"],
        lead_authority=cnpd,
    )
    user = UserFactory(email="bench@example.org", full_name="Anna Müller")
    case = CaseFactory(
        requester=user,
        vendor=amazon,
        status=Status.DRAFT,
        account_identifiers="Customer ID A1B2C3",
        device_serials="G090LF1234567890\nG090LF1234567891",
    )
    start = date(2027, 3, 1)
    with at(start):
        services.case_mark_sent(case=case, actor=user, sent_on=start, channel="email")
    with at(date(2027, 4, 20)):
        services.case_record_response(
            case=case,
            actor=user,
            received_on=date(2027, 4, 20),
            missing_items=["annotations", "recipients", "retention", "source"],
        )
        incident = services.incident_record(
            case=case,
            actor=user,
            kind="misdirected_export",
            discovered_on=date(2027, 4, 20),
            records_affected=1700,
            data_categories=["audio recordings", "transcripts"],
            description="The export held 1,700 recordings of somebody else.",
        )
    with at(date(2027, 4, 25)):
        services.case_record_reminder_sent(case=case, actor=user, sent_on=date(2027, 4, 25))
    day = date(2027, 5, 1)
    while case.events.count() < 50:
        note = NOTES[(day - date(2027, 5, 1)).days // 2 % len(NOTES)]
        CaseEvent.record(case, user, EventKind.NOTE, on=day, note=note)
        day += timedelta(days=2)
    for i in range(20):
        EvidenceFactory(
            case=case,
            incident=incident if i < 5 else None,
            original_name=f"evidence-{i:02d}.pdf",
            description=f"Exhibit {i + 1}: correspondence with the company",
            content=f"exhibit {i}".encode(),
        )
    with at(date(2027, 6, 1)):
        services.deadlines_refresh(case=case)
    # The services saved their changes on copies they locked; render what the workers will see.
    case.refresh_from_db()
    assert case.events.count() >= 50 and case.evidence.count() == 20
    return case, cnpd


def ask_complaints(case, authority, count: int) -> list[int]:
    from cases.models import Letter, LetterKind, LetterStatus

    latest = Letter.objects.filter(case=case, kind=LetterKind.COMPLAINT).count()
    rows = [
        Letter(
            case=case,
            kind=LetterKind.COMPLAINT,
            version=latest + i + 1,
            language="en",
            authority=authority,
            status=LetterStatus.QUEUED,
        )
        for i in range(count)
    ]
    return [letter.pk for letter in Letter.objects.bulk_create(rows)]


def wait_until_ready(ids: list[int], *, timeout: float) -> float:
    from cases.models import Letter, LetterStatus

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        pending = Letter.objects.filter(pk__in=ids).exclude(status=LetterStatus.READY)
        if not pending.exists():
            return time.perf_counter()
        failed = Letter.objects.filter(pk__in=ids, status=LetterStatus.FAILED).first()
        if failed is not None:
            sys.exit(f"letter {failed.pk} failed: {failed.error}")
        time.sleep(0.1)
    sys.exit(f"timed out after {timeout:.0f}s with letters still queued")


def through_celery(case, authority, count: int, workdir: Path) -> tuple[float, str]:
    from cases.queue import enqueue
    from tests.live import app_env, celery_worker, wait_for

    env = app_env(
        REDIS_URL=os.environ["REDIS_URL"],
        MEDIA_ROOT=os.environ["MEDIA_ROOT"],
        LOG_LEVEL="WARNING",
    )
    logs = [workdir / f"worker-{n}.log" for n in (1, 2)]
    with (
        celery_worker("bench-letters-1", env=env, log=logs[0]),
        celery_worker("bench-letters-2", env=env, log=logs[1]),
    ):
        from dsar.celery import app

        wait_for(
            lambda: len(app.control.ping(timeout=0.5) or []) >= 2,
            timeout=60,
            what="two Celery workers",
        )
        ids = ask_complaints(case, authority, count)
        started = time.perf_counter()
        for letter_id in ids:
            enqueue("tasks.letters.letter_render", letter_id)
        finished = wait_until_ready(ids, timeout=3600)
    return finished - started, "two Celery worker processes (-c 1 each) on a private redis-server"


def _render_share(ids: list[int]) -> None:
    import django

    django.setup()
    from django.db import connections

    connections.close_all()
    from cases.services import letter_render

    for letter_id in ids:
        letter_render(letter_id=letter_id)


def through_processes(case, authority, count: int) -> tuple[float, str]:
    from django.db import connections

    ids = ask_complaints(case, authority, count)
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    workers = [context.Process(target=_render_share, args=(ids[n::2],)) for n in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    finished = wait_until_ready(ids, timeout=600)
    return finished - started, "two multiprocessing processes calling the render service"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="dsar-bench-letters-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    os.environ["MEDIA_ROOT"] = str(workdir / "media")

    redis = None
    if shutil.which("redis-server"):
        sys.path.insert(0, str(ROOT))
        from tests.live import PrivateRedis

        redis = PrivateRedis(workdir)
        redis.start()
        atexit.register(redis.stop)
        # Before Django's settings are read: this process enqueues on the private server.
        os.environ["REDIS_URL"] = redis.url

    scratch_database(DATABASE)

    # Imported only now: Django and the letters read the settings and database set up above.
    import weasyprint
    from pypdf import PdfReader

    from cases.letters.compose import letter_html
    from cases.letters.render import render_pdf
    from cases.models import Letter, LetterKind

    print(f"libharfbuzz-subset0: {harfbuzz_subset()}")
    # Timings on a shared machine mean little without this: a load above the core count (2
    # here) slows every figure below, the ratio to the minimal document less so.
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    case, cnpd = build_complaint_case()
    probe = Letter.objects.create(
        case=case, kind=LetterKind.COMPLAINT, version=1, language="en", authority=cnpd
    )
    html = letter_html(probe)
    pages = len(PdfReader(io.BytesIO(render_pdf(html))).pages)

    complaint = timed(lambda: render_pdf(letter_html(probe)), repeat=args.repeat, warmup=3)
    pdf_only = timed(lambda: render_pdf(html), repeat=args.repeat, warmup=3)
    # The yardstick is WeasyPrint itself: a one-line page without the letters' stylesheet.
    minimal = timed(
        lambda: weasyprint.HTML(string=MINIMAL).write_pdf(), repeat=args.repeat, warmup=3
    )
    print(
        f"complaint, {case.events.count()} timeline events, {case.evidence.count()} evidence "
        f"files, {pages} pages:"
    )
    print(
        f"  median render (context + template + PDF): {complaint * 1000:7.1f} ms  (target <= 250)"
    )
    print(f"  median PDF only (WeasyPrint):             {pdf_only * 1000:7.1f} ms")
    print(f"minimal one-page document:                  {minimal * 1000:7.1f} ms")
    print(f"ratio complaint / minimal:                  {complaint / minimal:7.1f}")

    if redis is not None:
        elapsed, how = through_celery(case, cnpd, args.letters, workdir)
    else:
        elapsed, how = through_processes(case, cnpd, args.letters)
    print(f"{args.letters} complaints through {how}:")
    print(f"  {elapsed:.1f} s, {args.letters / elapsed * 60:.0f} letters per minute")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
