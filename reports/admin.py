"""Admin: the due day of monthly reports; reports themselves are read-only here (they change only
through their services, so versions and the timeline stay whole)."""

from django.contrib import admin

from core.admin import NoDeleteAdmin

from .models import MonthlyReport, ReportEvent, ReportPolicy, ScoreRule


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


@admin.register(ScoreRule)
class ScoreRuleAdmin(NoDeleteAdmin):
    """Targets, weights and switches of the 六好 scorecard's indicators (docs/scorecard.md). The code names a
    function of ``reports.scorecard``, so it is fixed: new rows come with the code that measures them."""

    list_display = ["label", "criterion", "comparison", "target", "unit", "per_year", "weight", "order", "enabled"]
    list_filter = ["criterion", "enabled"]
    list_editable = ["target", "weight", "enabled"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False
