from poverty.common.api import ScopedViewSet
from poverty.common.masking import can_see_sensitive

from .. import filtersets
from ..models import Household, HouseholdPairing, Visit
from ..services import record_accesses
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

    def finalize_response(self, request, response, *args, **kwargs):
        """Full ID numbers and health went out to a user with the permission: logged, one row
        per household, as the household page logs its reads."""
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if response.status_code == 200 and data and can_see_sensitive(request.user):
            rows = data.get("results", [data]) if isinstance(data, dict) else data
            ids = [row["id"] for row in rows if isinstance(row, dict) and "id" in row]
            record_accesses(user=request.user, household_ids=ids, what="接口读取贫困户")
        return response


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
