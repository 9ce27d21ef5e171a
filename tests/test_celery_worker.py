"""A real Celery worker process, on Redis, runs a task that writes to the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from governance.celery import app as celery_app
from grids import tasks
from grids.models import JobRun

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def celery_worker_process(test_database_url, transactional_db):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (set REDIS_URL)")
    queue = f"test-{uuid.uuid4().hex[:8]}"  # our own queue: no other worker on this Redis takes the task
    env = {**os.environ, "DATABASE_URL": test_database_url, "CELERY_QUEUE": queue}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "governance",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    yield process
    celery_app.conf.task_default_queue = previous
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


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
