"""Admin: read-only views of the co-governance records (they are kept on the village's pages, through the
services and the deliberation's state table)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Deliberation, Project, VillageDocument


@admin.register(Deliberation)
class DeliberationAdmin(ReadOnlyAdmin):
    list_display = ["title", "village", "stage", "publish_on", "resolved_on", "closed_on"]
    list_filter = ["stage"]
    search_fields = ["title", "village__name"]


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["title", "village", "kind", "quantity", "unit", "budget", "spent", "started_on", "done_on"]
    list_filter = ["kind"]
    search_fields = ["title", "village__name"]
    date_hierarchy = "started_on"


@admin.register(VillageDocument)
class VillageDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "village", "kind", "archived_at"]
    list_filter = ["kind"]
    search_fields = ["title", "village__name"]
