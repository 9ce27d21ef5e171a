"""Thin tasks: load, call a service, return (STYLE 6)."""

from celery import shared_task

from core.services import job_run_record

from . import credentials


@shared_task
def credentials_after_assignments() -> int:
    """Sessions and tokens of the people whose last assignment ended (run just after midnight)."""
    count = credentials.revoke_after_assignments()
    job_run_record(name="credentials_after_assignments", detail=f"ended for {count}")
    return count
