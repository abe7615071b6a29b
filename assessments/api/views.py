"""Read-only endpoints of the assessment, filtered by the pages' FilterSets."""

from poverty.common.api import ScopedReadOnlyViewSet

from .. import filtersets
from ..models import Adjustment, Scheme, Score
from . import serializers


class SchemeViewSet(ScopedReadOnlyViewSet):
    queryset = Scheme.objects.all()
    serializer_class = serializers.SchemeSerializer
    filterset_class = filtersets.SchemeFilterSet


class ScoreViewSet(ScopedReadOnlyViewSet):
    queryset = Score.objects.all()
    serializer_class = serializers.ScoreSerializer
    filterset_class = filtersets.ScoreFilterSet


class AdjustmentViewSet(ScopedReadOnlyViewSet):
    queryset = Adjustment.objects.all()
    serializer_class = serializers.AdjustmentSerializer
    filterset_class = filtersets.AdjustmentFilterSet
