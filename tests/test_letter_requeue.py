"""Issue 15.7: a letter asked for during a broker outage renders within two minutes of the
broker's return (the requeue scan runs every minute and takes letters waiting over a minute),
and no letter is rendered twice at the same time (the render claims the row)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases import services
from cases.models import Letter, LetterStatus
from tests.factories import CaseFactory


def ask(case) -> Letter:
    return services.letter_request(case=case, actor=None, kind="access_request")


def test_a_lost_letter_is_queued_again_within_two_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["letters-requeue-stuck"]
    # Worst case after the broker's return: a tick's wait plus the letter's own wait.
    assert entry["schedule"] <= 60 and settings.LETTER_REQUEUE_AFTER_SECONDS <= 60


@pytest.mark.django_db
def test_the_scan_takes_letters_waiting_over_a_minute_and_nothing_else(monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(
        "cases.services.letters.enqueue", lambda task, letter_id: queued.append(letter_id) or True
    )
    case = CaseFactory()
    now = timezone.now()
    waiting, fresh, ready = ask(case), ask(case), ask(case)
    Letter.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(seconds=61))
    Letter.objects.filter(pk=fresh.pk).update(created_at=now - timedelta(seconds=59))
    Letter.objects.filter(pk=ready.pk).update(
        created_at=now - timedelta(hours=1), status=LetterStatus.READY
    )
    assert services.letters_requeue_stuck(now=now) == 1
    assert queued == [waiting.pk]
    # A minute later the fresh one has waited long enough too.
    queued.clear()
    assert services.letters_requeue_stuck(now=now + timedelta(seconds=2)) == 2
    assert sorted(queued) == sorted([waiting.pk, fresh.pk])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_renders_of_one_letter_at_the_same_time_render_it_once():
    letter = ask(CaseFactory())
    start = threading.Barrier(2)
    results: list[bool] = []
    errors: list[BaseException] = []

    def render() -> None:
        try:
            start.wait(10)
            results.append(services.letter_render(letter_id=letter.pk))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=render) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    # One claimed the row and rendered; the other found it claimed (or already ready) and left.
    assert sorted(results) == [False, True]
    letter.refresh_from_db()
    assert letter.status == LetterStatus.READY and letter.pdf.read().startswith(b"%PDF")
    # And a late duplicate task does nothing.
    assert services.letter_render(letter_id=letter.pk) is False
