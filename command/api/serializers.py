from rest_framework import serializers

from poverty.common.api import ScopedSerializer

from ..models import Body, BodyMember, Decision, DispatchMeeting, KeyTask, Milestone


class BodySerializer(ScopedSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, label="类别")

    class Meta:
        model = Body
        fields = ["id", "name", "kind", "kind_label", "area", "parent", "duties", "areas", "units"]


class BodyMemberSerializer(ScopedSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True, label="姓名")

    class Meta:
        model = BodyMember
        fields = ["id", "body", "cadre", "cadre_name", "role", "duty", "start_date", "end_date"]


class MilestoneSerializer(ScopedSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "planned", "done_on"]


class KeyTaskSerializer(ScopedSerializer):
    state = serializers.CharField(read_only=True, label="进度状态（done/on_plan/behind）")
    lead_name = serializers.CharField(source="lead.name", read_only=True, label="组长")
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = KeyTask
        fields = [
            "id",
            "area",
            "year",
            "number",
            "title",
            "target",
            "body",
            "lead",
            "lead_name",
            "guarantor",
            "lead_unit",
            "head",
            "units",
            "deadline",
            "done_on",
            "percent",
            "state",
            "milestones",
        ]


class DispatchMeetingSerializer(ScopedSerializer):
    class Meta:
        model = DispatchMeeting
        fields = ["id", "area", "held_on", "topic", "body", "convener", "place", "summary"]


class DecisionSerializer(ScopedSerializer):
    days_overdue = serializers.SerializerMethodField(label="逾期天数")

    class Meta:
        model = Decision
        fields = [
            "id",
            "meeting",
            "area",
            "text",
            "owner",
            "owner_unit",
            "deadline",
            "status",
            "done_on",
            "done_note",
            "days_overdue",
        ]

    def get_days_overdue(self, decision) -> int:
        return decision.days_overdue()
