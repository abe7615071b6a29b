"""The computed indicators: each reads the rule its own app defines (and the figure the other
pages show), for one assessee and the scheme's period, and says how the rate was reached.

- 脱贫任务完成率: the township's pledges' persons-exited targets for the period's year against the
  exit statistics, through inspections.progress (the pledge page's own figure).
- 督查问题按期整改销号率: findings whose deadline fell in the period, closed by their deadline
  (FindingQuerySet.due_between, closed_on_time).
- 结对户走访覆盖率: for each month of the period, households.selectors.visit_coverage (the
  township page's figure), summed over the months.
- 重点工作节点按期完成率: milestones planned in the period, done by their planned date
  (MilestoneQuerySet.planned_between, done_on_time).
- 项目节点按期完成率: project stages planned in the period, reached by their planned date
  (ProjectStageQuerySet.planned_between, reached_on_time).

Nothing due in the period scores the full rate: there was nothing to fall behind on.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from command.models import Milestone
from households.selectors import visit_coverage
from inspections.choices import Metric
from inspections.models import Finding, PledgeTarget
from inspections.progress import progress_of
from poverty.common.months import month_start, next_month
from projects.models import ProjectStage
from villages.models import Area, Unit

from .choices import Source

ONE = Decimal(1)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Reading:
    rate: Decimal | None  # a fraction; None when it cannot be computed (no pledge target)
    basis: str


def _num(value: Decimal) -> str:
    """10.00 as 10, 2.50 as 2.5."""
    return format(value.normalize(), "f")


def _ratio(done: int, total: int, what: str) -> Reading:
    if not total:
        return Reading(ONE, f"考核期内无到期的{what}，按完成计")
    rate = Decimal(done) / Decimal(total)
    return Reading(rate, f"按期完成{done}个 / 到期{total}个")


def _area(assessee: Area | Unit) -> Area:
    """The sources that only an area has (choices.APPLICABLE keeps units away from them)."""
    if not isinstance(assessee, Area):
        raise TypeError(f"{assessee!r} is not an area")
    return assessee


def exit_completion(assessee: Area | Unit, start: datetime.date, end: datetime.date) -> Reading:
    assessee = _area(assessee)
    targets = PledgeTarget.objects.filter(
        pledge__area=assessee, pledge__year=end.year, metric=Metric.PERSONS_EXITED
    ).select_related("pledge")
    progress = progress_of(targets, assessee, end.year)
    target = sum((p.target.target for p in progress), Decimal(0))
    if not progress or not target:
        return Reading(None, f"{end.year}年责任书未设定脱贫人数目标，不计分")
    actual = progress[0].actual or Decimal(0)
    return Reading(
        actual / target, f"{end.year}年脱贫{_num(actual)}人 / 责任书目标{_num(target)}人"
    )


def findings_on_time(assessee: Area | Unit, start: datetime.date, end: datetime.date) -> Reading:
    findings = Finding.objects.due_between(start, end)
    findings = (
        findings.under([assessee.code])
        if isinstance(assessee, Area)
        else findings.filter(unit=assessee)
    )
    return _ratio(findings.closed_on_time().count(), findings.count(), "督查问题")


def visit_coverage_over(assessee: Area | Unit, start: datetime.date, end: datetime.date) -> Reading:
    assessee = _area(assessee)
    paired = visited = 0
    month = month_start(start)
    while month <= end:
        coverage = visit_coverage(assessee, month)
        paired += coverage.paired
        visited += coverage.visited
        month = next_month(month)
    if not paired:
        return Reading(ONE, "考核期内无结对户，按完成计")
    return Reading(Decimal(visited) / paired, f"各月走访结对户{visited}户次 / 应走访{paired}户次")


def key_tasks_on_time(assessee: Area | Unit, start: datetime.date, end: datetime.date) -> Reading:
    milestones = Milestone.objects.planned_between(start, end)
    milestones = (
        milestones.filter(task__area=assessee)
        if isinstance(assessee, Area)
        else milestones.filter(task__lead_unit=assessee)
    )
    return _ratio(milestones.done_on_time().count(), milestones.count(), "重点工作节点")


def projects_on_plan(assessee: Area | Unit, start: datetime.date, end: datetime.date) -> Reading:
    stages = ProjectStage.objects.planned_between(start, end)
    stages = (
        stages.under([assessee.code])
        if isinstance(assessee, Area)
        else stages.filter(project__unit=assessee)
    )
    return _ratio(stages.reached_on_time().count(), stages.count(), "项目节点")


READERS: dict[str, Callable[[Area | Unit, datetime.date, datetime.date], Reading]] = {
    Source.EXIT_COMPLETION: exit_completion,
    Source.FINDINGS_ON_TIME: findings_on_time,
    Source.VISIT_COVERAGE: visit_coverage_over,
    Source.KEY_TASKS_ON_TIME: key_tasks_on_time,
    Source.PROJECTS_ON_PLAN: projects_on_plan,
}


def points_for(rate: Decimal | None, weight: Decimal, full_at: int) -> Decimal:
    """weight × rate / full_at, at most the weight (full points from full_at up); 0 without a
    rate."""
    if rate is None:
        return Decimal(0)
    share = min(rate * 100 / Decimal(full_at), ONE)
    return (weight * share).quantize(CENT, rounding=ROUND_HALF_UP)
