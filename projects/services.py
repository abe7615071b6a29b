"""State changes of projects that touch several rows: moving through the six stages, laying the
plan backwards from a deadline (倒排工期), and linking beneficiary households with their measures.

Every function runs in one transaction with the project row locked, checks its preconditions,
bumps the project's version (so an edit form opened before is refused), and raises
ValidationError with a Chinese message when a step is out of order.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from households.choices import MeasureStatus, MeasureType
from households.models import AssistanceMeasure, Household
from households.services import measure_save
from poverty.common.models import save_versioned
from poverty.common.scoping import in_scope

from .choices import DEFAULT_DURATIONS, PROGRESS_CHOICES, ProjectType, Stage
from .models import Beneficiary, Project, ProjectStage, approval_problems

CHANGE_PERMISSION = "projects.change_project"

# The measure a beneficiary household gets from a project of each type.
MEASURE_OF_TYPE = {
    ProjectType.INDUSTRY: MeasureType.INDUSTRY,
    ProjectType.INFRASTRUCTURE: MeasureType.INFRASTRUCTURE,
    ProjectType.PUBLIC_SERVICE: MeasureType.OTHER,
    ProjectType.RELOCATION: MeasureType.RELOCATION,
    ProjectType.PHOTOVOLTAIC: MeasureType.PHOTOVOLTAIC,
    ProjectType.EMPLOYMENT: MeasureType.EMPLOYMENT,
    ProjectType.EDUCATION: MeasureType.EDUCATION,
    ProjectType.HEALTH: MeasureType.HEALTH,
    ProjectType.OTHER: MeasureType.OTHER,
}


@transaction.atomic
def project_create(*, project: Project, by) -> Project:
    """Save a new project (validated by its form or serializer) with its six stages, empty
    until planned. `by` must hold the add permission in the project's area; None is the
    system itself (the demo county, the tests' factories)."""
    if by is not None and not (
        by.has_perm("projects.add_project") and in_scope(project, by, "add")
    ):
        raise ValidationError("您没有在该区域立项的权限。")
    project.save()
    ProjectStage.objects.bulk_create(
        [ProjectStage(project=project, stage=stage) for stage in Stage.values]
    )
    return project


def _begin(project: Project, by) -> Project:
    """Every change starts here: the actor's permission and area, the project row locked."""
    if not by.has_perm(CHANGE_PERMISSION):
        raise ValidationError("您没有推进项目的权限。")
    locked: Project = Project.objects.select_for_update().get(pk=project.pk)
    if not in_scope(locked, by, "change"):
        raise ValidationError("该项目不在您的管辖范围内。")
    return locked


def _label(stage: int) -> str:
    return dict(PROGRESS_CHOICES)[stage]


@transaction.atomic
def project_stage_complete(
    *,
    project: Project,
    by,
    stage: int,
    actual_date: datetime.date,
    evidence: str,
    evidence_file=None,
    today: datetime.date | None = None,
) -> ProjectStage:
    """Record that the project reached `stage`, which must be the next one."""
    today = today or timezone.localdate()
    project = _begin(project, by)
    if project.stage >= Stage.EFFECTIVE:
        raise ValidationError("项目已见效，六个阶段均已完成。")
    expected = project.stage + 1
    if stage != expected:
        raise ValidationError(
            f"不能办理“{_label(stage)}”：项目当前为“{_label(project.stage)}”，"
            f"须按顺序先完成“{Stage(expected).label}”。"
        )
    if not (evidence or "").strip():
        raise ValidationError("请填写完成情况或依据。")
    if actual_date > today:
        raise ValidationError("实际日期不能晚于今天。")
    rows = {row.stage: row for row in project.stages.select_for_update()}
    previous = rows.get(stage - 1)
    if previous is not None and previous.actual_date and actual_date < previous.actual_date:
        raise ValidationError(
            f"实际日期不能早于上一阶段“{previous.get_stage_display()}”的完成日期"
            f"{previous.actual_date:%Y-%m-%d}。"
        )
    if stage == Stage.APPROVED:
        problems = approval_problems(list(project.approvals.select_related("unit")))
        if problems:
            raise ValidationError(problems)
    row = rows[stage]
    row.actual_date = actual_date
    row.evidence = evidence.strip()
    if evidence_file:
        row.evidence_file = evidence_file
    row.recorded_by = by
    row._history_user = by
    row.full_clean()
    row.save()
    save_versioned(project, by, stage=stage)
    return row


def backward_plan(
    deadline: datetime.date, durations: dict[int, int] | None = None
) -> dict[int, datetime.date]:
    """倒排工期: 见效 on the deadline, each earlier stage its duration before the next."""
    durations = {**{int(k): v for k, v in DEFAULT_DURATIONS.items()}, **(durations or {})}
    plan: dict[int, datetime.date] = {}
    cursor = deadline
    for stage in sorted(Stage.values, reverse=True):
        plan[stage] = cursor
        days = durations.get(stage, 0)
        if days < 0:
            raise ValidationError(f"“{Stage(stage).label}”的工期不能为负数。")
        cursor -= datetime.timedelta(days=days)
    return plan


@transaction.atomic
def project_plan_backwards(
    *, project: Project, by, deadline: datetime.date, durations: dict[int, int] | None = None
) -> list[ProjectStage]:
    """Fill the planned dates of the stages not yet done, counting back from the deadline."""
    project = _begin(project, by)
    plan: dict[int, datetime.date | None] = {**backward_plan(deadline, durations)}
    return _set_plan(project, by, plan)


@transaction.atomic
def project_plan_set(
    *, project: Project, by, plan: dict[int, datetime.date | None]
) -> list[ProjectStage]:
    """Set planned dates by hand (stages already done keep theirs)."""
    project = _begin(project, by)
    return _set_plan(project, by, plan)


def _set_plan(project: Project, by, plan: dict[int, datetime.date | None]) -> list[ProjectStage]:
    rows = list(project.stages.select_for_update().order_by("stage"))
    changed = []
    for row in rows:
        # A finished stage keeps the plan it was measured against.
        if row.is_open and row.stage in plan and row.planned_date != plan[row.stage]:
            row.planned_date = plan[row.stage]
            changed.append(row)
    _check_order(rows)
    for row in changed:
        row._history_user = by
        row.save(update_fields=["planned_date", "updated_at"])
    save_versioned(project, by)
    return rows


def _check_order(rows: list[ProjectStage]) -> None:
    """Planned dates follow the stage order (a later stage never planned before an earlier one)."""
    last: ProjectStage | None = None
    for row in rows:
        if row.planned_date is None:
            continue
        if (
            last is not None
            and last.planned_date is not None
            and row.planned_date < last.planned_date
        ):
            raise ValidationError(
                f"计划日期须按阶段先后排列：“{row.get_stage_display()}”（{row.planned_date:%Y-%m-%d}）"
                f"早于“{last.get_stage_display()}”（{last.planned_date:%Y-%m-%d}）。"
            )
        last = row


@transaction.atomic
def project_beneficiaries_add(
    *,
    project: Project,
    by,
    households: Iterable[Household],
    note: str = "",
    with_measure: bool = True,
    today: datetime.date | None = None,
) -> list[Beneficiary]:
    """Link households to the project, each (optionally) with a new measure pointing at it."""
    today = today or timezone.localdate()
    project = _begin(project, by)
    households = list(households)
    taken = set(
        project.beneficiaries.filter(household__in=households).values_list(
            "household__code", flat=True
        )
    )
    if taken:
        raise ValidationError(f"以下户已是本项目受益户：{'、'.join(sorted(taken))}。")
    links = []
    for household in households:
        measure = None
        if with_measure:
            measure = AssistanceMeasure(
                household=household,
                measure_type=MEASURE_OF_TYPE[ProjectType(project.project_type)],
                description=f"{project.name}（{project.year}年项目）"[:200],
                start_date=today,
                status=MeasureStatus.ONGOING,
                cadre=project.manager,
            )
            measure._history_user = by
            measure.full_clean()
            # The project's own permission was checked above: the measure is its consequence.
            measure_save(measure=measure, by=None)
        link = Beneficiary(project=project, household=household, measure=measure, note=note)
        link._history_user = by
        link.full_clean()
        link.save()
        links.append(link)
    save_versioned(project, by)
    return links
