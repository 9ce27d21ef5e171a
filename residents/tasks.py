"""Thin tasks: load, call a service, return (STYLE 6)."""

from celery import shared_task

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
    return retention.key_persons_erase()
