from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: entries are never added, changed or deleted by hand (the page /audit/ has filters and
    export; this view is for looking one up by id)."""

    list_display = ["at", "actor_label", "address", "action", "model", "object_repr", "village"]
    list_filter = ["action", "model"]
    search_fields = ["actor_label", "object_repr", "note"]
    date_hierarchy = "at"
    list_select_related = ["village"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
