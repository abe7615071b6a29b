from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from poverty.common.api import ScopedSerializer

from .. import services
from ..models import (
    Disclosure,
    FundEntry,
    HelpPairing,
    Objection,
    Project,
    ProjectStage,
    areas_outside,
    outside_message,
)

# Totals come as strings with two decimals ("1000.00"), null before the list annotates them.
MONEY = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class ProjectSerializer(ScopedSerializer):
    stage_label = serializers.CharField(
        source="get_stage_display", read_only=True, label="当前进度"
    )
    planned_total = serializers.SerializerMethodField(label="计划投入(元)")
    allocated_total = serializers.SerializerMethodField(label="下达到位(元)")
    disbursed_total = serializers.SerializerMethodField(label="拨付支出(元)")
    next_due = serializers.SerializerMethodField(label="下一未完成阶段的计划日期")
    days_overdue = serializers.SerializerMethodField(label="滞后天数")

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "project_type",
            "year",
            "area",
            "areas",
            "implementer",
            "unit",
            "manager",
            "team",
            "description",
            "expected_households",
            "expected_persons",
            "expected_income_increase",
            "stage",
            "stage_label",
            "planned_total",
            "allocated_total",
            "disbursed_total",
            "next_due",
            "days_overdue",
        ]
        read_only_fields = ["stage"]

    def create(self, validated_data):
        """Through the service, as the page does: the project with its six stages."""
        many = {name: validated_data.pop(name, []) for name in ("areas", "team")}
        project = services.project_create(
            project=Project(**validated_data), by=self.context["request"].user
        )
        for name, values in many.items():
            getattr(project, name).set(values)
        return project

    @extend_schema_field(MONEY)
    def get_planned_total(self, obj):
        return _annotated(obj, "planned_total")

    @extend_schema_field(MONEY)
    def get_allocated_total(self, obj):
        return _annotated(obj, "allocated_total")

    @extend_schema_field(MONEY)
    def get_disbursed_total(self, obj):
        return _annotated(obj, "disbursed_total")

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_next_due(self, obj):
        return getattr(obj, "next_due", None)

    @extend_schema_field(OpenApiTypes.INT)
    def get_days_overdue(self, obj):
        return obj.days_overdue()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        area = attrs.get("area") or getattr(self.instance, "area", None)
        served = attrs.get("areas")
        if area is not None and served and (outside := areas_outside(area, served)):
            raise serializers.ValidationError({"areas": outside_message(area, outside)})
        return attrs


def _annotated(obj, name: str):
    """The list annotates totals (with_progress); a freshly written object has none yet."""
    value = getattr(obj, name, None)
    return None if value is None else f"{value:.2f}"


class ProjectStageSerializer(ScopedSerializer):
    """Planned dates are written here; actual dates only through the stage step (services)."""

    stage_label = serializers.CharField(source="get_stage_display", read_only=True, label="阶段")
    days_overdue = serializers.SerializerMethodField(label="滞后天数")

    class Meta:
        model = ProjectStage
        fields = [
            "id",
            "project",
            "stage",
            "stage_label",
            "planned_date",
            "actual_date",
            "evidence",
            "days_overdue",
        ]
        read_only_fields = ["project", "stage", "actual_date", "evidence"]

    @extend_schema_field(OpenApiTypes.INT)
    def get_days_overdue(self, obj):
        return obj.days_overdue()

    def update(self, instance, validated_data):
        if "planned_date" not in validated_data:
            return instance
        try:
            services.project_plan_set(
                project=instance.project,
                by=self.context["request"].user,
                plan={instance.stage: validated_data["planned_date"]},
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"planned_date": exc.messages}) from exc
        instance.refresh_from_db()
        return instance


class FundEntrySerializer(ScopedSerializer):
    class Meta:
        model = FundEntry
        fields = ["id", "project", "source", "kind", "amount", "date", "document", "note"]

    def create(self, validated_data):
        validated_data["recorded_by"] = self.context["request"].user
        return super().create(validated_data)


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "received_on", "raised_by", "content", "answer", "answered_on"]


class DisclosureSerializer(ScopedSerializer):
    objections = ObjectionSerializer(many=True, read_only=True)

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "project",
            "title",
            "content",
            "location",
            "start_date",
            "end_date",
            "phone",
            "objections",
        ]


class HelpPairingSerializer(ScopedSerializer):
    class Meta:
        model = HelpPairing
        fields = ["id", "helper", "helper_area", "township", "start", "end"]
