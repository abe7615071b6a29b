"""The list pages' tables and filter selects are written in Python for speed (bench/load.py);
what they write must be what django-tables2's and Django's templates write."""

import contextlib
import inspect
import re
from unittest import mock

import django_tables2 as tables
import pytest
from django import forms
from django.conf import settings
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django_filters.fields import ModelChoiceIterator
from django_tables2 import utils as tables_utils

from accounts.choices import Role
from households.choices import Category
from households.models import Household
from poverty.common.filters import AreaTreeField
from poverty.common.widgets import FastSelect
from tests.test_query_counts import (
    INSPECTION_PAGES,
    PAGES,
    PROJECT_PAGES,
    REGISTRY_PAGES,
    grow,
    grow_inspections,
    grow_projects,
    grow_registry,
)
from villages.models import Area

pytestmark = pytest.mark.django_db

LIST_PAGES = [
    name for name in {**PAGES, **REGISTRY_PAGES, **PROJECT_PAGES, **INSPECTION_PAGES}
    if name.endswith("_list") and not name.startswith("api:")
]  # fmt: skip
TABLE = re.compile(r"<table.*?</table>", re.DOTALL)
STOCK = "django_tables2/bootstrap5-responsive.html"


@contextlib.contextmanager
def stock_tables():
    """Every table rendered by django-tables2's own template instead of the project's."""
    ours = tables.Table.template_name
    with mock.patch.object(tables.Table, "template_name", property(lambda table: STOCK, ours.fset)):
        yield


@pytest.fixture
def assert_html_equal():
    return SimpleTestCase().assertHTMLEqual


@pytest.fixture
def county_client(client, make_user, world):
    for more in (grow, grow_registry, grow_projects, grow_inspections):
        more(world, 4)
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    return client


@pytest.mark.parametrize("name", LIST_PAGES)
def test_every_list_table_writes_what_the_stock_template_writes(
    county_client, assert_html_equal, name
):
    url = reverse(name)
    assert settings.DJANGO_TABLES2_TEMPLATE != STOCK
    with stock_tables():
        stock = county_client.get(url).content.decode()
    ours = county_client.get(url).content.decode()
    stock_table, our_table = TABLE.findall(stock)[-1], TABLE.findall(ours)[-1]  # the list's own
    assert "<td" in stock_table, f"{name} shows no rows to compare"
    assert_html_equal(our_table, stock_table)
    # Ordered and paged the same way as well.
    with stock_tables():
        stock = county_client.get(url, {"sort": "-id", "per_page": 2, "page": 2}).content.decode()
    ours = county_client.get(url, {"sort": "-id", "per_page": 2, "page": 2}).content.decode()
    assert_html_equal(TABLE.findall(ours)[-1], TABLE.findall(stock)[-1])


def test_an_empty_list_says_so_as_before(client, make_user, world, assert_html_equal):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    url = reverse("households:household_list")
    with stock_tables():
        stock = TABLE.findall(client.get(url, {"q": "无此人"}).content.decode())[-1]
    ours = TABLE.findall(client.get(url, {"q": "无此人"}).content.decode())[-1]
    assert "<tr" not in ours.split("<tbody", 1)[1] or "colspan" in ours
    assert_html_equal(ours, stock)


CHOICES = [
    ("", "---------"),
    (None, "无"),
    (1, "一"),
    ("2", "<b>二</b>"),
    ("s", mark_safe("<i>安全</i>")),
    ("l", gettext_lazy("<一个>翻译")),
    ("组", [("a", "甲"), ("b", "乙"), (3, "丙")]),
    ("c", "丁"),
    ("c", "重复的值只选第一个"),
]


@pytest.mark.parametrize("value", [None, "", 1, "2", "b", 3, "c", "缺"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_x", "required": True}, {"disabled": False, "data-x": '"q"'}]
)
def test_fast_select_writes_what_django_writes(value, attrs):
    stock = forms.Select(choices=CHOICES).render("x", value, attrs)
    assert FastSelect(choices=CHOICES).render("x", value, attrs) == stock


def test_fast_select_over_a_model_choice_field(world):
    field = forms.ModelChoiceField(queryset=Area.objects.order_by("code"))
    chosen = world.villages[1].pk
    stock = field.widget.render("area", chosen, {"id": "id_area"})
    field.widget = FastSelect(choices=field.choices)
    ours = field.widget.render("area", chosen, {"id": "id_area"})
    assert ours == stock
    assert f'<option value="{chosen}" selected>{world.villages[1].name}</option>' in ours


def test_the_list_filter_bar_uses_the_fast_select(county_client):
    response = county_client.get(reverse("households:household_list"), {"status": "exited"})
    widget = response.context["filter"].form.fields["status"].widget
    assert type(widget) is FastSelect
    assert '<option value="exited" selected>' in response.content.decode()


class Sample:
    def render(self, value, record):
        return value

    def other(self, value, *args, table=None, **kwargs):
        return value


@pytest.mark.parametrize(
    "fn",
    [
        Sample().render,
        Sample.render,
        Sample().other,
        lambda record: record,
        lambda: None,
    ],
)
def test_remembered_signatures_are_the_signatures(fn):
    parameters = inspect.signature(fn).parameters.values()
    expected = (
        tuple(p.name for p in parameters if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)),
        next((p.name for p in parameters if p.kind == p.VAR_KEYWORD), None),
    )
    assert tables_utils.signature(fn) == expected
    assert tables_utils.signature(fn) == expected  # and again, from memory


