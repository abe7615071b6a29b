"""One FilterSet per model, shared by the list pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q

from poverty.common.filters import (
    IntegerFilter,
    RuleFilter,
    SearchFilter,
    WithinAreaFilter,
    scoped_choices,
    within_area,
)
from poverty.common.scoping import Reach
from villages.models import Area, Unit

from .choices import PROGRESS_CHOICES, Decision, FundKind, FundSource, ProjectType, Stage
from .models import (
    Beneficiary,
    Disclosure,
    FundEntry,
    HelpPairing,
    HelpTeamMember,
    HelpYear,
    Project,
    ProjectApproval,
    ProjectStage,
)


class ProjectAreaFilter(WithinAreaFilter):
    """Projects managed in the chosen area or serving any area under it."""

    def filter(self, qs, value):
        if not value:
            return qs
        reach = Reach.under([value.code])
        served = Project.areas.through.objects.filter(
            reach.q("area__code"), project_id=OuterRef("pk")
        )
        return qs.filter(Q(Exists(served)) | reach.q(Project.scope_path))


class ProjectFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("name", "implementer"), help_text="项目名称或实施主体")
    within = ProjectAreaFilter(label="区域", queryset=scoped_choices(Area))
    project_type = django_filters.ChoiceFilter(label="项目类型", choices=ProjectType.choices)
    year = IntegerFilter(label="项目年度")
    stage = django_filters.ChoiceFilter(label="当前进度", choices=PROGRESS_CHOICES)
    overdue = RuleFilter(label="进度滞后", rule="overdue")
    source = django_filters.ChoiceFilter(
        label="资金来源", choices=FundSource.choices, method="filter_source"
    )
    unit = django_filters.ModelChoiceFilter(label="责任单位", queryset=scoped_choices(Unit))

    class Meta:
        model = Project
        fields = ["q", "within", "project_type", "year", "stage", "overdue", "source", "unit"]

    def filter_source(self, qs, name, value):
        return qs.funded_by(value) if value else qs


class ProjectStageFilterSet(django_filters.FilterSet):
    project = IntegerFilter(label="项目")
    within = within_area()
    stage = django_filters.ChoiceFilter(label="阶段", choices=Stage.choices)

    class Meta:
        model = ProjectStage
        fields = ["project", "within", "stage"]


class FundEntryFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("project__name", "document", "note"))
    project = IntegerFilter(label="项目")
    within = within_area()
    source = django_filters.ChoiceFilter(label="资金来源", choices=FundSource.choices)
    kind = django_filters.ChoiceFilter(label="类别", choices=FundKind.choices)
    year = IntegerFilter(label="项目年度", field_name="project__year")

    class Meta:
        model = FundEntry
        fields = ["q", "project", "within", "source", "kind", "year"]


class BeneficiaryFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("project__name", "household__code"))
    project = IntegerFilter(label="项目")
    within = within_area("受益户所在区域", path="household__village__code")

    class Meta:
        model = Beneficiary
        fields = ["q", "project", "within"]


class ProjectApprovalFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("project__name", "unit__name"))
    project = IntegerFilter(label="项目")
    within = within_area()
    decision = django_filters.ChoiceFilter(label="审查意见", choices=Decision.choices)
    unit = django_filters.ModelChoiceFilter(label="联审单位", queryset=scoped_choices(Unit))

    class Meta:
        model = ProjectApproval
        fields = ["q", "project", "within", "decision", "unit"]


class DisclosureFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("project__name", "title", "location"))
    project = IntegerFilter(label="项目")
    within = within_area()
    since = django_filters.DateFilter(
        label="公示开始起", field_name="start_date", lookup_expr="gte"
    )

    class Meta:
        model = Disclosure
        fields = ["q", "project", "within", "since"]


class HelpPairingFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("helper", "township__name", "agreement"))
    within = within_area("受帮扶乡镇所在区域")

    class Meta:
        model = HelpPairing
        fields = ["q", "within"]


class HelpTeamMemberFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("name", "position", "pairing__helper"))
    within = within_area("受帮扶乡镇所在区域")
    pairing = django_filters.ModelChoiceFilter(
        label="对口帮扶", queryset=scoped_choices(HelpPairing, select_related=("township",))
    )

    class Meta:
        model = HelpTeamMember
        fields = ["q", "within", "pairing"]


class HelpYearFilterSet(django_filters.FilterSet):
    within = within_area("受帮扶乡镇所在区域")
    year = IntegerFilter(label="年度")

    class Meta:
        model = HelpYear
        fields = ["within", "year"]
