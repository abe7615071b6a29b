"""One FilterSet per model, shared by the list pages and the API."""

from __future__ import annotations

import django_filters

from poverty.common.filters import IntegerFilter, SearchFilter, scoped_choices, within_area

from .choices import ExitLevel, RehearsalStatus, Step, Stratum, Verdict
from .models import ExitStep, Reading, Rehearsal, Standard, Survey


class StandardFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("title", "note"))
    within = within_area("制定地区")
    level = django_filters.ChoiceFilter(label="适用于", choices=ExitLevel.choices)
    year = IntegerFilter(label="年度")

    class Meta:
        model = Standard
        fields = ["q", "within", "level", "year"]


class ReadingFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("item__name", "area__name", "note"))
    within = within_area("村（县）所在区域")
    standard = django_filters.ModelChoiceFilter(
        label="退出标准", queryset=scoped_choices(Standard), field_name="item__standard"
    )

    class Meta:
        model = Reading
        fields = ["q", "within", "standard"]


class ExitStepFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("area__name", "note"))
    within = within_area("村（县）所在区域")
    year = IntegerFilter(label="退出年度")
    step = django_filters.ChoiceFilter(label="步骤", choices=Step.choices)

    class Meta:
        model = ExitStep
        fields = ["q", "within", "year", "step"]


class RehearsalFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("title", "note"))
    within = within_area("县")
    year = IntegerFilter(label="评估年度")
    status = django_filters.ChoiceFilter(label="状态", choices=RehearsalStatus.choices)

    class Meta:
        model = Rehearsal
        fields = ["q", "within", "year", "status"]


class SurveyFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("household__code", "head_name", "address", "village__name"))
    within = within_area("所在区域")
    rehearsal = django_filters.ModelChoiceFilter(label="预评估", queryset=scoped_choices(Rehearsal))
    stratum = django_filters.ChoiceFilter(label="类别", choices=Stratum.choices)
    verdict = django_filters.ChoiceFilter(
        label="结论", choices=[("pending", "未调查"), *Verdict.choices[1:]], method="filter_verdict"
    )

    class Meta:
        model = Survey
        fields = ["q", "within", "rehearsal", "stratum", "verdict"]

    def filter_verdict(self, qs, name, value):
        return qs.filter(verdict="" if value == "pending" else value)
