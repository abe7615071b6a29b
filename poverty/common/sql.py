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
from django.db.models import Field, ForeignKey, Model

from .areacodes import is_valid_code
from .scoping import Reach, ScopedModel


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


def under(model: type[ScopedModel], alias: str, code: str) -> tuple[str, str, list[str]]:
    """Raw SQL for `model.objects.under([code])`: the JOINs that follow the model's own
    `scope_path` from its row (aliased `alias`) to the area code, and the condition that the
    code lies under the area (scoping.Reach, as every query is narrowed). Returns
    (joins, condition, params); tests/poverty/test_sql.py checks it against the ORM for every
    scoped model."""
    if not is_valid_code(code):
        raise ValueError(f"not an area code: {code!r}")
    if model.scope_path is None:
        raise TypeError(f"{model.__name__} is national: no area to be under")
    *links, last = model.scope_path.split("__")
    joins: list[str] = []
    here: type[Model] = model
    at = alias
    for n, name in enumerate(links, start=1):
        field = here._meta.get_field(name)
        assert isinstance(field, ForeignKey), f"{model.__name__}.scope_path: {name} is no FK"
        there, step = field.related_model, f"{alias}_{n}"
        assert not isinstance(there, str)  # resolved once the apps are ready
        joins.append(
            f"JOIN {there._meta.db_table} {step} "
            f"ON {step}.{field.target_field.column} = {at}.{field.column}"
        )
        here, at = there, step
    column = here._meta.get_field(last)
    assert isinstance(column, Field)
    condition, params = Reach.under([code]).sql(f"{at}.{column.column}")
    return " ".join(joins), condition, params


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_datetime(value) -> datetime.datetime | None:
    """A timestamp as the ORM would give it: SQLite hands back naive UTC, or text from an
    aggregate such as MIN()."""
    if isinstance(value, str) or (isinstance(value, datetime.datetime) and value.tzinfo is None):
        return connection.ops.convert_datetimefield_value(  # type: ignore[attr-defined]
            value, None, connection
        )
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
