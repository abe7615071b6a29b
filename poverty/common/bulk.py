"""Inserting many rows, with their history, at the speed of the database rather than the ORM.

`bulk_create_with_history` builds two model instances per row and prepares every value through
the field; for a 300,000-person roster that is most of the import. Here a caller hands plain
tuples of already-valid values, as a list or a generator: PostgreSQL takes them by one streaming
COPY (the server ingests rows while the caller is still making the next ones), any other
database by executemany in chunks. Ids are reserved first (`reserve_ids`), so related rows can
be written in the same pass without reading anything back. History rows go in by a second COPY
of the same lines on PostgreSQL, elsewhere by INSERT ... SELECT from the inserted rows. Model
validation is the caller's job: the roster validates every row before it writes any.
"""

from __future__ import annotations

import datetime
import gc
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from operator import itemgetter

from django.db import connection, models
from django.utils import timezone

from .sql import among

CHUNK = 5000


@contextmanager
def gc_paused():
    """The cyclic garbage collector off for the block, as it builds and keeps hundreds of
    thousands of objects (a roster's rows): each collection would walk all of them again, for
    nothing, as they form no cycles. 1.5 s of a 100,000-household import."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` fresh primary keys of `model`, taken from its sequence inside the caller's transaction."""
    if n <= 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence's name once: looked up per row, it cost more than the nextval calls.
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, n]
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


def _other_columns(model, given, constants: dict, now) -> dict[str, object]:
    """The columns `given` lacks (but an ungiven primary key, which the database numbers), by
    attname, with their values: `constants[name]`, else the field's default (auto_now and
    auto_now_add: `now`)."""
    others = {}
    for field in model._meta.concrete_fields:
        if field.attname in given or field.primary_key:
            continue
        others[field.attname] = (
            constants[field.attname] if field.attname in constants else _constant(field, now)
        )
    return others


def values_at(positions: Sequence[int]):
    """A getter of a row's values at `positions`, as a tuple (itemgetter, in C; with one position
    itemgetter alone would give the bare value)."""
    if len(positions) == 1:
        (position,) = positions
        return lambda row: (row[position],)
    return itemgetter(*positions)


def _column(model, attname: str) -> str:
    return model._meta.get_field(attname).column


def insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    constants: dict | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Insert `rows` (tuples in the order of `fields`, attnames such as "household_id").

    Every other concrete column but an ungiven primary key gets `constants[name]`, else the
    field's default (auto_now and auto_now_add: `now`). Values must already be what the column
    stores. Returns the number of rows.
    """
    now = now or timezone.now()
    others = _other_columns(model, set(fields), constants or {}, now)
    columns = [_column(model, name) for name in (*fields, *others)]
    return _send(model._meta.db_table, columns, rows, list(others.values()))


def insert_with_history(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    user=None,
    constants: dict | None = None,
) -> int:
    """`insert`, and a django-simple-history "created" row for each, by `user`. The first field
    must be the (reserved) primary key. Returns the number of rows.

    On PostgreSQL each history row is the inserted row's line (less any field the history
    leaves out) with the history's own columns after it, spilled to a temporary file while the
    rows are copied, then copied in itself: the database reads no row back (INSERT ... SELECT
    from the new rows took it 1.6 times as long).
    """
    if fields[0] != model._meta.pk.attname:
        raise ValueError("insert_with_history needs the primary key as the first field")
    now = timezone.now()
    constants = constants or {}
    stamp = {
        "history_date": now,
        "history_type": "+",
        "history_user_id": user.pk if user is not None else None,
        "history_change_reason": None,
    }
    others = _other_columns(model, set(fields), constants, now)
    columns = [_column(model, name) for name in (*fields, *others)]
    if connection.vendor == "postgresql":
        history = model.history.model
        kept = {f.attname for f in history._meta.concrete_fields}
        # The history row: the given fields it keeps, as inserted, then its other columns.
        shared = [name for name in fields if name in kept]
        # The model's own constants (created_at...) and the stamp, as the model's other columns.
        after = _other_columns(history, set(fields), {**others, **stamp}, now)
        history_columns = [_column(history, name) for name in (*shared, *after)]
        # Its values out of the row: all of it (the line is reused), or the kept positions.
        pick = None
        if len(shared) < len(fields):
            pick = values_at([fields.index(name) for name in shared])
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spill:
            count = _send(
                model._meta.db_table,
                columns,
                rows,
                list(others.values()),
                spill=(spill, _tail(after.values()), pick),
            )
            spill.seek(0)
            _copy(history._meta.db_table, history_columns, spill)
        return count
    ids: list[int] = []

    def noted(rows):
        for row in rows:
            ids.append(row[0])
            yield row

    _send(model._meta.db_table, columns, noted(rows), list(others.values()))
    copy_history(model, ids, stamp)
    return len(ids)


def copy_history(model: type[models.Model], ids: Sequence[int], constants: dict) -> None:
    """History rows for the rows `ids` of `model`, copied from them as they now stand."""
    history = model.history.model
    table = {f.attname: f.column for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    into, select, params = [], [], []
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue  # history_id: numbered by the database
        into.append(quote(field.column))
        if field.attname in constants:
            select.append("%s")
            params.append(constants[field.attname])
        elif field.attname in table:
            select.append(quote(table[field.attname]))
        else:
            select.append("%s")
            params.append(_constant(field, constants.get("history_date") or timezone.now()))
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(into)}) "  # noqa: S608
        f"SELECT {', '.join(select)} FROM {quote(model._meta.db_table)} "
        f"WHERE {{}} ORDER BY {quote(model._meta.pk.column)}"
    )
    if connection.vendor != "postgresql":
        params = [*map(_sqlite, params)]
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            condition, chunk = among(quote(model._meta.pk.column), ids[start : start + CHUNK])
            cursor.execute(sql.format(condition), [*params, chunk])


class _Lines(io.TextIOBase):
    """A generator of COPY lines as the file copy_expert reads from."""

    def __init__(self, lines: Iterator[str]):
        self._lines = lines

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        parts, length = [], 0
        for line in self._lines:
            parts.append(line)
            length += len(line)
            if 0 <= size <= length:
                break
        return "".join(parts)


def _tail(values: Iterable) -> str:
    """The constant columns after a row's own: the end of every COPY line."""
    return "".join("\t" + _copy_text(v) for v in values) + "\n"


def _copy(table: str, columns: list[str], source) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {quote(table)} ({names}) FROM STDIN", source, 1 << 16)


def _send(
    table: str, columns: list[str], rows: Iterable[Sequence], extra: list, *, spill=None
) -> int:
    """Insert `rows` with the constant `extra` columns after each. `spill` (PostgreSQL only), a
    (file, tail, pick) triple, gets every row's line again with that tail; `pick`, unless None,
    takes the values it gets out of the row."""
    quote = connection.ops.quote_name
    count = 0
    if connection.vendor == "postgresql":
        tail = _tail(extra)

        def lines():
            nonlocal count
            for row in rows:
                count += 1
                line = _copy_line(row)
                if spill is not None:
                    file, end, pick = spill
                    file.write((line if pick is None else _copy_line(pick(row))) + end)
                yield line + tail

        # One COPY for all rows: PostgreSQL ingests what has arrived while the generator
        # makes the rest, instead of the two taking turns chunk by chunk.
        _copy(table, columns, _Lines(lines()))
        return count
    names = ", ".join(quote(c) for c in columns)
    extra = [_sqlite(v) for v in extra]
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
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
