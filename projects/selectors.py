"""Reads of the projects app that several pages share: fund sums and the stage timeline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from .choices import PAIRING_TEAM_SIZE, Deliverable, FundKind, FundSource, TeamRole
from .models import ZERO, FundEntry, HelpPairing, HelpTeamMember, HelpYear, Project, rate


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


# --- 对口帮扶 -------------------------------------------------------------------------------

TEN_THOUSAND = Decimal(10000)


@dataclass
class HelpYearRow:
    """A pairing's year: the 1 % rule against its commitment and against the money actually put
    in place (its projects' 对口帮扶 fund entries dated in the year), all in 万元."""

    year: int
    revenue: Decimal | None
    required: Decimal | None
    committed: Decimal | None
    allocated: Decimal
    disbursed: Decimal

    @property
    def committed_ok(self) -> bool | None:
        if self.required is None or self.committed is None:
            return None
        return self.committed >= self.required

    @property
    def allocated_ok(self) -> bool | None:
        return None if self.required is None else self.allocated >= self.required


def pairing_funds(pairings, year: int | None = None) -> dict[tuple[int, int], dict[str, Decimal]]:
    """(pairing, year) → the sums by kind (in 万元) of the 对口帮扶 fund entries of the pairings'
    projects: the one home of a pairing's money (its projects' funds carry it; nothing else
    does, so it is counted once). One query."""
    entries = FundEntry.objects.filter(
        source=FundSource.PAIRING, project__help_pairing__in=pairings
    )
    if year is not None:
        entries = entries.filter(date__year=year)
    sums: dict[tuple[int, int], dict[str, Decimal]] = {}
    for row in entries.values("project__help_pairing", "date__year", "kind").annotate(
        total=Sum("amount")
    ):
        key = (row["project__help_pairing"], row["date__year"])
        sums.setdefault(key, {})[row["kind"]] = row["total"] / TEN_THOUSAND
    return sums


def help_years(pairing: HelpPairing) -> list[HelpYearRow]:
    """Every year of the pairing (its stated ones and those with money), oldest first."""
    stated = {y.year: y for y in pairing.years.all()}
    funds = pairing_funds([pairing])
    years = sorted(set(stated) | {y for _, y in funds})
    return [_year_row(year, stated.get(year), funds.get((pairing.pk, year), {})) for year in years]


def _year_row(year: int, stated: HelpYear | None, money: dict[str, Decimal]) -> HelpYearRow:
    return HelpYearRow(
        year=year,
        revenue=stated.revenue if stated else None,
        required=stated.required if stated else None,
        committed=stated.committed if stated else None,
        allocated=(money.get(FundKind.ALLOCATED) or ZERO).quantize(Decimal("0.01")),
        disbursed=(money.get(FundKind.DISBURSED) or ZERO).quantize(Decimal("0.01")),
    )


def pairing_summary(pairings: list[HelpPairing], year: int) -> list[dict]:
    """The county's (or city's) pairings in `year`: team on site, commitment and money against
    the 1 % rule, deliverables. A fixed number of queries."""
    ids = [p.pk for p in pairings]
    funds = pairing_funds(ids, year)
    stated = {y.pairing_id: y for y in HelpYear.objects.filter(pairing__in=ids, year=year)}
    day = min(timezone.localdate(), datetime.date(year, 12, 31))
    team: dict[int, list[HelpTeamMember]] = {}
    for member in HelpTeamMember.objects.filter(pairing__in=ids):
        if member.on_site(day):
            team.setdefault(member.pairing_id, []).append(member)
    delivered: dict[int, dict[str, int]] = {}
    for row in (
        Project.objects.filter(help_pairing__in=ids)
        .values("help_pairing", "help_deliverable")
        .annotate(n=Count("pk"))
    ):
        delivered.setdefault(row["help_pairing"], {})[row["help_deliverable"]] = row["n"]
    rows = []
    for p in pairings:
        on_site = team.get(p.pk, [])
        rows.append(
            {
                "pairing": p,
                "year": _year_row(year, stated.get(p.pk), funds.get((p.pk, year), {})),
                "team": len(on_site),
                "team_ok": len(on_site) >= PAIRING_TEAM_SIZE
                and any(m.role == TeamRole.LEADER and m.county_leader for m in on_site),
                "delivered": {
                    str(Deliverable(k).label): n for k, n in delivered.get(p.pk, {}).items() if k
                },
            }
        )
    return rows
