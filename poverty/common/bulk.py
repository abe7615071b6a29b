"""Inserting many rows, with their history, at the speed of the database rather than the ORM.

`bulk_create_with_history` builds two model instances per row and prepares every value through
the field; for a 300,000-person roster that is most of the import. Here a caller hands plain
tuples of already-valid values: PostgreSQL takes them by COPY, any other database by one
executemany. Ids are reserved first (`reserve_ids`), so related rows and history rows can be
written in the same pass without reading anything back. Model validation is the caller's job:
the roster validates every row before it writes any.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

CHUNK = 5000


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` fresh primary keys of `model`, taken from its sequence inside the caller's transaction."""
    if n <= 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, n],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: AUTOINCREMENT keeps the highest id handed out in sqlite_sequence. Raising it
        # takes the database's write lock, so no other writer can be given the same ids.
        cursor.execute("UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s", [n, table])
        if cursor.rowcount == 0:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {quoted}")  # noqa: S608
            top = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top + n]
            )
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        last = cursor.fetchone()[0]
    return list(range(last - n + 1, last + 1))


def _constant(field: models.Field, now: datetime.datetime):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if type(value) is not str:
        return str(value)  # numbers, dates, times (ISO) and booleans as PostgreSQL reads them
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _copy_line(row: Sequence) -> str:
    """A row as one COPY line (without its end). The common case, plain text without a tab,
    newline or backslash, is checked once for the whole line rather than value by value."""
    parts = ["\\N" if v is None else v if type(v) is str else str(v) for v in row]
    line = "\t".join(parts)
    if (
        line.count("\t") == len(parts) - 1
        and line.count("\\") == row.count(None)  # each NULL is one backslash
        and "\n" not in line
        and "\r" not in line
    ):
        return line
    return "\t".join(map(_copy_text, row))


def _sqlite(value):
    """Dates and times as Django's SQLite backend stores them (text, times in UTC)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    constants: dict | None = None,
    now: datetime.datetime | None = None,
) -> dict:
    """Insert `rows` (tuples in the order of `fields`, attnames such as "household_id").

    Every other concrete column but an ungiven primary key gets `constants[name]`, else the
    field's default (auto_now and auto_now_add: `now`). Values must already be what the column
    stores. Returns the values the other columns got.
    """
    now = now or timezone.now()
    constants = constants or {}
    given = set(fields)
    columns = [model._meta.get_field(name).column for name in fields]
    others = {}
    for field in model._meta.concrete_fields:
        if field.attname in given or field.primary_key:
            continue  # a primary key not given is numbered by the database (history rows)
        columns.append(field.column)
        others[field.attname] = (
            constants[field.attname] if field.attname in constants else _constant(field, now)
        )
    _send(model._meta.db_table, columns, rows, list(others.values()))
    return others


def insert_with_history(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence],
    *,
    user=None,
    constants: dict | None = None,
) -> None:
    """`insert`, and a django-simple-history "created" row for each, by `user`."""
    now = timezone.now()
    others = insert(model, fields, rows, constants=constants, now=now)
    history = model.history.model
    names = {f.attname for f in history._meta.concrete_fields}
    kept = [i for i, name in enumerate(fields) if name in names]
    insert(
        history,
        [fields[i] for i in kept],
        (tuple(row[i] for i in kept) for row in rows),
        constants={
            **{k: v for k, v in others.items() if k in names},
            "history_date": now,
            "history_type": "+",
            "history_user_id": user.pk if user is not None else None,
            "history_change_reason": None,
        },
        now=now,
    )


def _send(table: str, columns: list[str], rows: Iterable[Sequence], extra: list) -> int:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tail = "".join("\t" + _copy_text(v) for v in extra) + "\n"
            sql = f"COPY {quote(table)} ({names}) FROM STDIN"
            buffer = io.StringIO()
            for row in rows:
                buffer.write(_copy_line(row))
                buffer.write(tail)
                count += 1
                if count % CHUNK == 0:
                    buffer.seek(0)
                    cursor.copy_expert(sql, buffer)
                    buffer = io.StringIO()
            if buffer.tell():
                buffer.seek(0)
                cursor.copy_expert(sql, buffer)
            return count
        extra = [_sqlite(v) for v in extra]
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
        batch = []
        for row in rows:
            batch.append((*map(_sqlite, row), *extra))
            if len(batch) == CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
