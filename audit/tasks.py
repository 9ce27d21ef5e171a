"""Thin tasks: load, call a service, return (STYLE 6)."""

from celery import shared_task

from core.services import job_run_record

from . import trail


@shared_task
def audit_purge() -> int:
    """Remove audit entries older than the retention (AUDIT_RETENTION_DAYS, at least 180 days)."""
    removed = trail.audit_purge()
    job_run_record(name="audit_purge", detail=f"removed {removed}")
    return removed
