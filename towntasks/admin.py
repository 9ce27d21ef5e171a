"""Admin: read-only views of town tasks; they are handed down, moved and ticked only through the services
(docs/towntasks.md)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Task, TaskVillage


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "town", "report_kind", "deadline", "state", "created_at"]
    list_filter = ["report_kind", "state"]
    search_fields = ["title", "town__name"]
    date_hierarchy = "created_at"


@admin.register(TaskVillage)
class TaskVillageAdmin(ReadOnlyAdmin):
    list_display = ["task", "village", "state", "signed_at", "reported_at", "accepted_at"]
    list_filter = ["state"]
    search_fields = ["task__title", "village__name"]
