from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Assessment,
    AssistanceMeasure,
    ExitRecord,
    Household,
    HouseholdPairing,
    IncomeRecord,
    Member,
    PovertyLine,
    QualityIssue,
    RosterExport,
    RosterImport,
    RosterMapping,
    SensitiveAccess,
    Visit,
)


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["name", "relation", "id_number_masked", "gender", "birth_date"]
    readonly_fields = ["id_number_masked"]
    extra = 0
    show_change_link = True


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ["code", "village", "category", "primary_cause", "planned_exit_year", "status"]
    list_filter = ["status", "category", "primary_cause", "planned_exit_year"]
    search_fields = ["code", "member_names"]
    autocomplete_fields = ["village"]
    readonly_fields = ["status", "exit_year", "returned_year", "monitoring_type", "version"]
    inlines = [MemberInline]


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ["name", "household", "relation", "id_number_masked", "gender", "birth_date"]
    search_fields = ["name", "household__code"]
    readonly_fields = ["id_number_masked"]
    raw_id_fields = ["household"]


@admin.register(ExitRecord)
class ExitRecordAdmin(admin.ModelAdmin):
    list_display = ["household", "step", "year", "taken_at", "taken_by"]
    list_filter = ["step"]
    raw_id_fields = ["household"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the procedure's record is append-only


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "household", "what"]
    list_filter = ["what"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RosterMapping)
class RosterMappingAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "updated_at"]
    search_fields = ["name"]
    autocomplete_fields = ["area"]


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "file_name", "status", "error_count"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in RosterImport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # uploads go through the page, which starts the job


@admin.register(RosterExport)
class RosterExportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "area", "status", "rows_written"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in RosterExport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # exports start from the household list


for model in (
    IncomeRecord,
    Assessment,
    AssistanceMeasure,
    HouseholdPairing,
    Visit,
    PovertyLine,
    QualityIssue,
):
    admin.site.register(
        model,
        SimpleHistoryAdmin,
        raw_id_fields=[f.name for f in model._meta.fields if f.name in ("household", "member")],
    )
