"""A real Celery worker on a real Redis analyses hostile exports one after the other and survives:
each bad one ends FAILED with its code, the good one after them is analysed."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.conf import settings

from cases import services
from cases.models import ExportStatus, Status, VoiceExport
from tests import live
from tests import make_exports as gen
from tests.journey_helpers import case_in_status

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
]


@pytest.fixture
def redis(tmp_path):
    server = live.PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_a_worker_survives_hostile_exports_and_analyses_the_next(redis, tmp_path, monkeypatch):
    # Uploads here queue nothing: the messages go to the private Redis below, in order.
    monkeypatch.setattr("cases.services.exports.enqueue_on_commit", lambda *a: None)
    case = case_in_status(Status.AWAITING_RESPONSE)
    bomb = io.BytesIO()
    gen.zip_bomb(bomb, megabytes=16)
    good = io.BytesIO()
    gen.amazon_export(good, n=40, stranger=10)
    inputs = [
        bomb.getvalue(),
        gen.encrypted_zip(),
        gen.corrupt_zip(),
        gen.not_a_zip(),
        good.getvalue(),
    ]
    ids = [
        services.export_upload(
            case=case, actor=case.requester, file=io.BytesIO(data), name=f"{i}.zip"
        ).pk
        for i, data in enumerate(inputs)
    ]
    env = live.app_env(REDIS_URL=redis.url, MEDIA_ROOT=str(settings.MEDIA_ROOT))
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, django; django.setup();"
            "from tasks.exports import export_analyse;"
            "[export_analyse.delay(int(i)) for i in sys.argv[1:]]",
            *map(str, ids),
        ],
        env=env,
        check=True,
        timeout=60,
    )
    with live.celery_worker("exports", env=env, log=tmp_path / "worker.log") as worker:
        live.wait_for(
            lambda: (
                VoiceExport.objects.filter(pk__in=ids, finished_at__isnull=False).count()
                == len(ids)
            ),
            timeout=120,
            what="every export to be analysed",
        )
        assert worker.poll() is None  # still running
    exports = {e.pk: e for e in VoiceExport.objects.filter(pk__in=ids)}
    assert [exports[i].error_code for i in ids] == [
        "too_large",
        "encrypted",
        "damaged",
        "not_an_export",
        "",
    ]
    assert exports[ids[-1]].status == ExportStatus.DONE
    assert exports[ids[-1]].report["interactions"] == 40
