"""The voice-export analyser: recordings analysed per second and the worker's peak memory.

Generated Google Takeout exports (tests/make_exports.py: MyActivity.json and one MP3 per
interaction) of 5,000 and 50,000 interactions are analysed by the worker's own code path
(`services.export_run`: claim, stream the zip, parse the JSON incrementally, read every MP3's
length with mutagen, store the report) in a fresh subprocess each, so that its peak resident
memory (VmHWM) is the analysis's alone, Django and all.

Targets: at least 2,000 recordings per second at each size; peak memory under 300 MB at each size,
and not growing with the export: the 50,000 run may use at most 25 MB more than the 5,000 run (the
report keeps one file name per recording to match the audio with the index: about 100 bytes each).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dsar .venv/bin/python bench/exports.py \\
        [--sizes 5000,50000] [--keep-files DIR]

Uses a scratch PostgreSQL database of its own (`<database>_bench_exports`) and a temporary media
folder, both removed at exit. Prints figures and PASS/FAIL; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT

MIN_RATE = 2000.0
MAX_PEAK_MB = 300.0
MAX_GROWTH_MB = 25.0


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not getrusage's ru_maxrss: Linux keeps
    ru_maxrss across execve, so a child would report its parent's peak (the generator's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(export_id: int) -> None:
    """Run one analysis as the worker does and print its figures as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsar.settings")
    import django

    django.setup()
    from cases import services

    before_mb = peak_rss_mb()
    start = time.perf_counter()
    export = services.export_run(export_id=export_id)
    seconds = time.perf_counter() - start
    peak_mb = peak_rss_mb()
    print(
        json.dumps(
            {
                "status": export.status if export else None,
                "error": export.error_code if export else None,
                "recordings": export.report["audio"]["files"] if export else 0,
                "interactions": export.report["interactions"] if export else 0,
                "seconds": seconds,
                "peak_mb": peak_mb,
                "before_mb": before_mb,
            }
        )
    )


def prepare(size: int, media: Path) -> int:
    """A case with a generated export of `size` interactions stored as its evidence."""
    from django.utils import timezone

    from cases.models import Case, Evidence, User, Vendor, VoiceExport
    from tests import make_exports as gen

    user, _ = User.objects.get_or_create(email="bench-exports@example.org")
    vendor = Vendor.objects.order_by("pk").first() or Vendor.objects.create(
        slug="google", name="Google", legal_name="Google Ireland Limited", country="IE"
    )
    case = Case.objects.create(
        requester=user,
        vendor=vendor,
        requester_name="Bench",
        requester_email=user.email,
        requester_country="LU",
        language="en",
    )
    name = f"evidence/{case.pk}/takeout-{size}.zip"
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    truth = gen.google_takeout(path, n=size, missing=0, extra=0)
    print(
        f"generated {size:,} interactions, {truth.audio:,} MP3s, "
        f"{path.stat().st_size / 2**20:.0f} MB in {time.perf_counter() - started:.0f} s"
    )
    evidence = Evidence.objects.create(
        case=case,
        file=name,
        original_name=path.name,
        content_type="application/zip",
        size=path.stat().st_size,
        sha256="0" * 64,
        uploaded_at=timezone.now(),
    )
    return VoiceExport.objects.create(case=case, evidence=evidence, file_name=name).pk


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    from _setup import scratch_database

    media = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    os.environ["MEDIA_ROOT"] = str(media)
    try:
        scratch_database("exports")
        sizes = [int(s) for s in args.sizes.split(",")]
        results = {}
        for size in sizes:
            export_id = prepare(size, media)
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(export_id)],
                env=os.environ.copy(),
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:
                sys.exit(f"the analysis of {size} failed:\n{out.stderr[-3000:]}")
            result = json.loads(out.stdout.strip().splitlines()[-1])
            if result["status"] != "done":
                sys.exit(f"the analysis of {size} ended {result}")
            results[size] = result
            print(f"{size:,}: worker peak before the analysis {result['before_mb']:.0f} MB")
            for leftover in media.rglob("*.zip"):
                leftover.unlink()
        failed = False
        print()
        for size, r in results.items():
            rate = r["recordings"] / r["seconds"]
            ok_rate, ok_peak = rate >= MIN_RATE, r["peak_mb"] < MAX_PEAK_MB
            failed |= not (ok_rate and ok_peak)
            print(
                f"{size:>6,} interactions: {r['recordings']:,} recordings in {r['seconds']:.1f} s "
                f"= {rate:,.0f} recordings/s (target >= {MIN_RATE:,.0f}): {verdict(ok_rate)}"
            )
            print(
                f"{size:>6,} interactions: worker peak memory {r['peak_mb']:.0f} MB "
                f"(target < {MAX_PEAK_MB:.0f} MB): {verdict(ok_peak)}"
            )
        if len(results) >= 2:
            small, large = results[min(results)], results[max(results)]
            growth = large["peak_mb"] - small["peak_mb"]
            ok_growth = growth <= MAX_GROWTH_MB
            failed |= not ok_growth
            print(
                f"peak memory growth from {min(results):,} to {max(results):,} interactions: "
                f"{growth:+.1f} MB (target <= {MAX_GROWTH_MB:.0f} MB): {verdict(ok_growth)}"
            )
        if failed:
            sys.exit(1)
    finally:
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
