"""Admin: the reminder settings (days, hour, thresholds: effective without a deploy), and a read-only
view of the snapshots."""

from django.contrib import admin

from core.admin import NoDeleteAdmin, ReadOnlyAdmin

from .models import CoverageSnapshot, ReminderPolicy


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(NoDeleteAdmin):
    list_display = ["__str__", "monthly_day", "midmonth_day", "send_hour", "coverage_threshold"]

    def has_add_permission(self, request):
        return not ReminderPolicy.objects.exists()


@admin.register(CoverageSnapshot)
class CoverageSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["grid", "month", "households_done", "households_due", "key_persons_done", "key_persons_due"]
    list_filter = ["month"]
