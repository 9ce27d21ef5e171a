"""Admin: read-only views of the reminders delivered and the finished reminder runs."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Delivery, ReminderRun


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "period", "created_at", "email_sent_at", "sms_sent_at"]
    list_filter = ["kind", "period"]
    search_fields = ["recipient__username", "recipient__full_name"]


@admin.register(ReminderRun)
class ReminderRunAdmin(ReadOnlyAdmin):
    list_display = ["kind", "period", "finished_at", "sent"]
