"""Admin: the department list, the time limits, the mediation teams; cases read-only (they change only
through their services, so the timeline stays whole)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import NoDeleteAdmin
from grids.admin import ArchivableAdmin

from .models import Case, CaseEvent, Department, DepartmentMember, Mediator, Policy


@admin.register(Department)
class DepartmentAdmin(ArchivableAdmin):
    """Each town keeps its own list (docs/departments.md): filtered by town."""

    list_display = ["name", "town", "order", "archived_at"]
    list_editable = ["order"]
    list_filter = ["town", ("archived_at", admin.EmptyFieldListFilter)]
    list_select_related = ["town"]
    search_fields = ["name", "town__name"]


@admin.register(DepartmentMember)
class DepartmentMemberAdmin(NoDeleteAdmin):
    """Who answers for which department; the town office keeps them on its account pages (docs/departments.md)."""

    list_display = ["user", "department", "start", "end"]
    list_filter = ["department__town", "department"]
    list_select_related = ["user", "department__town"]
    search_fields = ["user__username", "user__full_name", "department__name"]
    raw_id_fields = ["user"]


@admin.register(Policy)
class PolicyAdmin(NoDeleteAdmin):
    list_display = ["__str__", "accept_days", "tier1_days", "tier2_days", "tier3_days", "return_visit_days"]
    fieldsets = [
        (
            _("时限（天，自该阶段开始起算）"),
            {"fields": ["accept_days", "tier1_days", "tier2_days", "tier3_days", "return_visit_days"]},
        ),
        (_("颜色提示"), {"fields": ["yellow_left_percent", "orange_left_percent"]}),
    ]

    def has_add_permission(self, request):
        return not Policy.objects.exists()


@admin.register(Mediator)
class MediatorAdmin(ArchivableAdmin):
    list_display = ["name", "type", "village", "phone", "archived_at"]
    list_filter = ["type", "village", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "phone"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["at", "by", "action", "from_state", "to_state", "from_tier", "to_tier", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(NoDeleteAdmin):
    list_display = ["number", "title", "kind", "village", "state", "tier", "major", "reported_at"]
    list_filter = ["kind", "state", "tier", "major", "village"]
    search_fields = ["number", "title"]
    list_select_related = ["village"]
    inlines = [CaseEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
