"""Raw SQL for the few hot statements where building a query through the ORM costs more than
running it, all filtered by a list of ids: the dashboard's sums over the village tallies and the
history rows bulk.copy_history copies. The ORM prepares every id of an IN list as its own
parameter and compiles the whole query on every request; here the statement is a constant and
the ids travel as one parameter."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable

from django.db import connection


def among(column: str, ids: Iterable[int]) -> tuple[str, object]:
    """A condition that `column` is one of `ids`, and its one parameter: an array literal on
    PostgreSQL, a JSON list read by json_each on SQLite."""
    ids = [int(pk) for pk in ids]
    if connection.vendor == "postgresql":
        # An array literal, not ARRAY[...]: the planner estimates a constant, and with the
        # constructor it chose an index scan three times slower for a province's 3,000 villages.
        return f"{column} = ANY(%s::bigint[])", "{" + ",".join(map(str, ids)) + "}"
    return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(ids)  # noqa: S608


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
