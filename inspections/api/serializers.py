from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from poverty.common.api import ScopedSerializer

from ..models import SUBJECT_FIELDS, Finding, Notice, NoticeItem, placed_by_subject


class FindingSerializer(ScopedSerializer):
    """Inspectors record findings here; rectification goes through the pages' workflow."""

    status_label = serializers.CharField(
        source="get_status_display", read_only=True, label="整改状态"
    )
    days_overdue = serializers.SerializerMethodField(label="逾期天数")

    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection",
            "category",
            "severity",
            "subject",
            "area",
            "household",
            "project",
            "subject_unit",
            "description",
            "requirement",
            "unit",
            "person",
            "found_on",
            "deadline",
            "status",
            "status_label",
            "plan",
            "closed_on",
            "days_overdue",
        ]
        read_only_fields = ["status", "plan", "closed_on"]
        extra_kwargs = {"area": {"required": False}}

    @extend_schema_field(OpenApiTypes.INT)
    def get_days_overdue(self, obj):
        return obj.days_overdue()

    def validate(self, attrs):
        if self.instance is not None and attrs.get("deadline", self.instance.deadline) != (
            self.instance.deadline
        ):
            raise serializers.ValidationError(
                {"deadline": "整改时限只能通过延期申请并经审批后变更。"}
            )
        # The area follows the object the finding is about, before the scope is judged.
        subject = attrs.get("subject", getattr(self.instance, "subject", None))
        field = SUBJECT_FIELDS.get(subject)
        obj = attrs.get(field, getattr(self.instance, field, None)) if field else None
        attrs.update(placed_by_subject(subject, obj))
        return super().validate(attrs)

    def create(self, validated_data):
        validated_data["recorded_by"] = self.context["request"].user
        return super().create(validated_data)


class NoticeItemSerializer(serializers.ModelSerializer):
    deadline = serializers.DateField(source="finding.deadline", read_only=True)
    unit = serializers.IntegerField(source="finding.unit_id", read_only=True)

    class Meta:
        model = NoticeItem
        fields = ["finding", "status", "days_overdue", "deadline", "unit"]


class NoticeSerializer(ScopedSerializer):
    title = serializers.CharField(read_only=True, label="标题")
    items = NoticeItemSerializer(many=True, read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "title",
            "county",
            "unit",
            "month",
            "year",
            "number",
            "issued_on",
            "summary",
            "items",
        ]
