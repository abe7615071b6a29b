from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Body, BodyMember, Decision, DispatchMeeting, KeyTask, Milestone


class BodyMemberInline(admin.TabularInline):
    model = BodyMember
    extra = 0
    raw_id_fields = ["cadre"]


@admin.register(Body)
class BodyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "area", "parent"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["area", "parent"]
    filter_horizontal = ["areas", "units"]
    inlines = [BodyMemberInline]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(KeyTask)
class KeyTaskAdmin(SimpleHistoryAdmin):
    list_display = ["year", "number", "title", "area", "lead", "deadline", "done_on"]
    list_filter = ["year"]
    search_fields = ["title"]
    raw_id_fields = ["area", "body", "lead", "guarantor", "lead_unit", "head"]
    inlines = [MilestoneInline]


@admin.register(DispatchMeeting)
class DispatchMeetingAdmin(SimpleHistoryAdmin):
    list_display = ["held_on", "area", "topic", "convener"]
    raw_id_fields = ["area", "body", "convener"]
    exclude = ["tasks", "findings", "projects", "households"]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["text", "area", "owner", "deadline", "status"]
    list_filter = ["status"]
    raw_id_fields = ["meeting", "area", "owner", "owner_unit"]
