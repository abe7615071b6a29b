"""Raw SQL for the few hot reads where building a query through the ORM costs more than running
it: the dashboard's sums over the village tallies, filtered by a list of village ids. The ORM
prepares every id of an IN list as its own parameter and compiles the whole query on every
request; here the statement is a constant and the ids travel as one parameter."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable

from django.db import connection


def among(column: str, ids: Iterable[int]) -> tuple[str, object]:
    """A condition that `column` is one of `ids`, and its one parameter: an array on
    PostgreSQL, a JSON list read by json_each on SQLite."""
    ids = list(ids)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", ids
    return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(ids)  # noqa: S608


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_datetime(value) -> datetime.datetime | None:
    """A timestamp as the ORM would give it (SQLite hands back text)."""
    if isinstance(value, str):
        return connection.ops.convert_datetimefield_value(value, None, connection)
    return value
