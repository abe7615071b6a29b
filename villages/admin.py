from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Area,
    Cadre,
    LeaderPairing,
    SheetImportJob,
    Unit,
    UnitPairing,
    VillagePosting,
)


@admin.register(Area)
class AreaAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "level",
        "parent",
        "is_poor",
        "planned_exit_year",
        "actual_exit_year",
    ]
    list_filter = ["level", "is_poor", "planned_exit_year"]
    search_fields = ["code", "name"]
    readonly_fields = ["level", "parent"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "area", "contact_person"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["area"]


@admin.register(Cadre)
class CadreAdmin(SimpleHistoryAdmin):
    list_display = ["name", "position", "unit", "is_leader"]
    list_filter = ["is_leader"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit"]


class DatedAdmin(SimpleHistoryAdmin):
    list_filter = ["start_date"]
    date_hierarchy = "start_date"


@admin.register(VillagePosting)
class VillagePostingAdmin(DatedAdmin):
    list_display = ["village", "cadre", "role", "start_date", "end_date"]
    list_filter = ["role", "start_date"]
    autocomplete_fields = ["cadre", "village"]
    search_fields = ["cadre__name", "village__name"]


@admin.register(UnitPairing)
class UnitPairingAdmin(DatedAdmin):
    list_display = ["village", "unit", "start_date", "end_date"]
    autocomplete_fields = ["unit", "village"]
    search_fields = ["unit__name", "village__name"]


@admin.register(LeaderPairing)
class LeaderPairingAdmin(DatedAdmin):
    list_display = ["area", "leader", "start_date", "end_date"]
    autocomplete_fields = ["leader", "area"]
    search_fields = ["leader__name", "area__name"]


@admin.register(SheetImportJob)
class SheetImportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "file_name", "status"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in SheetImportJob._meta.fields if f.name != "secrets"]
    exclude = ["secrets"]

    def has_add_permission(self, request) -> bool:
        return False  # uploads go through the import page, which starts the job
