"""One FilterSet per model, shared by the list pages and the API."""

import re

import django_filters

from poverty.common.filters import (
    ActiveFilter,
    IntegerFilter,
    SearchFilter,
    YesNoFilter,
    scoped_choices,
    within_area,
)

from .choices import AreaLevel, PostingRole, UnitKind
from .models import Area, Cadre, LeaderPairing, Unit, UnitPairing, VillagePosting


class AreaFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("name", "code"))
    within = within_area()
    level = django_filters.ChoiceFilter(label="层级", choices=AreaLevel.choices)
    is_poor = YesNoFilter(label="贫困村")
    planned_exit_year = IntegerFilter(label="计划退出年度")
    exited = YesNoFilter(
        label="已退出", field_name="actual_exit_year", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Area
        fields = ["q", "within", "level", "is_poor", "planned_exit_year", "exited"]


class UnitFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("name", "contact_person"))
    kind = django_filters.ChoiceFilter(label="单位性质", choices=UnitKind.choices)
    area = django_filters.ModelChoiceFilter(label="所属区域", queryset=scoped_choices(Area))

    class Meta:
        model = Unit
        fields = ["q", "kind", "area"]


class CadreSearchFilter(SearchFilter):
    """Name, position or unit in part, or a cadre's label as pages show it (name（position）),
    which is what a search box holds once a cadre is picked."""

    def filter(self, qs, value):
        label = re.fullmatch(r"(.+?)（(.+)）", (value or "").strip())
        if label:
            return qs.filter(name=label[1], position=label[2])
        return super().filter(qs, value)


class CadreFilterSet(django_filters.FilterSet):
    q = CadreSearchFilter(search_fields=("name", "position", "unit__name"))
    unit = django_filters.ModelChoiceFilter(label="所在单位", queryset=scoped_choices(Unit))
    is_leader = YesNoFilter(label="领导干部")

    class Meta:
        model = Cadre
        fields = ["q", "unit", "is_leader"]


class VillagePostingFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("cadre__name", "village__name"))
    within = within_area()
    role = django_filters.ChoiceFilter(label="驻村身份", choices=PostingRole.choices)
    active = ActiveFilter()

    class Meta:
        model = VillagePosting
        fields = ["q", "within", "role", "active"]


class UnitPairingFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("unit__name", "village__name"))
    within = within_area()
    unit = django_filters.ModelChoiceFilter(label="帮扶单位", queryset=scoped_choices(Unit))
    active = ActiveFilter()

    class Meta:
        model = UnitPairing
        fields = ["q", "within", "unit", "active"]


class LeaderPairingFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("leader__name", "area__name"))
    within = within_area()
    active = ActiveFilter()

    class Meta:
        model = LeaderPairing
        fields = ["q", "within", "active"]
