"""poverty.common.sql: the id list as one parameter, on whichever database the suite runs on."""

import datetime

import pytest
from django.utils import timezone

from poverty.common.sql import among, as_datetime, fetch
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
