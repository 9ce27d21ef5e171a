"""Django admin for the system administrator: towns, villages, accounts, assignments.

History is never deleted: delete is switched off for everything that history points at; archive is
an action instead.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import NoDeleteAdmin

from .models import Assignment, Grid, MicroGrid, NaturalVillage, Town, User, Village, VillagerGroup


@admin.action(description=_("归档所选项"))
def archive_selected(modeladmin, request, queryset):
    now, count = timezone.now(), 0
    for obj in queryset.filter(archived_at__isnull=True):  # one save each: each archive is audited
        obj.archived_at = now
        obj.save(update_fields=["archived_at", "updated_at"])
        count += 1
    modeladmin.message_user(request, _("已归档 %(n)d 项。") % {"n": count}, messages.SUCCESS)


class ArchivableAdmin(NoDeleteAdmin):
    actions = [archive_selected]
    list_filter = [("archived_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["archived_at", "created_at", "updated_at"]


@admin.register(Town)
class TownAdmin(ArchivableAdmin):
    list_display = ["name", "code", "archived_at"]
    search_fields = ["name", "code"]


@admin.register(Village)
class VillageAdmin(ArchivableAdmin):
    list_display = ["name", "town", "code", "area_km2", "archived_at"]
    list_select_related = ["town"]
    list_filter = ["town", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "code"]


@admin.register(NaturalVillage)
class NaturalVillageAdmin(ArchivableAdmin):
    list_display = ["name", "village", "archived_at"]
    list_select_related = ["village"]
    search_fields = ["name"]
    autocomplete_fields = ["village"]


@admin.register(VillagerGroup)
class VillagerGroupAdmin(ArchivableAdmin):
    list_display = ["name", "number", "village", "natural_village", "archived_at"]
    list_select_related = ["village", "natural_village"]
    search_fields = ["name"]
    autocomplete_fields = ["village", "natural_village"]


class MicroGridInline(admin.TabularInline):
    model = MicroGrid
    extra = 0
    fields = ["number", "name", "archived_at"]
    readonly_fields = ["archived_at"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grid)
class GridAdmin(ArchivableAdmin):
    list_display = ["name", "number", "village", "archived_at"]
    list_select_related = ["village"]
    list_filter = ["village__town", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "village__name"]
    autocomplete_fields = ["village"]
    inlines = [MicroGridInline]


@admin.register(MicroGrid)
class MicroGridAdmin(ArchivableAdmin):
    list_display = ["name", "number", "grid", "archived_at"]
    list_select_related = ["grid"]
    search_fields = ["name", "grid__name"]
    autocomplete_fields = ["grid"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fk_name = "user"
    extra = 0
    fields = ["role", "town", "village", "grid", "micro_grid", "villager_group", "start", "end"]
    autocomplete_fields = ["town", "village", "grid", "micro_grid", "villager_group"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "phone", "home_village", "is_active", "is_superuser"]
    list_select_related = ["home_village"]
    list_filter = ["is_active", "is_superuser", "home_village"]
    search_fields = ["username", "full_name", "phone"]
    autocomplete_fields = ["home_village"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "phone", "email", "home_village")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "home_village", "password1", "password2")}),
    )
    inlines = [AssignmentInline]

    def save_model(self, request, obj, form, change):
        if not change and obj.pk != request.user.pk:
            obj.must_change_password = True  # the admin chose it: the person chooses their own at login
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and str(request.user.pk) != str(id):
            User.objects.filter(pk=id).update(must_change_password=True)
        return response

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: visits and cases will point at people


@admin.register(Assignment)
class AssignmentAdmin(NoDeleteAdmin):
    list_display = ["user", "role", "town", "village", "grid", "micro_grid", "villager_group", "start", "end"]
    list_select_related = ["user", "town", "village", "grid", "micro_grid", "villager_group"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name"]
    autocomplete_fields = ["user", "town", "village", "grid", "micro_grid", "villager_group"]
    readonly_fields = ["created_by", "created_at"]
