"""The registry in the system admin's admin: for looking a record up by id or name. People work in the
portal's own pages (scoped, audited); changes made here are audited all the same (save signals)."""

from django.contrib import admin

from core.admin import NoDeleteAdmin

from .models import Household, KeyPerson, Resident, RetentionRule


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["number", "address", "village", "grid", "micro_grid", "living_status", "phone"]
    list_filter = ["living_status"]
    search_fields = ["number", "address"]
    list_select_related = ["village", "grid", "micro_grid"]
    list_per_page = 50  # as the portal's lists (the bench compares the two)
    raw_id_fields = ["village", "grid", "micro_grid", "villager_group", "natural_village"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "gender", "birth_date", "village", "household", "relation", "phone"]
    list_filter = ["gender", "lives_here"]
    search_fields = ["name", "phone"]
    list_select_related = ["village", "household"]
    list_per_page = 50
    raw_id_fields = ["village", "household"]
    exclude = ["id_cipher", "id_hash", "id_tail_hash"]


@admin.register(KeyPerson)
class KeyPersonAdmin(admin.ModelAdmin):
    list_display = ["resident", "category", "risk_level", "attention", "listed_from", "listed_until", "erased_at"]
    list_filter = ["category", "attention", ("erased_at", admin.EmptyFieldListFilter)]
    search_fields = ["resident__name"]
    list_select_related = ["resident"]
    raw_id_fields = ["resident"]

    def has_change_permission(self, request, obj=None):
        # An erased record (residents/retention.py) names nobody and stays so: nobody fills it in again.
        if obj is not None and obj.erased_at is not None:
            return False
        return super().has_change_permission(request, obj)


@admin.register(RetentionRule)
class RetentionRuleAdmin(NoDeleteAdmin):
    """The periods after which the nightly job erases a key person's record (residents/retention.py). A
    category without a rule is never erased, so a rule is changed, not deleted."""

    list_display = ["category", "months", "source", "updated_at"]
