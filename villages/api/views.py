from poverty.common.api import ScopedViewSet

from .. import filtersets
from ..models import Area, Cadre, LeaderPairing, Unit, UnitPairing, VillagePosting
from . import serializers


class AreaViewSet(ScopedViewSet):
    queryset = Area.objects.all()
    serializer_class = serializers.AreaSerializer
    filterset_class = filtersets.AreaFilterSet
    ordering_fields = ["code", "name"]


class UnitViewSet(ScopedViewSet):
    queryset = Unit.objects.all()
    serializer_class = serializers.UnitSerializer
    filterset_class = filtersets.UnitFilterSet
    ordering_fields = ["name"]


class CadreViewSet(ScopedViewSet):
    queryset = Cadre.objects.all()
    serializer_class = serializers.CadreSerializer
    # A cadre's phone, in full to those who may see it (CadreSerializer.sensitive_fields).
    personal_access = "接口读取干部电话"
    personal_of = "cadres"
    filterset_class = filtersets.CadreFilterSet
    ordering_fields = ["name"]


class VillagePostingViewSet(ScopedViewSet):
    queryset = VillagePosting.objects.all()
    serializer_class = serializers.VillagePostingSerializer
    filterset_class = filtersets.VillagePostingFilterSet
    ordering_fields = ["start_date"]


class UnitPairingViewSet(ScopedViewSet):
    queryset = UnitPairing.objects.all()
    serializer_class = serializers.UnitPairingSerializer
    filterset_class = filtersets.UnitPairingFilterSet
    ordering_fields = ["start_date"]


class LeaderPairingViewSet(ScopedViewSet):
    queryset = LeaderPairing.objects.all()
    serializer_class = serializers.LeaderPairingSerializer
    filterset_class = filtersets.LeaderPairingFilterSet
    ordering_fields = ["start_date"]
