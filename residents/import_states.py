"""The states of an import job (uploaded → checked → applying → done or failed), moved only through the
shared status pipeline (``core.pipeline``): a second click or a second worker finds the job moved and
stops instead of applying a file twice."""

from __future__ import annotations

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
    ImportStatus.PLANNED: frozenset({ImportStatus.APPLYING, ImportStatus.DONE, ImportStatus.FAILED}),
    ImportStatus.APPLYING: frozenset({ImportStatus.DONE, ImportStatus.FAILED}),
    ImportStatus.DONE: frozenset(),
    ImportStatus.FAILED: frozenset(),
}

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
    return job
