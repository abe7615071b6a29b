"""Raw SQL for the few hot statements where building a query through the ORM costs more than
running it: the dashboard's sums (over the village tallies, and the findings, projects, funds
and pairings under an area), the user's area codes read on every page, the roster's matching
against the registry, and the history rows bulk.copy_history copies. The ORM prepares
every id of an IN list as its own parameter and builds and compiles the whole query on every
request (about 1.5 ms for one of the dashboard's small sums, against 0.6 ms to run it); here the
statement is a constant and a list of ids, or an area's code prefix, travels as one parameter."""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Iterable

from django.db import connection

from .areacodes import is_valid_code, prefix_of


def among(column: str, ids: Iterable[int]) -> tuple[str, object]:
    """A condition that `column` is one of `ids`, and its one parameter: an array literal on
    PostgreSQL, a JSON list read by json_each on SQLite."""
    ids = [int(pk) for pk in ids]
    if connection.vendor == "postgresql":
        # An array literal, not ARRAY[...]: the planner estimates a constant, and with the
        # constructor it chose an index scan three times slower for a province's 3,000 villages.
        return f"{column} = ANY(%s::bigint[])", "{" + ",".join(map(str, ids)) + "}"
    return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(ids)  # noqa: S608


def among_text(column: str, values: Iterable[str]) -> tuple[str, object]:
    """`among` for text values (户编号, keyed hashes): each quoted in the array literal."""
    values = [str(v) for v in values]
    if connection.vendor == "postgresql":
        quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        return f"{column} = ANY(%s::text[])", "{" + ",".join(quoted) + "}"
    return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(values)  # noqa: S608


def under(column: str, code: str) -> tuple[str, str]:
    """A condition that the area code in `column` lies under the area `code` (its 区划代码
    prefix, as poverty.common.scoping narrows every query), and its one parameter."""
    if not is_valid_code(code):
        raise ValueError(f"not an area code: {code!r}")
    return f"{column} LIKE %s", prefix_of(code) + "%"


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_datetime(value) -> datetime.datetime | None:
    """A timestamp as the ORM would give it: SQLite hands back naive UTC, or text from an
    aggregate such as MIN()."""
    if isinstance(value, str) or (isinstance(value, datetime.datetime) and value.tzinfo is None):
        return connection.ops.convert_datetimefield_value(value, None, connection)
    return value


def as_date(value) -> datetime.date | None:
    """A date as the ORM would give it: SQLite hands back text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def as_decimal(value, places: int) -> decimal.Decimal | None:
    """A SUM over a DecimalField as the ORM would give it: PostgreSQL hands back a Decimal,
    SQLite (which keeps decimals as numbers) an int or a float."""
    if value is None:
        return None
    if isinstance(value, float):
        value = decimal.Context(prec=15).create_decimal_from_float(value)
    return decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-places))
