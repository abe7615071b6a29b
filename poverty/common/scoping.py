"""The one mechanism that narrows every query to the requesting user's areas.

Each domain model inherits `ScopedModel` and names the path from itself to an area code
(`scope_path = "village__code"`). `Model.objects.restrict(user, action)` returns nothing unless
the user holds the model permission for the action, and then only the rows whose area code lies
under one of the user's areas. National tables (the poverty line by year) set `scope_path = None`: the permission alone decides.
Models that belong to a higher level (county departments, their
cadres) set `scope_ancestors = True`: users below may *view* them, never change them.
Views, forms, filters, API viewsets, exports and jobs all call `restrict`; none filters by hand.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any, ClassVar, Self, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .areacodes import ancestor_codes, prefix_of
from .text import control_problem

# The model actions, and the workflow permissions a view may be gated by (rectify_finding…).
ACTIONS = ("view", "add", "change", "delete", "rectify", "verify")


def permission_name(model: type[models.Model], action: str) -> str:
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def user_area_codes(user) -> tuple[str, ...]:
    return tuple(getattr(user, "scope_codes", ()) or ())


@dataclass(frozen=True)
class Reach:
    """The one rule of where rows may be reached: an area code is in reach when it lies under
    one of `prefixes` (the significant digits of an area: everything below it has a code that
    starts with them), or is one of `exact` (the areas above a user's own, which users below
    may view for `scope_ancestors` models). The ORM filter (`q`), the check of one code
    (`admits`) and raw SQL (`poverty.common.sql.under`) are all written from it."""

    prefixes: tuple[str, ...]
    exact: tuple[str, ...] = ()

    @classmethod
    def under(cls, codes: Iterable[int | str]) -> Reach:
        """Everything under any of these area codes."""
        return cls(tuple(sorted({prefix_of(str(c)) for c in codes})))

    @classmethod
    def of(cls, model: type[ScopedModel], user, action: str) -> Reach:
        """Where the user may perform the action on the model's rows, by area alone."""
        codes = user_area_codes(user)
        reach = cls.under(codes)
        if action == "view" and model.scope_ancestors:
            above = tuple(sorted({a for code in codes for a in ancestor_codes(code)}))
            reach = cls(reach.prefixes, above)
        return reach

    def q(self, path: str) -> Q:
        """The rows whose area code, reached by `path`, is in reach."""
        terms = [Q(**{f"{path}__startswith": p}) for p in self.prefixes]
        if self.exact:
            terms.append(Q(**{f"{path}__in": list(self.exact)}))
        return reduce(or_, terms) if terms else Q(pk__in=[])

    def admits(self, code: str | None) -> bool:
        return code is not None and (code.startswith(self.prefixes) or code in self.exact)

    def sql(self, column: str) -> tuple[str, list[str]]:
        """The same condition on a raw SQL column, and its parameters."""
        terms = [f"{column} LIKE %s" for _ in self.prefixes]
        params = [p + "%" for p in self.prefixes]
        if self.exact:
            terms.append(f"{column} IN ({', '.join(['%s'] * len(self.exact))})")
            params += self.exact
        return ("(" + " OR ".join(terms) + ")" if terms else "1 = 0"), params


def scope_q(model: type[ScopedModel], user, action: str) -> Q:
    """The filter that keeps a model's rows inside the user's areas for an action."""
    path = model.scope_path
    if path is None:
        return Q()  # a national table (the poverty line by year): the permission decides
    return Reach.of(model, user, action).q(path)


def scope_value(instance: ScopedModel) -> str | None:
    """Follow scope_path on an (unsaved) instance to the area code it belongs to."""
    value: Any = instance
    for part in (instance.scope_path or "").split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def in_scope(instance: ScopedModel, user, action: str) -> bool:
    """Whether the user may perform the action on this instance, judged by its area alone
    (for an object not yet saved, or not read through `restrict`: a form's new row)."""
    if user.is_superuser or instance.scope_path is None:
        return True  # before following the path: that may cost a query
    return code_in_scope(type(instance), scope_value(instance), user, action)


def code_in_scope(model: type[ScopedModel], code: str | None, user, action: str) -> bool:
    """Whether the user may perform the action on a `model` row in the area with this code
    (for callers that hold codes, not instances: the roster checks thousands of rows)."""
    if user.is_superuser or model.scope_path is None:
        return True
    return Reach.of(model, user, action).admits(code)


