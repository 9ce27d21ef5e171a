"""Admin: the reminder settings (days, hour, thresholds: effective without a deploy), and read-only
views of deliveries and snapshots."""

from django.contrib import admin

from grids.admin import NoDeleteAdmin

from .models import CoverageSnapshot, Delivery, ReminderPolicy, ReminderRun


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(NoDeleteAdmin):
    list_display = ["__str__", "monthly_day", "midmonth_day", "send_hour", "coverage_threshold"]

    def has_add_permission(self, request):
        return not ReminderPolicy.objects.exists()


class ReadOnlyAdmin(NoDeleteAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "period", "created_at", "email_sent_at", "sms_sent_at"]
    list_filter = ["kind", "period"]
    search_fields = ["recipient__username", "recipient__full_name"]


@admin.register(ReminderRun)
class ReminderRunAdmin(ReadOnlyAdmin):
    list_display = ["kind", "period", "finished_at", "sent"]


@admin.register(CoverageSnapshot)
class CoverageSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["grid", "month", "households_done", "households_due", "key_persons_done", "key_persons_due"]
    list_filter = ["month"]
