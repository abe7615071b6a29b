"""Filter pieces shared by the FilterSets of every app (pages, API and exports use the same)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Model, Q, QuerySet
from django_filters.widgets import BooleanWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .areacodes import LEVEL_DIGITS
from .scoping import Reach


def scoped_choices(model, action: str = "view", *, select_related: tuple[str, ...] = ()):
    """A queryset callable for ModelChoiceFilter: the choices the requesting user may see
    (with what their labels read, so a long list costs one query)."""

    def queryset(request) -> QuerySet:
        if request is None:
            return model.objects.none()
        found = model.objects.restrict(request.user, action)
        return found.select_related(*select_related) if select_related else found

    return queryset


# An area's depth below the county, by level (the levels run from the province down).
AREA_DEPTH = {level: depth - 2 for depth, (level, _) in enumerate(LEVEL_DIGITS)}


def tree_label(level: str, name: str) -> str:
    return "\u3000" * max(0, AREA_DEPTH.get(level, 0)) + name


class AreaTreeChoices(django_filters.fields.ModelChoiceIterator):
    """The options read as (id, level, name) rows, not as areas: a filter bar lists every
    village of the user's area on every list page, and building each as a model cost more
    than the rest of the select."""

    def __iter__(self):
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        if field.null_label is not None:
            yield (field.null_value, field.null_label)
        for pk, level, name in self.queryset.values_list("pk", "level", "name"):
            yield (pk, tree_label(level, name))


class AreaTreeField(django_filters.fields.ModelChoiceField):
    """Areas listed as a tree: each indented by its depth below the county with full-width
    spaces (which a <select> keeps), so a township and its villages read apart."""

    iterator = AreaTreeChoices

    def label_from_instance(self, area) -> str:
        return tree_label(area.level, area.name)


@extend_schema_field(OpenApiTypes.INT)
class WithinAreaFilter(django_filters.ModelChoiceFilter):
    """Rows whose area lies under the chosen area, at any level: found by the model's own
    `scope_path` (`ScopedQuerySet.under`), or by `code_path` for a list filtered by another
    area than its own (a project's beneficiaries by where they live)."""

    field_class = AreaTreeField

    def __init__(self, *args, code_path: str | None = None, **kwargs) -> None:
        self.code_path = code_path
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not value:
            return qs
        if self.code_path is None:
            return qs.under([value.code])
        return qs.filter(Reach.under([value.code]).q(self.code_path))


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a year) within what the database can compare with: anything else
    is a 400 naming the field, never a server error (SQLite's INTEGER overflows past 2⁶³)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class ModelIdFilter(django_filters.ModelChoiceFilter):
    """A choice of one object by id, filtered by a method (the schema cannot guess its type)."""


def within_area(label: str = "所属区域", *, path: str | None = None) -> WithinAreaFilter:
    """The area filter of a list: its rows under the chosen area (by `path` when given)."""
    area = apps.get_model("villages", "Area")  # by name: the framework imports no app
    return WithinAreaFilter(label=label, code_path=path, queryset=scoped_choices(area))


class SearchFilter(django_filters.CharFilter):
    """Free-text search over several fields (icontains on each, OR-ed)."""

    def __init__(self, *args, search_fields: tuple[str, ...], **kwargs) -> None:
        self.search_fields = search_fields
        kwargs.setdefault("label", "搜索")
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        q = Q()
        for name in self.search_fields:
            q |= Q(**{f"{name}__icontains": value})
        return qs.filter(q)


class YesNoWidget(BooleanWidget):
    def __init__(self, attrs=None) -> None:
        super().__init__(attrs)
        self.choices = (("", "全部"), ("true", "是"), ("false", "否"))


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter whose empty choice reads 全部."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", YesNoWidget)
        super().__init__(*args, **kwargs)


class RuleFilter(YesNoFilter):
    """Yes: the rows a queryset rule keeps (`rule`, the name of a queryset method taking no
    argument, or a function of the queryset and the request); no: the others. The list's
    filter then reads the same rule as the figures and the work page that count it."""

    def __init__(self, *args, rule: str | Callable[[QuerySet, Any], QuerySet], **kwargs) -> None:
        self.rule = rule
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value is None:
            return qs
        if callable(self.rule):
            kept = self.rule(qs, getattr(self.parent, "request", None))
        else:
            kept = getattr(qs, self.rule)()
        return kept if value else qs.exclude(pk__in=kept.values("pk"))


class ActiveFilter(RuleFilter):
    """Dated relations in force today (or not)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label", "当前有效")
        super().__init__(*args, rule="active", **kwargs)


def described(filterset) -> list[tuple[str, str]]:
    """The filters a bound FilterSet applies, in words, as its form reads them: (label, value)
    pairs such as ("所属区域", "云田乡"), for a page that tells what a saved filter chose.
    Nothing for an invalid filter."""
    form = filterset.form
    if not form.is_valid():
        return []
    pairs = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            text = "是" if value else "否"
        elif isinstance(value, Model):
            text = str(value)
        elif getattr(field, "choices", None):
            text = str(dict(field.choices).get(value, value))
        else:
            text = str(value)
        pairs.append((str(field.label), text))
    return pairs
