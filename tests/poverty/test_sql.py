"""poverty.common.sql: the id list and an area's code prefix as one parameter, and sums read as the
ORM would give them, on whichever database the suite runs on."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from poverty.common.sql import among, among_text, as_datetime, as_decimal, fetch, under
from villages.models import Area

pytestmark = pytest.mark.django_db


def _codes(ids) -> list[str]:
    condition, param = among("id", ids)
    sql = f"SELECT code FROM villages_area WHERE {condition} ORDER BY code"  # noqa: S608
    return [code for (code,) in fetch(sql, [param])]


def test_only_the_listed_rows_match(world):
    assert _codes([world.v11.pk, world.v21.pk]) == sorted([world.v11.code, world.v21.code])
    assert _codes([world.v11.pk, world.v11.pk]) == [world.v11.code]  # a repeat matches once


def test_an_empty_list_matches_nothing(world):
    assert Area.objects.exists()
    assert _codes([]) == []


def test_a_timestamp_reads_as_the_orm_would_give_it(world):
    stamp = Area.objects.get(pk=world.v11.pk).updated_at
    (value,) = fetch("SELECT updated_at FROM villages_area WHERE id = %s", [world.v11.pk])[0]
    read = as_datetime(value)
    assert isinstance(read, datetime.datetime) and timezone.is_aware(read)
    assert read == stamp
    # An aggregate loses the column's type (SQLite returns text): still the same moment.
    (least,) = fetch("SELECT MIN(updated_at) FROM villages_area WHERE id = %s", [world.v11.pk])[0]
    assert as_datetime(least) == stamp
    assert as_datetime(None) is None


def test_under_an_area_means_its_code_prefix(world):
    """(Every scoped model is checked against the ORM in tests/test_scoping.py.)"""
    joins, condition, params = under(Area, "a", world.t1.code)
    assert joins == ""  # an area holds its own code
    sql = f"SELECT a.code FROM villages_area a WHERE {condition} ORDER BY a.code"  # noqa: S608
    assert [code for (code,) in fetch(sql, params)] == [
        world.t1.code,
        world.v11.code,
        world.v12.code,
    ]
    # Never a pattern of someone's making: only a well-formed area code goes in.
    for bad in ("9901%", "990123_00000", "", "000000000000"):
        with pytest.raises(ValueError):
            under(Area, "a", bad)


def test_under_follows_the_models_scope_path_through_its_tables(world):
    from projects.models import Objection

    joins, condition, _ = under(Objection, "o", world.t1.code)
    assert joins == (
        "JOIN projects_disclosure o_1 ON o_1.id = o.disclosure_id "
        "JOIN projects_project o_2 ON o_2.id = o_1.project_id "
        "JOIN villages_area o_3 ON o_3.id = o_2.area_id"
    )
    assert condition == "(o_3.code LIKE %s)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("100000.10"), Decimal("100000.10")),
        (100000.1, Decimal("100000.10")),  # SQLite sums decimals as floats
        (150000, Decimal("150000.00")),
        (0.1 + 0.2, Decimal("0.30")),
        (None, None),
    ],
)
def test_a_decimal_sum_reads_as_the_orm_would_give_it(value, expected):
    result = as_decimal(value, 2)
    assert result == expected
    assert result is None or result.as_tuple().exponent == -2


def test_text_values_match_whatever_characters_they_hold(world):
    odd = 'a"b\\c,{d} e'  # a quote, a backslash, a comma, braces: the array literal's own marks
    Area.objects.filter(pk=world.v11.pk).update(name=odd)
    condition, param = among_text("name", [odd, world.v12.name, "不存在"])
    sql = f"SELECT code FROM villages_area WHERE {condition} ORDER BY code"  # noqa: S608
    assert [code for (code,) in fetch(sql, [param])] == [world.v11.code, world.v12.code]
    condition, param = among_text("name", [])
    assert fetch(f"SELECT code FROM villages_area WHERE {condition}", [param]) == []  # noqa: S608
