"""Admin: the meeting cadence table (the system admin edits it; what is due follows at once), and read-only
views of the Party records (they are kept on the village's pages, through the services)."""

from django.contrib import admin

from core.admin import NoDeleteAdmin, ReadOnlyAdmin

from .models import Meeting, MeetingRule, PartyOrganisation


@admin.register(MeetingRule)
class MeetingRuleAdmin(NoDeleteAdmin):
    list_display = ["kind", "level", "period", "remind_days_before", "active", "source"]
    list_editable = ["period", "remind_days_before", "active"]
    list_filter = ["level", "period", "active"]


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "village", "kind", "grid", "founded_on", "archived_at"]
    list_filter = ["kind"]
    search_fields = ["name", "village__name"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "kind", "held_on", "period", "late", "village"]
    list_filter = ["kind", "late"]
    date_hierarchy = "held_on"
