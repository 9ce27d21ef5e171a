"""Admin bases every app uses (history is never deleted by hand), and the job runs."""

from django.contrib import admin

from .models import JobRun


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoDeleteAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JobRun)
class JobRunAdmin(NoDeleteAdmin):
    list_display = ["name", "started_at", "finished_at", "detail"]
    list_filter = ["name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
