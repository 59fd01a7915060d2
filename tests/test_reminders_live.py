"""Reminders against real services: Celery workers and beat on a real Redis, PostgreSQL as the
source of truth. These start processes; each test takes a few seconds."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, Reminder
from tests import live
from tests.factories import DeadlineFactory, UserFactory, VendorFactory

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


@pytest.fixture
def outbox(tmp_path):
    folder = tmp_path / "outbox"
    folder.mkdir()
    return folder


def due_reminders(count: int, *, fell_due: timedelta) -> list[int]:
    """`count` open deadlines, each with one reminder that fell due `fell_due` ago."""
    ids = []
    for _ in range(count):
        deadline = DeadlineFactory(due_on=timezone.localdate() - fell_due)
        ids.append(
            Reminder.objects.create(
                deadline=deadline, offset_days=0, send_at=timezone.now() - fell_due
            ).pk
        )
    return ids


# What the web process does when someone records a request, run as its own process so that it
# talks to the (stopped) private Redis rather than the test runner's broker.
FILE_A_REQUEST = """
import sys
from datetime import date
import django
django.setup()
from cases import services
from cases.models import User, Vendor
user = User.objects.get(email=sys.argv[1])
case = services.case_create(
    requester=user, vendor=Vendor.objects.get(slug="amazon-outage"),
    requester_name="Ada", requester_email=user.email, requester_country="DE",
)
services.case_mark_sent(
    case=case, actor=user, sent_on=date.fromisoformat(sys.argv[2]), channel="email"
)
"""


def dispatch(env: dict[str, str]) -> None:
    """Run the dispatcher in its own process, as beat's task would."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup();"
            "from cases.services import reminders_enqueue_due; reminders_enqueue_due()",
        ],
        cwd=live.ROOT,
        env=env,
        check=True,
        timeout=60,
    )


def all_sent(ids: list[int]) -> bool:
    return Reminder.objects.filter(pk__in=ids, sent_at__isnull=False).count() == len(ids)


def test_two_workers_send_each_due_reminder_exactly_once(redis, outbox, tmp_path):
    ids = due_reminders(30, fell_due=timedelta(hours=1))
    env = live.app_env(REDIS_URL=redis.url, EMAIL_URL="filemail://", EMAIL_FILE_PATH=str(outbox))

    # Queue every reminder three times over, so both workers race for the same rows.
    for _ in range(3):
        dispatch(env)
        Reminder.objects.filter(pk__in=ids).update(queued_at=None)

    with (
        live.celery_worker("one", env=env, log=tmp_path / "one.log", concurrency=2),
        live.celery_worker("two", env=env, log=tmp_path / "two.log", concurrency=2),
    ):
        live.wait_for(lambda: all_sent(ids), timeout=90, what="every reminder to be sent")
        time.sleep(2)  # let the duplicate messages drain: they must send nothing

    messages = live.emails_written(outbox)
    assert len(messages) == 30
    logs = (tmp_path / "one.log").read_text() + (tmp_path / "two.log").read_text()
    assert "one@" in logs and "two@" in logs


def test_a_case_saved_while_redis_is_down_gets_its_reminders_once_redis_is_back(
    redis, outbox, tmp_path
):
    env = live.app_env(
        REDIS_URL=redis.url,
        EMAIL_URL="filemail://",
        EMAIL_FILE_PATH=str(outbox),
        REMINDER_SCAN_SECONDS="1",
    )
    VendorFactory(slug="amazon-outage", name="Amazon", country="LU")
    user = UserFactory(email="outage@example.org")
    redis.stop()

    # A request e-mailed 42 days ago: its day-after reminder fell due about ten days ago.
    sent_on = timezone.localdate() - timedelta(days=42)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-c", FILE_A_REQUEST, "outage@example.org", sent_on.isoformat()],
        cwd=live.ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    assert time.monotonic() - started < 30, "a broker outage must not hold up the request"

    case = Case.objects.get(requester=user)
    reminder = Reminder.objects.get(deadline__case=case)
    assert reminder.sent_at is None
    assert reminder.send_at < timezone.now() - timedelta(days=5)

    redis.start()
    with (
        live.celery_worker("catchup", env=env, log=tmp_path / "worker.log"),
        live.celery_beat(env=env, log=tmp_path / "beat.log", schedule=tmp_path / "beat"),
    ):
        live.wait_for(
            lambda: Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=False).exists(),
            timeout=90,
            what="the reminder to be sent once Redis is back",
        )
    messages = live.emails_written(outbox)
    assert len(messages) == 1
    assert "outage@example.org" in messages[0]


def test_a_reminder_due_ten_days_ago_while_everything_was_down_is_still_sent(
    redis, outbox, tmp_path
):
    ids = due_reminders(1, fell_due=timedelta(days=10))
    env = live.app_env(
        REDIS_URL=redis.url,
        EMAIL_URL="filemail://",
        EMAIL_FILE_PATH=str(outbox),
        REMINDER_SCAN_SECONDS="1",
    )
    with (
        live.celery_worker("late", env=env, log=tmp_path / "worker.log"),
        live.celery_beat(env=env, log=tmp_path / "beat.log", schedule=tmp_path / "beat"),
    ):
        live.wait_for(lambda: all_sent(ids), timeout=90, what="the old reminder to be sent")
    assert len(live.emails_written(outbox)) == 1
