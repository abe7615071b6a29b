"""Registry extracts for outside clients: read-only, scoped, masked like the pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from poverty.common.api import ScopedSerializer
from poverty.personal.masking import MASKED_SCHEMAS, can_see_sensitive

from ..choices import HouseholdStatus, MonitoringType
from ..models import (
    NATIONAL_MEMBER_FIELDS,
    AssistanceMeasure,
    Household,
    HouseholdPairing,
    IncomeRecord,
    Member,
    Visit,
)


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class MemberSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(label="证件号码（无敏感数据权限时为掩码）")
    health = serializers.SerializerMethodField(label="健康状况（无敏感数据权限时为空）")
    # With the region and last four digits of a masked number, a full birth date would give the
    # whole number back: without the permission, the year only.
    birth_date = serializers.SerializerMethodField(label="出生日期（无敏感数据权限时为空）")
    birth_year = serializers.SerializerMethodField(label="出生年份")

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "birth_year",
            "relation",
            "id_number",
            "education",
            "schooling",
            "health",
            "labour_skill",
            "work_status",
            *NATIONAL_MEMBER_FIELDS,
        ]

    @extend_schema_field(MASKED_SCHEMAS["id_number"])
    def get_id_number(self, obj) -> str:
        return obj.id_number if can_see_sensitive(_user(self)) else obj.id_number_masked

    @extend_schema_field({"type": "string", "nullable": True})
    def get_health(self, obj) -> str | None:
        return obj.health if can_see_sensitive(_user(self)) else None

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_birth_date(self, obj) -> str | None:
        return obj.birth_date.isoformat() if can_see_sensitive(_user(self)) else None

    @extend_schema_field(OpenApiTypes.INT)
    def get_birth_year(self, obj) -> int:
        return obj.birth_date.year


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssistanceMeasure
        fields = [
            "id",
            "measure_type",
            "description",
            "amount",
            "start_date",
            "end_date",
            "status",
            "cadre",
        ]


class IncomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncomeRecord
        fields = [
            "year",
            "persons",
            "wage",
            "business",
            "property_income",
            "transfer",
            "business_costs",
            "per_capita_net",
            "reported",
        ]


class HouseholdSearchSerializer(serializers.Serializer):
    """The body of POST /api/v1/households/search/: any filter of the household list."""

    q = serializers.CharField(
        required=False, max_length=100, label="姓名、户编号或身份证号（完整号码，精确匹配）"
    )
    status = serializers.ChoiceField(choices=HouseholdStatus.choices, required=False)
    within = serializers.IntegerField(required=False, label="区域ID")


class HouseholdSerializer(ScopedSerializer):
    """One household with its members, causes, measures, incomes by year and exit status."""

    village_code = serializers.CharField(source="village.code", read_only=True, label="行政村代码")
    village_name = serializers.CharField(source="village.name", read_only=True, label="行政村")
    other_causes = serializers.SerializerMethodField(label="其他致贫原因")
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, label="脱贫状态"
    )
    monitoring_type = serializers.ChoiceField(
        choices=MonitoringType.choices, allow_blank=True, read_only=True, label="监测对象类型"
    )
    members = MemberSerializer(many=True, read_only=True)
    measures = MeasureSerializer(many=True, read_only=True)
    incomes = IncomeSerializer(many=True, read_only=True)

    sensitive_fields = {"phone": "phone"}

    class Meta:
        model = Household
        fields = [
            "id",
            "code",
            "village",
            "village_code",
            "village_name",
            "group",
            "phone",
            "category",
            "primary_cause",
            "other_causes",
            "identified_year",
            "planned_exit_year",
            "status",
            "status_label",
            "exit_year",
            "returned_year",
            "monitoring_type",
            "dilapidated_house",
            "safe_water",
            "members",
            "measures",
            "incomes",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_other_causes(self, obj) -> list[str]:
        return [c for c in obj.other_causes.split(",") if c]


class VisitSerializer(ScopedSerializer):
    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "cadre",
            "visited_on",
            "findings",
            "problems",
            "follow_up",
            "follow_up_due",
            "latitude",
            "longitude",
            "accuracy",
            "recorded_at",
        ]


class HouseholdPairingSerializer(ScopedSerializer):
    class Meta:
        model = HouseholdPairing
        fields = ["id", "household", "cadre", "start_date", "end_date"]
