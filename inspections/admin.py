from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Accountability,
    Finding,
    FindingStep,
    Inspection,
    Notice,
    NoticeItem,
    Pledge,
    PledgeTarget,
)


class PledgeTargetInline(admin.TabularInline):
    model = PledgeTarget
    extra = 0


@admin.register(Pledge)
class PledgeAdmin(SimpleHistoryAdmin):
    list_display = ["year", "kind", "area", "pledger", "recipient", "signed_on"]
    list_filter = ["year", "kind"]
    search_fields = ["pledger", "recipient"]
    autocomplete_fields = ["area", "pledger_unit"]
    raw_id_fields = ["household"]
    inlines = [PledgeTargetInline]


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "area", "start_date"]
    list_filter = ["kind"]
    search_fields = ["title"]
    autocomplete_fields = ["area"]
    filter_horizontal = ["areas"]


class StepInline(admin.TabularInline):
    model = FindingStep
    extra = 0
    can_delete = False
    fields = ["kind", "note", "file", "by", "created_at"]
    readonly_fields = fields


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "category", "area", "unit", "deadline", "status"]
    list_filter = ["status", "category", "severity"]
    search_fields = ["description"]
    raw_id_fields = ["inspection", "household", "project", "area", "unit", "subject_unit", "person"]
    readonly_fields = ["status", "plan", "submitted_by", "closed_by", "closed_on"]
    inlines = [StepInline]


@admin.register(Accountability)
class AccountabilityAdmin(SimpleHistoryAdmin):
    list_display = ["person", "kind", "unit", "decided_on"]
    raw_id_fields = ["finding", "unit"]


class NoticeItemInline(admin.TabularInline):
    model = NoticeItem
    extra = 0
    can_delete = False
    raw_id_fields = ["finding"]
    readonly_fields = ["finding", "status", "days_overdue"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "month", "issued_on"]
    list_filter = ["kind", "year"]
    raw_id_fields = ["county", "area", "unit"]
    inlines = [NoticeItemInline]
