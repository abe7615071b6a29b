from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Beneficiary,
    Disclosure,
    FundEntry,
    Objection,
    Project,
    ProjectApproval,
    ProjectStage,
)


class StageInline(admin.TabularInline):
    model = ProjectStage
    extra = 0
    can_delete = False
    fields = ["stage", "planned_date", "actual_date", "evidence"]
    readonly_fields = ["stage", "actual_date", "evidence"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "project_type", "year", "area", "unit", "stage"]
    list_filter = ["project_type", "year", "stage"]
    search_fields = ["name", "implementer"]
    autocomplete_fields = ["area", "unit", "manager"]
    filter_horizontal = ["areas", "team"]
    inlines = [StageInline]


@admin.register(ProjectStage)
class ProjectStageAdmin(SimpleHistoryAdmin):
    list_display = ["project", "stage", "planned_date", "actual_date"]
    list_filter = ["stage"]
    search_fields = ["project__name"]
    raw_id_fields = ["project"]
    readonly_fields = ["actual_date", "evidence", "evidence_file"]


@admin.register(FundEntry)
class FundEntryAdmin(SimpleHistoryAdmin):
    list_display = ["project", "source", "kind", "amount", "date"]
    list_filter = ["source", "kind"]
    search_fields = ["project__name", "document"]
    raw_id_fields = ["project"]


@admin.register(Beneficiary)
class BeneficiaryAdmin(SimpleHistoryAdmin):
    list_display = ["project", "household", "measure"]
    search_fields = ["project__name", "household__code"]
    raw_id_fields = ["project", "household", "measure"]


@admin.register(ProjectApproval)
class ProjectApprovalAdmin(SimpleHistoryAdmin):
    list_display = ["project", "unit", "decision", "decided_on"]
    list_filter = ["decision"]
    raw_id_fields = ["project"]


class ObjectionInline(admin.StackedInline):
    model = Objection
    extra = 0


@admin.register(Disclosure)
class DisclosureAdmin(SimpleHistoryAdmin):
    list_display = ["project", "title", "location", "start_date", "end_date"]
    search_fields = ["project__name", "title"]
    raw_id_fields = ["project"]
    inlines = [ObjectionInline]
