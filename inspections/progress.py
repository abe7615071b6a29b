"""Pledge targets against live data: every actual figure is counted from the registry, the
villages, the projects and the findings of the pledge's area and year, never typed in."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from households.choices import HouseholdStatus
from households.models import Household, Member
from poverty.common.scoping import within
from projects.models import Project
from villages.choices import AreaLevel
from villages.models import Area

from .choices import Metric
from .models import Finding, PledgeTarget


def exited_in(year: int) -> Q:
    return Q(status=HouseholdStatus.EXITED, exit_year=year)


def still_poor_at_end_of(year: int) -> Q:
    """Registered by the year and not exited by its end."""
    exited = Q(status=HouseholdStatus.EXITED, exit_year__lte=year)
    return Q(identified_year__lte=year) & ~exited


def rural_population(area: Area) -> int | None:
    """The area's own figure, else the sum over its villages (None when nobody recorded one)."""
    if area.rural_population:
        return area.rural_population
    if area.level == AreaLevel.VILLAGE:
        return None
    total = Area.objects.filter(within([area.code], "code"), level=AreaLevel.VILLAGE).aggregate(
        total=Sum("rural_population")
    )["total"]
    return total or None


def actual(metric: str, area: Area, year: int, stage: int | None = None) -> Decimal | None:
    """The live figure of one metric for an area and year (None when it cannot be computed)."""
    households = Household.objects.filter(within([area.code], "village__code"))
    if metric == Metric.HOUSEHOLDS_EXITED:
        return Decimal(households.filter(exited_in(year)).count())
    if metric == Metric.PERSONS_EXITED:
        return Decimal(
            Member.objects.filter(household__in=households.filter(exited_in(year))).count()
        )
    if metric == Metric.VILLAGES_EXITED:
        villages = Area.objects.filter(
            within([area.code], "code"), level=AreaLevel.VILLAGE, is_poor=True
        )
        return Decimal(villages.filter(actual_exit_year=year).count())
    if metric == Metric.INCIDENCE_AT_MOST:
        population = rural_population(area)
        if not population:
            return None
        poor = Member.objects.filter(
            household__in=households.filter(still_poor_at_end_of(year))
        ).count()
        return (Decimal(poor) * 100 / population).quantize(Decimal("0.01"))
    if metric == Metric.PROJECTS_REACHED:
        projects = Project.objects.filter(within([area.code], "area__code"), year=year)
        return Decimal(projects.filter(stage__gte=stage or 1).count())
    if metric == Metric.FINDINGS_CLOSED:
        findings = Finding.objects.filter(within([area.code], "area__code"))
        return Decimal(findings.filter(closed_on__year=year).count())
    raise ValueError(metric)


@dataclass(frozen=True)
class Progress:
    target: PledgeTarget
    actual: Decimal | None

    @property
    def ratio(self) -> Decimal | None:
        """actual / target as a fraction (for at-most targets: met is 1, above it less)."""
        if self.actual is None:
            return None
        goal = self.target.target
        if self.target.at_most:
            if self.actual <= goal:
                return Decimal(1)
            return goal / self.actual if self.actual else Decimal(1)
        if not goal:
            return Decimal(1)
        return self.actual / goal

    @property
    def met(self) -> bool:
        if self.actual is None:
            return False
        if self.target.at_most:
            return self.actual <= self.target.target
        return self.actual >= self.target.target

    @property
    def percent(self) -> int:
        """For the progress bar: 0..100."""
        return 0 if self.ratio is None else min(int(self.ratio * 100), 100)

    @property
    def actual_display(self) -> str:
        if self.actual is None:
            return "无法计算（缺少农业户籍人口）"
        if self.target.at_most:
            return f"{self.actual:.2f}%"
        return f"{self.actual:.0f}"


def progress_of(targets, area: Area, year: int) -> list[Progress]:
    """Each target with its live figure (one count per target; a pledge has at most six)."""
    return [Progress(t, actual(t.metric, area, year, t.stage)) for t in targets]
