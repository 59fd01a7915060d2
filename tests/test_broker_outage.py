"""Issue 15.6: a write answers in under half a second while the broker is down (a closed port)
or hung (a server that accepts the connection and never answers), and the work it could not
queue is picked up by the periodic scan once the broker is back."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from cases import queue, services
from cases.models import Letter, LetterStatus
from dsar.celery import app
from tests.api_helpers import headers, organisation_case, organisation_key
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]


class BlackHole:
    """A TCP server on loopback that accepts every connection and never sends a byte."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stopped.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            self.held.append(conn)  # read nothing, answer nothing

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(2)
        for conn in self.held:
            conn.close()
        self.sock.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture(params=["hung", "closed"])
def broker_down(request) -> Iterator[str]:
    """The Celery app pointed at a broker that is hung or not there."""
    hole = BlackHole() if request.param == "hung" else None
    port = hole.port if hole else closed_port()
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    app.conf.task_always_eager = False
    queue.reset_breaker()
    yield request.param
    app.conf.broker_url, app.conf.task_always_eager = saved
    # Celery keeps its connection and producer pools for the dead broker's URL: drop them, as
    # Celery itself does after a fork, so that later tests publish to the real one.
    app._after_fork()
    queue.reset_breaker()
    if hole:
        hole.close()


def request_letter(client, case, secret, capture) -> tuple[float, dict]:
    start = time.monotonic()
    # The letter is queued once the request's transaction commits, before the answer leaves:
    # the commit callbacks run inside the timed span, as they would in the server.
    with capture(execute=True):
        response = client.post(
            f"/api/v1/cases/{case.pk}/letters/",
            data=json.dumps({"kind": "access_request"}),
            content_type="application/json",
            **headers(secret),
        )
    elapsed = time.monotonic() - start
    assert response.status_code == 202, response.content
    return elapsed, response.json()


def test_writes_answer_at_once_during_an_outage_and_the_scan_renders_later(
    client, broker_down, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    _key, secret = organisation_key(organisation)
    case = organisation_case(organisation)
    request_letter(client, case, secret, django_capture_on_commit_callbacks)  # warm up the view
    queue.reset_breaker()

    timings = []
    for _ in range(3):
        elapsed, letter = request_letter(client, case, secret, django_capture_on_commit_callbacks)
        timings.append(elapsed)
        assert letter["status"] == LetterStatus.QUEUED
    # The first write pays one short timeout, the next ones none (the breaker is open).
    assert max(timings) < 0.5, timings
    assert queue.broker_skipped()

    # The broker is back: once the letters have waited long enough the scan queues them again
    # (run inline here, as a worker would), and each is rendered.
    app.conf.task_always_eager = True
    queue.reset_breaker()
    later = timezone.now() + timedelta(seconds=settings.LETTER_REQUEUE_AFTER_SECONDS + 1)
    assert services.letters_requeue_stuck(now=later) == 4
    assert set(Letter.objects.filter(case=case).values_list("status", flat=True)) == {
        LetterStatus.READY
    }


def test_a_hung_broker_costs_one_short_timeout_then_nothing(broker_down):
    start = time.monotonic()
    assert queue.enqueue("tasks.letters.letter_render", 1) is False
    first = time.monotonic() - start
    start = time.monotonic()
    for _ in range(20):
        assert queue.enqueue("tasks.letters.letter_render", 1) is False
    rest = time.monotonic() - start
    assert first < 0.5 and rest < 0.05, (first, rest)


def test_after_the_pause_the_broker_is_tried_again(settings, broker_down):
    settings.BROKER_SKIP_AFTER_FAILURE_SECONDS = 0.2
    assert queue.enqueue("tasks.letters.letter_render", 1) is False
    assert queue.broker_skipped()
    time.sleep(0.25)
    assert not queue.broker_skipped()