def test_a_cell_is_escaped(county_client, world):
    world.villages[0].name = "<i>甲村</i>"
    world.villages[0].save()
    page = county_client.get(reverse("households:household_list")).content.decode()
    table = TABLE.findall(page)[-1]
    assert "&lt;i&gt;甲村&lt;/i&gt;" in table
    assert "<i>甲村" not in table


def test_a_choice_column_shows_the_label_and_honours_an_overridden_display(
    county_client, assert_html_equal
):
    """The rows read a field's labels once a table; a model that writes its own
    get_FOO_display still has it called for every row, as django-tables2 does."""
    url = reverse("households:household_list")
    cells = re.findall(
        r"<td[^>]*>([^<]*)</td>", TABLE.findall(county_client.get(url).content.decode())[-1]
    )
    assert set(Category.labels) & set(cells)
    assert not set(Category.values) & set(cells)
    with mock.patch.object(
        Household, "get_category_display", lambda self: f"<自定{self.pk}>", create=True
    ):
        with stock_tables():
            stock = TABLE.findall(county_client.get(url).content.decode())[-1]
        ours = TABLE.findall(county_client.get(url).content.decode())[-1]
    assert "&lt;自定" in ours
    assert_html_equal(ours, stock)


def test_date_columns_write_what_django_tables2s_templates_write():
    """poverty.common.tables.DateColumn/DateTimeColumn format directly what django-tables2's
    compile a template for, cell by cell: the same text for dates, local times and empties."""
    import datetime

    from django.utils import timezone

    from poverty.common.tables import DateColumn, DateTimeColumn

    moment = datetime.datetime(2026, 12, 2, 17, 5, tzinfo=datetime.UTC)  # 01:05 in Shanghai
    cases = [
        ("Y-m-d", {}, datetime.date(2019, 3, 1)),
        (None, {}, datetime.date(2019, 3, 1)),
        ("Y-m-d", {"default": "在任"}, None),
        ("Y-m-d H:i", {}, moment),
        (None, {}, moment),
        ("Y-m-d H:i", {}, None),
    ]
    for fmt, extra, value in cases:
        is_time = isinstance(value, datetime.datetime) or "H" in (fmt or "")
        ours, stock = (
            (DateTimeColumn, tables.DateTimeColumn) if is_time else (DateColumn, tables.DateColumn)
        )

        class Ours(tables.Table):
            when = ours(format=fmt, **extra)

        class Stock(tables.Table):
            when = stock(format=fmt, **extra)

        with timezone.override("Asia/Shanghai"):
            mine = Ours([{"when": value}]).rows[0].get_cell("when")
            theirs = Stock([{"when": value}]).rows[0].get_cell("when")
        assert str(mine) == str(theirs), (fmt, extra, value)
    assert str(Ours([{"when": moment}]).rows[0].get_cell("when")) == "2026-12-03 01:05"


def test_no_table_uses_django_tables2s_compiling_date_columns():
    """Every list table's date columns are ours (poverty.common.tables), declared or made for
    a date field: none compiles a template per cell."""
    import importlib

    from django.apps import apps

    from poverty.common.tables import DateColumn, DateTimeColumn

    checked = 0
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.tables")
        except ModuleNotFoundError:
            continue
        for table in vars(module).values():
            if isinstance(table, type) and issubclass(table, tables.Table):
                for name, column in table.base_columns.items():
                    if isinstance(column, tables.DateColumn | tables.DateTimeColumn):
                        assert isinstance(column, DateColumn | DateTimeColumn), (table, name)
                        checked += 1
    assert checked > 20


@pytest.mark.parametrize("null_label", [None, "（未填）"])
def test_area_options_read_as_rows_match_the_model_labels(world, null_label):
    """A filter bar's areas come from (id, level, name) rows: the same options, indented by
    depth, as Django's iterator over the areas themselves gives."""
    field = AreaTreeField(queryset=Area.objects.order_by("code"), null_label=null_label)
    stock = [(str(value), label) for value, label in ModelChoiceIterator(field)]
    ours = [(str(value), label) for value, label in field.choices]
    assert ours == stock
    village = world.villages[0]
    assert (str(village.pk), "\u3000\u3000" + village.name) in ours
