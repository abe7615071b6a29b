"""One FilterSet per model, shared by the list pages and the API."""

from __future__ import annotations

import django_filters

from poverty.common.filters import SearchFilter, scoped_choices, within_area

from .choices import AdjustmentKind, AssesseeKind, SchemeStatus
from .models import Adjustment, Group, Scheme, Score


class SchemeFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("title", "note"))
    within = within_area("组织考核的县")
    assessee = django_filters.ChoiceFilter(label="考核对象", choices=AssesseeKind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=SchemeStatus.choices)

    class Meta:
        model = Scheme
        fields = ["q", "within", "assessee", "status"]


class GroupFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("name",))
    within = within_area("组织考核的县")
    scheme = django_filters.ModelChoiceFilter(label="考核方案", queryset=scoped_choices(Scheme))

    class Meta:
        model = Group
        fields = ["q", "within", "scheme"]


class ScoreFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("basis", "indicator__name", "assessed__name", "unit__name"))
    within = within_area("考核对象所在区域")
    scheme = django_filters.ModelChoiceFilter(label="考核方案", queryset=scoped_choices(Scheme))

    class Meta:
        model = Score
        fields = ["q", "within", "scheme"]


class AdjustmentFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("reason", "assessed__name", "unit__name"))
    within = within_area("考核对象所在区域")
    scheme = django_filters.ModelChoiceFilter(label="考核方案", queryset=scoped_choices(Scheme))
    kind = django_filters.ChoiceFilter(label="类别", choices=AdjustmentKind.choices)

    class Meta:
        model = Adjustment
        fields = ["q", "within", "scheme", "kind"]
