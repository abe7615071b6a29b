"""Reads for the household file (一户一档): the audit trail across the household's rows; and
the month's visit coverage of an area."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from poverty.common import history
from poverty.common.months import month_end, month_start
from villages.models import Area

from .models import AssistanceMeasure, Household, HouseholdPairing, IncomeRecord, Member, Visit


def audit_trail(household: Household, *, sensitive: bool, limit: int = 60) -> list[history.Entry]:
    """Changes to the household, its members, measures and income records, newest first, field
    by field (poverty.common.history; a fixed number of queries)."""
    sources = [
        (Household, household.history.all(), lambda r: "户信息"),
        (Member, Member.history.filter(household_id=household.pk), lambda r: f"成员 {r.name}"),
        (
            AssistanceMeasure,
            AssistanceMeasure.history.filter(household_id=household.pk),
            lambda r: f"措施 {r.description}",
        ),
        (
            IncomeRecord,
            IncomeRecord.history.filter(household_id=household.pk),
            lambda r: f"{r.year}年收入",
        ),
    ]
    found = []
    for model, records, what in sources:
        found += history.entries(model, records, sensitive=sensitive, what=what, limit=limit)
    found.sort(key=lambda e: e.when, reverse=True)
    return found[:limit]


@dataclass
class CoverageRow:
    name: str
    paired: int
    visited: int
    url: str = ""

    @property
    def percent(self) -> int:
        return round(100 * self.visited / self.paired) if self.paired else 0


@dataclass
class Coverage:
    """Visit coverage of a month (走访覆盖率): paired households visited / paired households."""

    month: datetime.date
    villages: list[CoverageRow] = field(default_factory=list)
    cadres: list[CoverageRow] = field(default_factory=list)

    @property
    def paired(self) -> int:
        return sum(r.paired for r in self.villages)

    @property
    def visited(self) -> int:
        return sum(r.visited for r in self.villages)

    @property
    def percent(self) -> int:
        return round(100 * self.visited / self.paired) if self.paired else 0


def visit_coverage(area: Area, month: datetime.date, user=None) -> Coverage:
    """The month's visit coverage under `area`, per village and per cadre, in three queries.

    A household counts as paired when a pairing holds on the month's last day (today for the
    month under way); per village it counts as visited when anyone visited it in the month, per
    cadre when that cadre did. The figure the township page shows and assessments read
    (issue 24's visit-coverage indicator); `user` narrows it to what they may see."""
    first, last = month_start(month), month_end(month)
    on = min(last, timezone.localdate())
    pairings = HouseholdPairing.objects.active(on).under([area.code])
    if user is not None:
        pairings = pairings.restrict(user)
    pairs = list(
        pairings.values_list(
            "household_id",
            "household__village_id",
            "household__village__name",
            "cadre_id",
            "cadre__name",
        )
    )
    visits = set(
        Visit.objects.filter(
            visited_on__gte=first,
            visited_on__lte=last,
            household__in=pairings.values("household_id"),
        ).values_list("household_id", "cadre_id")
    )
    visited_households = {h for h, _ in visits}
    villages: dict[int, CoverageRow] = {}
    cadres: dict[int, CoverageRow] = {}
    seen: set[int] = set()
    for household, village, village_name, cadre, cadre_name in pairs:
        if household not in seen:  # one pairing a day per household, but be safe
            seen.add(household)
            row = villages.setdefault(village, CoverageRow(village_name, 0, 0))
            row.paired += 1
            row.visited += household in visited_households
        crow = cadres.setdefault(cadre, CoverageRow(cadre_name, 0, 0))
        crow.paired += 1
        crow.visited += (household, cadre) in visits
    for pk, row in villages.items():
        row.url = reverse("villages:area_detail", args=[pk])
    for pk, row in cadres.items():
        row.url = reverse("villages:cadre_detail", args=[pk])
    order = lambda r: (r.percent, r.name)  # noqa: E731 - the least covered first
    return Coverage(first, sorted(villages.values(), key=order), sorted(cadres.values(), key=order))
