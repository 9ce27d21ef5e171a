"""A real Celery worker process, on Redis, runs a task that writes to the test database."""

import time

import pytest

from core import tasks
from core.models import JobRun


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_task_that_writes_to_the_database(celery_worker_process):
    assert not JobRun.objects.exists()
    tasks.heartbeat.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not JobRun.objects.filter(name="heartbeat").exists():
        assert celery_worker_process.poll() is None, celery_worker_process.stdout.read().decode()
        time.sleep(0.2)
    run = JobRun.objects.get(name="heartbeat")
    assert run.detail == "ok" and run.finished_at is not None
