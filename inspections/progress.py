"""Pledge targets against live data: every actual figure is counted from the registry, the
villages, the projects and the findings of the pledge's area and year, never typed in."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from poverty.dashboard.stats import exit_statistics
from projects.models import Project
from villages.models import Area

from .choices import Metric
from .models import Finding, PledgeTarget


def actual(
    metric: str, area: Area, year: int, stage: int | None = None, *, figures: dict | None = None
) -> Decimal | None:
    """The live figure of one metric for an area and year (None when it cannot be computed).
    The exit figures are the exit statistics' own (`figures`, else counted here): a pledge's
    progress and the API agree by construction."""
    if metric in EXIT_METRICS:
        figures = figures or exit_statistics(area, year, children=[])
        return EXIT_METRICS[metric](figures)
    if metric == Metric.PROJECTS_REACHED:
        projects = Project.objects.under([area.code]).filter(year=year)
        return Decimal(projects.filter(stage__gte=stage or 1).count())
    if metric == Metric.FINDINGS_CLOSED:
        findings = Finding.objects.under([area.code])
        return Decimal(findings.filter(closed_on__year=year).count())
    raise ValueError(metric)


def _incidence_percent(figures: dict) -> Decimal | None:
    rate = figures["incidence_rate"]
    if rate is None:
        return None
    remaining, population = figures["remaining"]["persons"], figures["rural_population"]
    return (Decimal(remaining) * 100 / population).quantize(Decimal("0.01"))


# The metrics read from the exit statistics (poverty.dashboard.stats), and how.
EXIT_METRICS = {
    Metric.HOUSEHOLDS_EXITED: lambda f: Decimal(f["exited"]["households"]),
    Metric.PERSONS_EXITED: lambda f: Decimal(f["exited"]["persons"]),
    Metric.VILLAGES_EXITED: lambda f: Decimal(f["villages"]["exited"]),
    Metric.INCIDENCE_AT_MOST: _incidence_percent,
}


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
    """Each target with its live figure (the exit statistics counted once for all of them)."""
    targets = list(targets)
    figures = None
    if any(t.metric in EXIT_METRICS for t in targets):
        figures = exit_statistics(area, year, children=[])
    return [Progress(t, actual(t.metric, area, year, t.stage, figures=figures)) for t in targets]
