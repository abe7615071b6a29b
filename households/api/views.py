from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from poverty.common.api import ScopedReadOnlyViewSet
from poverty.common.apiconf import PageOrCursorPagination
from poverty.personal import idnumber

from .. import filtersets
from ..models import Household, HouseholdPairing, Visit
from . import serializers

ID_NUMBER_IN_ADDRESS = (
    "按身份证号查找请用 POST /api/v1/households/search/，把号码放在请求体中（如 "
    '{"q": "号码"}）：网址会留在访问日志、代理和浏览器历史中。'
)


class HouseholdViewSet(ScopedReadOnlyViewSet):
    """建档立卡贫困户（含家庭成员、帮扶措施、年度收入）：只读提取，按令牌的管辖区域过滤。"""

    queryset = Household.objects.all()
    serializer_class = serializers.HouseholdSerializer
    filterset_class = filtersets.HouseholdFilterSet
    ordering_fields = ["code", "identified_year", "planned_exit_year", "exit_year"]
    ordering = ["code"]
    select_related = ("village",)
    read_actions = ("search",)
    personal_access = "接口读取贫困户"
    # The extract is read whole by outside systems: a cursor keeps its last page as cheap as
    # its first.
    pagination_class = PageOrCursorPagination

    def get_queryset(self):
        return super().get_queryset().prefetch_related("members", "measures", "incomes")

    def list(self, request, *args, **kwargs):
        if self.action == "list" and idnumber.searched_for(request.query_params.get("q", "")):
            raise ValidationError({"q": [ID_NUMBER_IN_ADDRESS]})
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="按身份证号等条件查找贫困户（POST，号码不进网址）",
        request=serializers.HouseholdSearchSerializer,
        responses=serializers.HouseholdSerializer(many=True),
    )
    @action(detail=False, methods=["post"])
    def search(self, request, *args, **kwargs):
        """The list, filtered by the body's fields (q: a name, 户编号 or a full ID number)
        as by the query string's; page and page_size stay in the query string."""
        return self.list(request, *args, **kwargs)


class VisitViewSet(ScopedReadOnlyViewSet):
    queryset = Visit.objects.all()
    serializer_class = serializers.VisitSerializer
    filterset_class = filtersets.VisitFilterSet
    ordering_fields = ["visited_on"]
    ordering = ["-visited_on", "pk"]


class HouseholdPairingViewSet(ScopedReadOnlyViewSet):
    queryset = HouseholdPairing.objects.all()
    serializer_class = serializers.HouseholdPairingSerializer
    filterset_class = filtersets.HouseholdPairingFilterSet
    ordering_fields = ["start_date"]
    ordering = ["pk"]