_M = TypeVar("_M", bound="ScopedModel")


class ScopedQuerySet(models.QuerySet[_M]):
    def ids_first(self) -> Self:
        """This queryset, sliced in two steps: the slice's ids first (its filters and ordering
        alone, which an index can answer), then those rows with their joins and annotations.
        In one statement PostgreSQL computes every annotation of every match before it sorts
        and cuts the page, and when it cannot tell how many rows a filter keeps (a search by
        name) that is every household of the county. For list pages and search boxes. (The
        mark rides on the query, which every clone copies.)"""
        clone = self.all()
        clone.query.ids_first = True  # type: ignore[attr-defined]
        return clone

    def __getitem__(self, k):
        if not (
            getattr(self.query, "ids_first", False)
            and isinstance(k, slice)
            and self._result_cache is None
            and self._iterable_class is models.query.ModelIterable  # rows, not values()
        ):
            return super().__getitem__(k)
        plain = self.all()
        plain.query.ids_first = False  # type: ignore[attr-defined]
        ids = list(plain.values_list("pk", flat=True)[k])
        found = {row.pk: row for row in plain.order_by().filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]

    def restrict(self, user, action: str = "view") -> Self:
        if action not in ACTIONS:
            raise ValueError(action)
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.has_perm(permission_name(self.model, action)):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(scope_q(self.model, user, action))

    def under(self, codes: Iterable[int | str]) -> Self:
        """Rows under any of these area codes, found by the model's own `scope_path`: for work
        done for an area rather than for a user (a county's monthly notices, a pledge's area, the
        villages a project serves). Pages and the API scope by `restrict` first."""
        if self.model.scope_path is None:
            raise TypeError(f"{self.model.__name__} is national: no area to be under")
        return self.filter(Reach.under(codes).q(self.model.scope_path))


# Bounds of what a record may plausibly hold (ScopedModel._implausible).
EARLIEST = datetime.date(2010, 1, 1)  # before 精准扶贫 and the 建档立卡 registry
LATEST = datetime.date(2100, 12, 31)
TEXT_LIMIT = 10_000


class ScopedModel(models.Model):
    """Base of every domain model: a scoped manager and creation/update stamps."""

    # The path from the model to an area code; None for national tables that have no area.
    scope_path: ClassVar[str | None]
    scope_ancestors: ClassVar[bool] = False
    # Date fields that may lie long before the registry (a member's birth date).
    historic_dates: ClassVar[tuple[str, ...]] = ()
    # Who the next history row names (django-simple-history reads it when the row is saved).
    _history_user: Any

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        """Django's field checks, and nothing implausible (`_implausible`): forms, the API and
        the services all validate through here."""
        errors: dict[str, list[str]] = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as exc:
            errors = exc.message_dict
        for field in self._meta.concrete_fields:
            if (exclude and field.name in exclude) or field.name in errors or not field.editable:
                continue
            if problem := self._implausible(field, getattr(self, field.attname)):
                errors[field.name] = [problem]
        if errors:
            raise ValidationError(errors)

    def _implausible(self, field: models.Field, value: Any) -> str | None:
        """What no county record holds, whatever the model: control characters
        (poverty.common.text), a date before the registry's time or after this century
        (0001-01-01 typed by mistake, which then shows as open in every monthly notice), a
        negative amount, a text of a book's length."""
        if isinstance(value, str):
            if isinstance(field, models.TextField) and len(value) > TEXT_LIMIT:
                return f"内容过长（{len(value)}字），请精简到{TEXT_LIMIT}字以内。"
            return control_problem(value)
        if isinstance(value, datetime.date) and field.name not in self.historic_dates:
            day = value.date() if isinstance(value, datetime.datetime) else value
            if day < EARLIEST:
                return f"日期{day.isoformat()}早于{EARLIEST.year}年，请检查是否填错。"
            if day > LATEST:
                return f"日期{day.isoformat()}晚于{LATEST.year}年，请检查是否填错。"
        if isinstance(value, Decimal) and value < 0:
            return "不能为负数。"
        return None

    def locked_reason(self) -> str:
        """Why the record may no longer be edited or deleted ("" while it may): closed work
        stays as it was closed. The edit and delete pages and the API refuse it with this."""
        return ""
