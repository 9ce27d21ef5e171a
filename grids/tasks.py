"""Thin tasks: load, call a service, return (STYLE 6)."""

from celery import shared_task

from . import audit, services


@shared_task
def heartbeat() -> int:
    """Beat's pulse: staff pages show when the scheduler last ran, so a stopped worker is noticed."""
    return services.heartbeat_record().pk


@shared_task
def audit_purge() -> int:
    """Remove audit entries older than the retention (AUDIT_RETENTION_DAYS, at least 180 days)."""
    removed = audit.audit_purge()
    services.job_run_record(name="audit_purge", detail=f"removed {removed}")
    return removed
