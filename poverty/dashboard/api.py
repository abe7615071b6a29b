"""GET /api/v1/stats/exits/?area=<区划代码>&year=<YYYY>: the exit statistics of DESIGN §6."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from poverty.common.areacodes import is_valid_code
from villages.models import YEAR_VALIDATORS, Area

from .stats import exit_statistics

MIN_YEAR = YEAR_VALIDATORS[0].limit_value
MAX_YEAR = YEAR_VALIDATORS[1].limit_value


class Pair(serializers.Serializer):
    households = serializers.IntegerField(label="户数")
    persons = serializers.IntegerField(label="人数")


class AreaRef(serializers.Serializer):
    code = serializers.CharField(label="区划代码")
    name = serializers.CharField(label="名称")
    level = serializers.ChoiceField(
        label="层级", choices=["province", "city", "county", "township", "village"]
    )


class Villages(serializers.Serializer):
    poor = serializers.IntegerField(label="贫困村数")
    exited = serializers.IntegerField(label="当年退出的贫困村数")
    remaining = serializers.IntegerField(label="年末未退出的贫困村数")


class Targets(serializers.Serializer):
    persons = serializers.IntegerField(label="当年脱贫人数目标（责任书）", allow_null=True)
    villages = serializers.IntegerField(label="当年贫困村退出目标（责任书）", allow_null=True)


class Completion(serializers.Serializer):
    persons = serializers.FloatField(label="脱贫人数完成率（实际/目标）", allow_null=True)
    villages = serializers.FloatField(label="贫困村退出完成率（实际/目标）", allow_null=True)


class AreaFigures(serializers.Serializer):
    area = AreaRef(label="地区")
    year = serializers.IntegerField(label="年度")
    registered = Pair(label="截至年末累计识别（建档立卡）")
    exited = Pair(label="当年脱贫")
    exited_cumulative = Pair(label="截至年末累计脱贫")
    remaining = Pair(label="年末剩余贫困")
    rural_population = serializers.IntegerField(label="农业户籍人口", allow_null=True)
    incidence_rate = serializers.FloatField(
        label="贫困发生率（年末剩余贫困人口/农业户籍人口，小数）", allow_null=True
    )
    villages = Villages(label="贫困村")
    targets = Targets(label="责任书目标")
    completion = Completion(label="完成率")


class ExitStatistics(AreaFigures):
    children = AreaFigures(many=True, label="各下级地区")


class ExitStatisticsView(APIView):
    """脱贫统计：某地区某年度的识别、脱贫、剩余、贫困发生率、贫困村和责任书目标完成情况，及各下级地区。

    数据截至最近一次已提交的变更：读取村级统计，变更后尚未重算的村实时计算。"""

    @extend_schema(
        operation_id="stats_exits",
        parameters=[
            OpenApiParameter("area", str, required=True, description="12位统计用区划代码"),
            OpenApiParameter(
                "year", int, required=True, description=f"年度（{MIN_YEAR}–{MAX_YEAR}）"
            ),
        ],
        responses={200: ExitStatistics},
    )
    def get(self, request):
        if not request.user.has_perm("households.view_household"):
            raise PermissionDenied("您没有查看建档立卡数据的权限。")
        code = (request.query_params.get("area") or "").strip()
        year_text = (request.query_params.get("year") or "").strip()
        errors = {}
        if not is_valid_code(code):
            errors["area"] = "请提供12位统计用区划代码，如 140721000000。"
        if not year_text.isdigit() or not MIN_YEAR <= int(year_text) <= MAX_YEAR:
            errors["year"] = f"年度应为{MIN_YEAR}到{MAX_YEAR}之间的四位数字。"
        if errors:
            raise ValidationError(errors)
        # Out of scope reads exactly like unknown: nothing is told about other areas.
        area = Area.objects.restrict(request.user).filter(code=code).first()
        if area is None:
            raise ValidationError({"area": f"找不到区划代码 {code}，或不在您的管辖范围内。"})
        return Response(exit_statistics(area, int(year_text)))
