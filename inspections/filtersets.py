"""One FilterSet per model, shared by the list pages and the API."""

from __future__ import annotations

import django_filters

from poverty.common.filters import (
    IntegerFilter,
    RuleFilter,
    SearchFilter,
    YesNoFilter,
    scoped_choices,
    within_area,
)
from villages.models import Unit

from .choices import (
    AccountabilityKind,
    Category,
    InspectionKind,
    Metric,
    NoticeKind,
    PledgeKind,
    Severity,
    Status,
)
from .models import Accountability, Finding, Inspection, Notice, Pledge


class PledgeFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("pledger", "recipient", "content"), help_text="立状人或受状方")
    within = within_area("责任区域")
    year = IntegerFilter(label="年度")
    kind = django_filters.ChoiceFilter(label="责任书类型", choices=PledgeKind.choices)
    metric = django_filters.ChoiceFilter(
        label="含指标", choices=Metric.choices, field_name="targets__metric"
    )

    class Meta:
        model = Pledge
        fields = ["q", "within", "year", "kind", "metric"]


class InspectionFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("title", "leader", "team"))
    within = within_area("组织区域")
    kind = django_filters.ChoiceFilter(label="督查方式", choices=InspectionKind.choices)
    since = django_filters.DateFilter(
        label="开始日期起", field_name="start_date", lookup_expr="gte"
    )

    class Meta:
        model = Inspection
        fields = ["q", "within", "kind", "since"]


class FindingFilterSet(django_filters.FilterSet):
    q = SearchFilter(
        search_fields=("description", "household__code", "project__name", "inspection__title"),
        help_text="问题描述、户编号、项目或督查名称",
    )
    within = within_area("问题所在地")
    status = django_filters.ChoiceFilter(label="整改状态", choices=Status.choices)
    category = django_filters.ChoiceFilter(label="问题类别", choices=Category.choices)
    severity = django_filters.ChoiceFilter(label="严重程度", choices=Severity.choices)
    unit = django_filters.ModelChoiceFilter(label="责任单位", queryset=scoped_choices(Unit))
    overdue = RuleFilter(label="逾期", rule="overdue")
    to_rectify = RuleFilter(label="待整改或整改中", rule="to_rectify")
    mine = YesNoFilter(label="本单位问题", method="filter_mine")
    inspection = IntegerFilter(label="督查")
    deadline_before = django_filters.DateFilter(
        label="整改时限不晚于", field_name="deadline", lookup_expr="lte"
    )

    class Meta:
        model = Finding
        fields = [
            "q",
            "within",
            "status",
            "category",
            "severity",
            "unit",
            "overdue",
            "to_rectify",
            "mine",
            "inspection",
            "deadline_before",
        ]

    def filter_mine(self, qs, name, value):
        """The queue of the unit the user works in (as a cadre): its findings, or none."""
        if not value:
            return qs
        cadre = getattr(getattr(self.request, "user", None), "cadre", None)
        return qs.filter(unit_id=cadre.unit_id) if cadre else qs.none()


class AccountabilityFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("person", "document", "reason"))
    within = within_area("问题所在地")
    kind = django_filters.ChoiceFilter(label="问责方式", choices=AccountabilityKind.choices)

    class Meta:
        model = Accountability
        fields = ["q", "within", "kind"]


class NoticeFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=NoticeKind.choices)
    year = IntegerFilter(label="编号年度")
    month = django_filters.DateFilter(label="所属月份(该月1日)")
    unit = django_filters.ModelChoiceFilter(label="责任单位", queryset=scoped_choices(Unit))

    class Meta:
        model = Notice
        fields = ["kind", "year", "month", "unit"]
