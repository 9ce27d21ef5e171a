"""The states of an import job (uploaded → checked → applying → done or failed; a checked job may also be
cancelled), moved only through the shared status pipeline (``core.pipeline``): a second click or a second
worker finds the job moved and stops instead of applying a file twice. When a job ends, its uploaded file
is removed."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _lazy

from core import pipeline

from .models import ImportJob, ImportStatus


class ImportChanged(pipeline.Changed):
    message = _lazy("该导入已在处理或已完成。")
    code = "import_changed"


class InvalidImportTransition(pipeline.InvalidTransition):
    message = _lazy("导入当前为「%(from)s」，不能变为「%(to)s」。")
    choices = ImportStatus


# ``import_apply`` checks the file again itself, so a job may also be applied straight from its upload
# (the load test and the bulk tests do) or from its plan without the page's claim.
TRANSITIONS: dict[str, frozenset[str]] = {
    ImportStatus.PLANNING: frozenset({ImportStatus.PLANNED, ImportStatus.DONE, ImportStatus.FAILED}),
    ImportStatus.PLANNED: frozenset(
        {ImportStatus.APPLYING, ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED}
    ),
    ImportStatus.APPLYING: frozenset({ImportStatus.DONE, ImportStatus.FAILED}),
    ImportStatus.DONE: frozenset(),
    ImportStatus.FAILED: frozenset(),
    ImportStatus.CANCELLED: frozenset(),
}
# Where a job ends: nothing reads its file again.
ENDED = frozenset(state for state, onward in TRANSITIONS.items() if not onward)

# A job has no version: the move is conditional on the status alone.
IMPORTS = pipeline.Pipeline(
    ImportJob,
    TRANSITIONS,
    state_field="status",
    version_field=None,
    invalid=InvalidImportTransition,
    changed=ImportChanged,
)


def import_move(job: ImportJob, to: str, *, changes: dict | None = None, event=None) -> ImportJob:
    """Move ``job`` to status ``to`` (refused if someone moved it first); ``job`` is updated in place."""

    def moved():
        # The event (the audit entry) describes the job as it now is.
        for name, value in {**(changes or {}), "status": to}.items():
            setattr(job, name, value)
        return event() if event is not None else None

    IMPORTS.move(job, to, changes=changes, event=moved)
    if to in ENDED:
        # After the commit: a move rolled back with an outer transaction keeps its file.
        transaction.on_commit(lambda: import_file_remove(job))
    return job


def import_file_remove(job: ImportJob) -> None:
    """Remove the uploaded workbook of a job that has ended. It holds residents' ID numbers in clear and
    nothing reads it again: the job keeps its summary (counts, each error's row, column and reason), which
    is all its page shows. The file goes first, then its name: a failure in between leaves a name without
    a file, which the pages answer with a message and the nightly sweep clears (``import_files_expire``)."""
    if job.file:
        job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).exclude(file="").update(file="")
