"""Thin tasks: load, call a service, return (STYLE 6)."""

from celery import shared_task

from core.services import job_run_record

from . import imports, retention
from .models import ImportJob


@shared_task
def import_plan(job_id: int) -> str:
    job = ImportJob.objects.select_related("village", "created_by").get(pk=job_id)
    return imports.import_plan(job=job).status


@shared_task
def import_apply(job_id: int) -> str:
    job = ImportJob.objects.select_related("village", "created_by").get(pk=job_id)
    return imports.import_apply(job=job).status


@shared_task
def import_files_expire() -> int:
    return imports.import_files_expire()


@shared_task
def key_persons_erase() -> int:
    """Key-person records past their category's retention period erased (README, "Security and personal data")."""
    erased = retention.key_persons_erase()
    job_run_record(name="key_persons_erase", detail=f"erased {erased}")
    return erased
