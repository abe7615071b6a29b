"""Reads of the projects app that several pages share: fund sums and the stage timeline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from .choices import FundKind, FundSource
from .models import ZERO, Project, rate


def fund_totals(entries) -> dict[str, Decimal]:
    """Planned / allocated / disbursed sums of a FundEntry queryset, in one query."""
    return totals_of(
        entries.aggregate(**{kind: Sum("amount", filter=Q(kind=kind)) for kind in FundKind.values})
    )


def totals_of(sums: dict) -> dict[str, Decimal]:
    """Planned / allocated / disbursed from their sums by kind (a kind without entries: 0), and
    the two rates."""
    totals = {kind: sums.get(kind) or ZERO for kind in FundKind.values}
    totals["allocation_rate"] = rate(totals[FundKind.ALLOCATED], totals[FundKind.PLANNED])
    totals["disbursement_rate"] = rate(totals[FundKind.DISBURSED], totals[FundKind.ALLOCATED])
    return totals


def funds_by_source(project: Project) -> list[dict]:
    """One row per source that has entries, then 合计 (one query)."""
    cells = {
        (row["source"], row["kind"]): row["total"]
        for row in project.funds.order_by().values("source", "kind").annotate(total=Sum("amount"))
    }
    rows: list[dict[str, Any]] = []
    for source in FundSource:
        if not any((source.value, kind) in cells for kind in FundKind.values):
            continue
        row: dict[str, Any] = {"label": source.label}
        row.update({kind: cells.get((source.value, kind), ZERO) for kind in FundKind.values})
        rows.append(row)
    total: dict[str, Any] = {"label": "合计"}
    total.update({kind: sum((r[kind] for r in rows), ZERO) for kind in FundKind.values})
    for row in [*rows, total]:
        row["allocation_rate"] = rate(row[FundKind.ALLOCATED], row[FundKind.PLANNED])
        row["disbursement_rate"] = rate(row[FundKind.DISBURSED], row[FundKind.ALLOCATED])
    return [*rows, total] if rows else []


def timeline(project: Project, today=None) -> list[dict]:
    """The six stages with their state: done (on time or N days late), overdue, next, later."""
    today = today or timezone.localdate()
    rows = []
    for row in project.stages.all():
        overdue = row.days_overdue(today)
        if not row.is_open:
            late = row.days_late()
            state = "late" if late and late > 0 else "done"
        elif overdue:
            state = "overdue"
        elif row.stage == project.next_stage:
            state = "next"
        else:
            state = "later"
        rows.append({"stage": row, "state": state, "overdue": overdue})
    return rows
