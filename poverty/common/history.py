"""A record's history as people read it: who, when, and field by field before → after.

django-simple-history keeps a row per save; `entries` pairs each with the one before it and
lists what changed, including the fields services set (status, stage, version-free), which
simple-history's own diff leaves out as non-editable. Personal values follow the reader's
permission: ciphertexts and hashes never show, health and phones as *** and birth dates as
their year without the sensitive-data permission. Related objects are named in one query per
related model, so a page's history costs a fixed number of queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db.models import FileField
from django.utils import timezone

# Never shown (the ciphertext and hash of an ID number; its change is noted, not its value).
HIDDEN_FIELDS = {"id_number_encrypted", "id_number_hash"}
# Shown as *** without the sensitive-data permission.
SENSITIVE_FIELDS = {"health", "phone"}
# Shown in part without it: a birth date as its year (beside a masked number, the full date
# would give the number back).
PARTLY_SENSITIVE = {"birth_date": lambda value: f"{value.year}年" if value else value}
# Bookkeeping, not changes anyone made.
SKIPPED = {"updated_at", "created_at", "version", "id_number_masked", "persons", "member_names"}
KIND = {"+": "新增", "~": "修改", "-": "删除"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: object
    who: str
    what: str
    kind: str
    changes: list[Change] = field(default_factory=list)


def label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field removed since the record was written
        return name


def display(model, name: str, value) -> str:
    if value in (None, ""):
        return "（空）"
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if model_field.choices:
        return str(dict(model_field.choices).get(value, value))
    if isinstance(model_field, FileField):
        return (
            "（已上传文件）"  # the stored path says nothing a reader needs; the page shows the file
        )
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):  # stored in UTC: shown as the office reads clocks
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return str(value)


def _raw_changes(before, after) -> list[tuple]:
    """(field, old attribute value, new attribute value) for each tracked field that changed."""
    found = []
    for tracked in after.tracked_fields:
        old, new = getattr(before, tracked.attname), getattr(after, tracked.attname)
        if old != new and tracked.name not in SKIPPED:
            found.append((tracked, old, new))
    return found


def _names_of(raw: list[tuple]) -> dict[tuple, str]:
    """(related model, pk) → its name, one query per related model."""
    wanted: dict[type, set] = defaultdict(set)
    for tracked, old, new in raw:
        if tracked.is_relation:
            wanted[tracked.related_model].update(v for v in (old, new) if v is not None)
    names = {}
    for model, ids in wanted.items():
        for obj in model._default_manager.filter(pk__in=ids):
            names[(model, obj.pk)] = str(obj)
    return names


def _shown(model, tracked, value, sensitive: bool, names) -> str:
    if tracked.is_relation and value is not None:
        return names.get((tracked.related_model, value), f"（已删除 #{value}）")
    if tracked.name in PARTLY_SENSITIVE and not sensitive:
        return display(model, "", PARTLY_SENSITIVE[tracked.name](value))
    return display(model, tracked.name, value)


def changes(model, pairs: list[tuple], *, sensitive: bool) -> list[list[Change]]:
    """For each (before, after) pair of history rows, the changes a reader may see."""
    raws = [_raw_changes(before, after) for before, after in pairs]
    names = _names_of([change for raw in raws for change in raw])
    result = []
    for raw in raws:
        listed = []
        for tracked, old, new in raw:
            name = label(model, tracked.name)
            if tracked.name in HIDDEN_FIELDS:
                if tracked.name == "id_number_hash":
                    listed.append(Change("证件号码", "（不显示）", "（已修改）"))
            elif tracked.name in SENSITIVE_FIELDS and not sensitive:
                listed.append(Change(name, "***", "***"))
            else:
                shown = (_shown(model, tracked, v, sensitive, names) for v in (old, new))
                listed.append(Change(name, *shown))
        result.append(listed)
    return result


def entries(model, records, *, sensitive: bool, what=lambda record: "", limit: int = 20):
    """The newest `limit` history rows of `records` (one object's or several, any order) as
    Entries, newest first, each with its changes against the same object's row before it.
    Saves that changed nothing a reader sees are left out."""
    newest = records.select_related("history_user").order_by("-history_date", "-history_id")
    rows = list(newest[: limit * 4])[::-1]
    previous: dict[int, object] = {}
    pairs, kept = [], []
    for record in rows:
        before = previous.get(record.id)
        previous[record.id] = record
        kept.append(record)
        pairs.append(
            (before, record) if before is not None and record.history_type == "~" else None
        )
    listed = iter(changes(model, [p for p in pairs if p is not None], sensitive=sensitive))
    found = []
    for record, pair in zip(kept, pairs, strict=True):
        diff = next(listed) if pair is not None else []
        if record.history_type == "~" and not diff:
            continue
        user = record.history_user
        found.append(
            Entry(
                when=record.history_date,
                who=user.display_name if user else "系统",
                what=what(record),
                kind=KIND.get(record.history_type, record.history_type),
                changes=diff,
            )
        )
    found.reverse()
    return found[:limit]
