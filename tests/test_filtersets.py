"""The FilterSets the pages and the API share (NetBox's test_filtersets pattern): every FilterSet's
area box keeps exactly the rows under the chosen area, whatever the model, and an empty form keeps
everything. The filters particular to a model are tested in its app (tests/*/test_filtersets.py).
"""

from __future__ import annotations

import importlib

import django_filters
import pytest

from poverty.common.filters import IntegerFilter
from projects.models import Beneficiary, Project

from .factories import UserFactory, build_world, filtered
from .scoping import CASES, is_under

APPS = ("villages", "households", "projects", "inspections", "command", "assessments", "exits")


def _filtersets() -> list[type[django_filters.FilterSet]]:
    found = []
    for app in APPS:
        module = importlib.import_module(f"{app}.filtersets")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, django_filters.FilterSet)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return sorted(found, key=lambda fs: fs.__name__)


FILTERSETS = _filtersets()


def _areas_of(model, obj) -> list:
    """The areas a row is found under: its own, or where the filter says to look."""
    if model is Beneficiary:
        return [obj.household.village]  # 受益户所在区域: where the household lives
    if model is Project:
        return [obj.area, *obj.areas.all()]  # managed there, or serving a village there
    return [CASES[model].area_of(obj)]


def _world_with_rows(model):
    world = build_world()
    case = CASES[model]
    for area in case.places(world):
        case.make(world, area)
    return world


@pytest.mark.parametrize(
    "filterset",
    [fs for fs in FILTERSETS if "within" in fs.base_filters],
    ids=lambda fs: fs.__name__,
)
@pytest.mark.django_db
def test_the_area_box_keeps_exactly_the_rows_under_the_chosen_area(filterset):
    model = filterset._meta.model
    world = _world_with_rows(model)
    admin = UserFactory(is_superuser=True)
    rows = list(model.objects.all())
    narrowed = False
    for area in world.areas:
        found = filtered(filterset, {"within": area.pk}, admin)
        expected = {o.pk for o in rows if any(is_under(a, area) for a in _areas_of(model, o) if a)}
        assert set(found.values_list("pk", flat=True)) == expected, area.code
        narrowed |= 0 < len(expected) < len(rows)
    assert narrowed, "no area told the rows apart: the case places them too alike"


@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda fs: fs.__name__)
@pytest.mark.django_db
def test_an_empty_form_keeps_every_row_and_renders(filterset):
    model = filterset._meta.model
    _world_with_rows(model)
    assert set(filtered(filterset, {}).values_list("pk", flat=True)) == set(
        model.objects.values_list("pk", flat=True)
    )
    form = str(filterset().form)
    assert "<select" in form or "<input" in form


@pytest.mark.parametrize(
    "filterset",
    [
        fs
        for fs in FILTERSETS
        if any(isinstance(f, IntegerFilter) for f in fs.base_filters.values())
    ],
    ids=lambda fs: fs.__name__,
)
def test_a_number_too_large_for_the_database_is_refused_not_a_server_error(filterset):
    """An id or a year past 2⁶³ (a fuzzer's, a mistyped link's) makes the form invalid, naming
    the field: SQLite would raise OverflowError on it."""
    for name, value in filterset.base_filters.items():
        if isinstance(value, IntegerFilter):
            form = filterset({name: str(2**70)}, queryset=filterset._meta.model.objects.none()).form
            assert not form.is_valid() and name in form.errors, name


@pytest.mark.django_db
def test_the_api_answers_400_to_an_overflowing_id(client, make_user, world):
    from django.urls import reverse

    from accounts.choices import Role

    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    for name, param in (("api:disclosure-list", "project"), ("api:decision-list", "meeting")):
        response = client.get(reverse(name), {param: "225678408545017593856"})
        assert response.status_code == 400, name
