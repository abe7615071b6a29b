from django.db.models import Prefetch

from poverty.common.api import ScopedReadOnlyViewSet, ScopedViewSet

from .. import filtersets
from ..models import Finding, Notice, NoticeItem
from . import serializers


class FindingViewSet(ScopedViewSet):
    queryset = Finding.objects.all()
    serializer_class = serializers.FindingSerializer
    filterset_class = filtersets.FindingFilterSet
    ordering_fields = ["deadline", "found_on", "status"]


class NoticeViewSet(ScopedReadOnlyViewSet):
    """Notices are made by the monthly job: clients read them."""

    queryset = Notice.objects.all()
    serializer_class = serializers.NoticeSerializer
    filterset_class = filtersets.NoticeFilterSet
    ordering_fields = ["month", "number"]

    def get_queryset(self):
        items = NoticeItem.objects.select_related("finding")
        return (
            super()
            .get_queryset()
            .select_related("unit")
            .prefetch_related(Prefetch("items", queryset=items))
        )
