from poverty.common.api import ScopedViewSet

from .. import filtersets
from ..models import Household, HouseholdPairing, Visit
from . import serializers

READ_ONLY = ["get", "head", "options"]


class HouseholdViewSet(ScopedViewSet):
    """建档立卡贫困户（含家庭成员、帮扶措施、年度收入）：只读提取，按令牌的管辖区域过滤。"""

    queryset = Household.objects.all()
    serializer_class = serializers.HouseholdSerializer
    filterset_class = filtersets.HouseholdFilterSet
    ordering_fields = ["code", "identified_year", "planned_exit_year", "exit_year"]
    ordering = ["code"]
    http_method_names = READ_ONLY
    select_related = ("village",)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("members", "measures", "incomes")

    personal_access = "接口读取贫困户"


class VisitViewSet(ScopedViewSet):
    queryset = Visit.objects.all()
    serializer_class = serializers.VisitSerializer
    filterset_class = filtersets.VisitFilterSet
    ordering_fields = ["visited_on"]
    ordering = ["-visited_on", "pk"]
    http_method_names = READ_ONLY


class HouseholdPairingViewSet(ScopedViewSet):
    queryset = HouseholdPairing.objects.all()
    serializer_class = serializers.HouseholdPairingSerializer
    filterset_class = filtersets.HouseholdPairingFilterSet
    ordering_fields = ["start_date"]
    ordering = ["pk"]
    http_method_names = READ_ONLY
