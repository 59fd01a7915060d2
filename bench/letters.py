"""Letter rendering: how long one heavy complaint takes, and how many letters two workers make.

1. The median render time (context + template + WeasyPrint) of a complaint with 50 timeline
   events (notes of different lengths) and 20 evidence files, in English, French and German,
   three runs each (min/median/max of the runs' medians), against a minimal one-page WeasyPrint
   document without the letters' stylesheet in the same run. Target: at most 250 ms in every
   language (with libharfbuzz-subset0 installed; the ratio tells the machine apart).
2. A bulk job of 200 complaints, each on a case of its own under an organisation's mandate, run
   by two real Celery worker processes (one child each) on a private redis-server: from the job
   to the last letter ready, letters per minute. Target: at least 400. Without redis-server the
   figure cannot be measured and the script says so (and fails).

Prints each figure with its target and a verdict, and exits 1 if a target is missed.

    DJANGO_DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/dsar \\
        .venv/bin/python bench/letters.py [--letters 200] [--repeat 11]

Uses a scratch PostgreSQL database of its own (`dsar_bench_letters`, beside DATABASE_URL's) and a
temporary media folder, both removed at exit. Prints figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import atexit
import io
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


def build_bulk_cases(count: int):
    """`count` cases of one organisation, each mandated (complaints included) and each with a
    ground for a complaint as of today (an answer that lacked the recordings)."""
    from cases.models import Membership, Status
    from tests.factories import (
        AuthorityFactory,
        CaseFactory,
        MandateFactory,
        MembershipFactory,
        OrganisationFactory,
        VendorFactory,
    )

    authority = AuthorityFactory(slug="bench-dpc", short_name="DPC", country="IE")
    vendor = VendorFactory(slug="bench-google", name="Google", lead_authority=authority)
    organisation = OrganisationFactory(name="Bench Privacy Action")
    caseworker = MembershipFactory(organisation=organisation, role=Membership.Role.CASEWORKER).user
    ids = []
    for _ in range(count):
        case = CaseFactory(
            sent=True, vendor=vendor, missing_items=["audio"], status=Status.ANSWERED
        )
        MandateFactory(case=case, organisation=organisation)
        ids.append(case.pk)
    return organisation, caseworker, authority, ids


def wait_until_ready(job_id: int, *, timeout: float) -> float:
    from cases.models import BulkJob, Letter, LetterKind, LetterStatus

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        job = BulkJob.objects.get(pk=job_id)
        if job.failures:
            sys.exit(f"the bulk job reported failures: {job.failures[:3]}")
        letters = Letter.objects.filter(kind=LetterKind.COMPLAINT, case_id__in=job.case_ids)
        failed = letters.filter(status=LetterStatus.FAILED).first()
        if failed is not None:
            sys.exit(f"letter {failed.pk} failed: {failed.error}")
        ready = not letters.exclude(status=LetterStatus.READY).exists()
        if job.is_finished and ready and letters.count() == job.total:
            return time.perf_counter()
        time.sleep(0.1)
    sys.exit(f"timed out after {timeout:.0f}s with letters still queued")


def bulk_through_celery(count: int, workdir: Path) -> float:
    """Seconds from creating the bulk job to the last of its complaints ready."""
    from cases import services
    from cases.models import BulkJob
    from tests.live import app_env, celery_worker, wait_for

    organisation, caseworker, authority, ids = build_bulk_cases(count)
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
        started = time.perf_counter()
        # Autocommit here: the job's task is enqueued as soon as the job row exists.
        job = services.bulk_job_create(
            organisation=organisation,
            actor=caseworker,
            kind=BulkJob.Kind.COMPLAINTS,
            case_ids=ids,
            authority=authority,
        )
        finished = wait_until_ready(job.pk, timeout=3600)
    return finished - started


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=11)
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
    failed = []
    minimal = timed(
        lambda: weasyprint.HTML(string=MINIMAL).write_pdf(), repeat=args.repeat, warmup=3
    )
    print(
        f"complaint, {case.events.count()} timeline events, {case.evidence.count()} evidence "
        f"files; minimal one-page document {minimal * 1000:.1f} ms"
    )
    for language in ("en", "fr", "de"):
        probe = Letter.objects.create(
            case=case,
            kind=LetterKind.COMPLAINT,
            version=Letter.objects.filter(case=case).count() + 1,
            language=language,
            authority=cnpd,
        )
        pages = len(PdfReader(io.BytesIO(render_pdf(letter_html(probe)))).pages)
        runs = sorted(
            timed(lambda probe=probe: render_pdf(letter_html(probe)), repeat=args.repeat)
            for _ in range(3)
        )
        ok = runs[1] <= 0.250
        failed += [] if ok else [f"complaint render ({language})"]
        print(
            f"  {language}, {pages} pages: render (context + template + PDF) min/median/max "
            f"{runs[0] * 1000:.0f}/{runs[1] * 1000:.0f}/{runs[2] * 1000:.0f} ms, "
            f"ratio to minimal {runs[1] / minimal:.1f}; target <= 250 ms: {verdict(ok)}"
        )

    if redis is None:
        print("bulk job: redis-server not found, cannot run two Celery workers: FAIL")
        failed.append("bulk job")
    else:
        elapsed = bulk_through_celery(args.letters, workdir)
        rate = args.letters / elapsed * 60
        ok = rate >= 400
        failed += [] if ok else ["bulk job"]
        print(
            f"bulk job of {args.letters} complaints, two Celery workers (-c 1 each): "
            f"{elapsed:.1f} s, {rate:.0f} letters per minute; target >= 400: {verdict(ok)}"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    if failed:
        print(f"targets missed: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
