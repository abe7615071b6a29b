"""Reads for the household file (一户一档): the audit trail across the household's rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist

from .models import AssistanceMeasure, Household, Member

# Fields whose values never appear in the trail to users without the sensitive-data permission.
SENSITIVE_FIELDS = {"health", "phone"}
# Fields shown in part: a birth date as its year (beside a masked number, the full date would
# give the number back).
PARTLY_SENSITIVE = {"birth_date": lambda value: f"{value.year}年" if value else value}
# Fields whose values never appear at all (the ciphertext and hash of an ID number).
HIDDEN_FIELDS = {"id_number_encrypted", "id_number_hash"}
KIND = {"+": "新增", "~": "修改", "-": "删除"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    when: object
    who: str
    what: str
    kind: str
    changes: list[Change]


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field removed since the record was written
        return name


def _display(model, name: str, value) -> str:
    if value in (None, ""):
        return "（空）"
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    return str(value)


def _diff(model, before, after, sensitive: bool) -> list[Change]:
    """Field changes between two history records, including the fields that services set
    (status, exit year...), which simple-history's diff_against leaves out as non-editable."""
    changes = []
    for field in after.tracked_fields:
        name, attname = field.name, field.attname
        old, new = getattr(before, attname), getattr(after, attname)
        if old == new or name in ("updated_at", "created_at", "version", "id_number_masked"):
            continue
        if name in HIDDEN_FIELDS:
            if name == "id_number_hash":
                changes.append(Change("证件号码", "（不显示）", "（已修改）"))
            continue
        if name in SENSITIVE_FIELDS and not sensitive:
            changes.append(Change(_label(model, name), "***", "***"))
            continue
        if name in PARTLY_SENSITIVE and not sensitive:
            part = PARTLY_SENSITIVE[name]
            shown = (_display(model, "", part(v)) for v in (old, new))
            changes.append(Change(_label(model, name), *shown))
            continue
        if field.is_relation:
            old = getattr(before, name, None) if old is not None else None
            new = getattr(after, name, None) if new is not None else None
        changes.append(
            Change(_label(model, name), _display(model, name, old), _display(model, name, new))
        )
    return changes


def audit_trail(household: Household, *, sensitive: bool, limit: int = 60) -> list[AuditEntry]:
    """Changes to the household, its members and measures, newest first (three queries)."""
    sources = [
        (Household, household.history.all(), lambda r: "户信息"),
        (Member, Member.history.filter(household_id=household.pk), lambda r: f"成员 {r.name}"),
        (
            AssistanceMeasure,
            AssistanceMeasure.history.filter(household_id=household.pk),
            lambda r: f"措施 {r.description}",
        ),
    ]
    entries = []
    for model, records, what in sources:
        records = list(records.select_related("history_user").order_by("history_date")[: limit * 4])
        previous: dict[int, object] = {}
        for record in records:
            before = previous.get(record.id)
            changes = []
            if before is not None and record.history_type == "~":
                changes = _diff(model, before, record, sensitive)
            previous[record.id] = record
            if record.history_type == "~" and not changes:
                continue
            user = record.history_user
            entries.append(
                AuditEntry(
                    when=record.history_date,
                    who=user.display_name if user else "系统",
                    what=what(record),
                    kind=KIND.get(record.history_type, record.history_type),
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
