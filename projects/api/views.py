from django.db.models import Prefetch

from poverty.common.api import ScopedReadOnlyViewSet, ScopedViewSet

from .. import filtersets
from ..models import Disclosure, FundEntry, HelpPairing, Objection, Project, ProjectStage
from . import serializers


class ProjectViewSet(ScopedViewSet):
    queryset = Project.objects.all()
    serializer_class = serializers.ProjectSerializer
    filterset_class = filtersets.ProjectFilterSet
    ordering_fields = ["year", "name", "stage"]

    def get_queryset(self):
        return super().get_queryset().with_progress().prefetch_related("areas", "team")


class ProjectStageViewSet(ScopedViewSet):
    """The six stages exist with their project: they are read and re-planned, never added."""

    queryset = ProjectStage.objects.all()
    serializer_class = serializers.ProjectStageSerializer
    filterset_class = filtersets.ProjectStageFilterSet
    ordering_fields = ["project", "stage", "planned_date"]
    http_method_names = ["get", "put", "patch", "head", "options"]


class FundEntryViewSet(ScopedViewSet):
    queryset = FundEntry.objects.all()
    serializer_class = serializers.FundEntrySerializer
    filterset_class = filtersets.FundEntryFilterSet
    ordering_fields = ["date", "amount"]


class DisclosureViewSet(ScopedViewSet):
    queryset = Disclosure.objects.all()
    serializer_class = serializers.DisclosureSerializer
    filterset_class = filtersets.DisclosureFilterSet
    ordering_fields = ["start_date"]

    def get_queryset(self):
        objections = Prefetch("objections", queryset=Objection.objects.order_by("received_on"))
        return super().get_queryset().prefetch_related(objections)


class HelpPairingViewSet(ScopedReadOnlyViewSet):
    """对口帮扶 pairings (read only)."""

    queryset = HelpPairing.objects.all()
    serializer_class = serializers.HelpPairingSerializer
    filterset_class = filtersets.HelpPairingFilterSet
