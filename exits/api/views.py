"""Read-only endpoints of 出列 and 摘帽, filtered by the pages' FilterSets."""

from poverty.common.api import ScopedReadOnlyViewSet

from .. import filtersets
from ..models import ExitStep, Reading, Standard
from . import serializers


class StandardViewSet(ScopedReadOnlyViewSet):
    queryset = Standard.objects.all()
    serializer_class = serializers.StandardSerializer
    filterset_class = filtersets.StandardFilterSet


class ReadingViewSet(ScopedReadOnlyViewSet):
    queryset = Reading.objects.all()
    serializer_class = serializers.ReadingSerializer
    filterset_class = filtersets.ReadingFilterSet


class ExitStepViewSet(ScopedReadOnlyViewSet):
    queryset = ExitStep.objects.all()
    serializer_class = serializers.ExitStepSerializer
    filterset_class = filtersets.ExitStepFilterSet
