"""Read-only endpoints of the command app, filtered by the pages' FilterSets."""

from django.db.models import Prefetch

from poverty.common.api import ScopedReadOnlyViewSet

from .. import filtersets
from ..models import Body, BodyMember, Decision, DispatchMeeting, KeyTask, Milestone
from . import serializers


class BodyViewSet(ScopedReadOnlyViewSet):
    queryset = Body.objects.all()
    serializer_class = serializers.BodySerializer
    filterset_class = filtersets.BodyFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("areas", "units")


class BodyMemberViewSet(ScopedReadOnlyViewSet):
    queryset = BodyMember.objects.all()
    serializer_class = serializers.BodyMemberSerializer
    filterset_class = filtersets.BodyMemberFilterSet
    select_related = ("cadre",)


class KeyTaskViewSet(ScopedReadOnlyViewSet):
    queryset = KeyTask.objects.all()
    serializer_class = serializers.KeyTaskSerializer
    filterset_class = filtersets.KeyTaskFilterSet
    select_related = ("lead",)
    ordering_fields = ["deadline", "year", "number"]

    def get_queryset(self):
        milestones = Prefetch("milestones", queryset=Milestone.objects.order_by("planned", "pk"))
        return super().get_queryset().with_state().prefetch_related(milestones, "units")


class DispatchMeetingViewSet(ScopedReadOnlyViewSet):
    queryset = DispatchMeeting.objects.all()
    serializer_class = serializers.DispatchMeetingSerializer
    filterset_class = filtersets.DispatchMeetingFilterSet
    ordering_fields = ["held_on"]


class DecisionViewSet(ScopedReadOnlyViewSet):
    queryset = Decision.objects.all()
    serializer_class = serializers.DecisionSerializer
    filterset_class = filtersets.DecisionFilterSet
    ordering_fields = ["deadline", "status"]
