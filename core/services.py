"""The ground floor's verbs: job runs (docs/architecture.md)."""

from __future__ import annotations

from django.utils import timezone

from .models import JobRun


def job_run_record(*, name: str, detail: str = "") -> JobRun:
    now = timezone.now()
    return JobRun.objects.create(name=name, started_at=now, finished_at=now, detail=detail[:500])


def heartbeat_record() -> JobRun:
    """Beat's pulse: one row, updated in place (a row per minute would only grow)."""
    now = timezone.now()
    run, _ = JobRun.objects.update_or_create(
        name="heartbeat", defaults={"started_at": now, "finished_at": now, "detail": "ok"}
    )
    return run
