"""Admin: the legal-publicity dates the villages are reminded of (the system admin edits the table), and
read-only views of the records kept on the village's pages through the services."""

from django.contrib import admin

from core.admin import NoDeleteAdmin, ReadOnlyAdmin

from .models import Activity, PointsEntry, SetDate, StockItem


@admin.register(SetDate)
class SetDateAdmin(NoDeleteAdmin):
    list_display = ["name", "month", "day", "remind_days_before", "kind", "active", "source"]
    list_editable = ["month", "day", "remind_days_before", "active"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "village", "kind", "held_on", "participants", "beneficiaries"]
    list_filter = ["kind"]
    search_fields = ["title", "village__name"]
    date_hierarchy = "held_on"


@admin.register(StockItem)
class StockItemAdmin(ReadOnlyAdmin):
    list_display = ["name", "village", "points", "stock", "archived_at"]
    search_fields = ["name", "village__name"]


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    """The ledger is append-only: read here, written only by the services."""

    list_display = ["account", "kind", "points", "balance_after", "reason", "by", "at"]
    list_filter = ["kind"]
    date_hierarchy = "at"
