"""Admin: the due day of monthly reports; reports themselves are read-only here (they change only
through their services, so versions and the timeline stay whole)."""

from django.contrib import admin

from core.admin import NoDeleteAdmin

from .models import MonthlyReport, ReportEvent, ReportPolicy


@admin.register(ReportPolicy)
class ReportPolicyAdmin(NoDeleteAdmin):
    list_display = ["__str__", "due_day"]

    def has_add_permission(self, request):
        return not ReportPolicy.objects.exists()


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = ["at", "by", "from_state", "to_state", "version", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MonthlyReport)
class MonthlyReportAdmin(NoDeleteAdmin):
    list_display = ["village", "month", "state", "submitted_at", "approved_at"]
    list_filter = ["state", "month", "village"]
    inlines = [ReportEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
