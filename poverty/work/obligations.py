"""The dated obligations reminders are sent for (提醒催办), one source per kind.

Each source reads its app's own rule (a queryset method: what is due, what is open) and says,
for every obligation in its reminder window, what it is (`subject`), where it lies (an area
code), when it is due, what to say, where to lead and who answers for it: the people named on
it (a finding's responsible person or unit, the visiting or paired cadre, a project's manager),
else the accounts whose area holds it at the nearest level (poverty.work.reminders.recipients).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import models
from django.db.models import Count
from django.urls import reverse

from command.models import Decision, Milestone
from households.choices import ExitStep, HouseholdStatus
from households.models import AssistanceMeasure, ExitRecord, Household, HouseholdPairing, Visit
from inspections.models import REMIND_DAYS, Finding
from projects.models import Disclosure, ProjectStage
from villages.models import Area

from .choices import ReminderKind as K

# Days ahead each kind is reminded of (the finding's REMIND_DAYS is the inspections rule).
LEAD_DAYS = {
    K.FINDING_DUE: REMIND_DAYS,
    # The 脱贫时限 is a year's end: the village's cadres hear of it two months before.
    K.EXIT_DEADLINE: 61,
    K.FOLLOW_UP: 3,
    K.MEASURE_END: 30,
    # The day before a 公示 ends (then it may be announced), and the week after if it was not.
    K.PUBLICITY_END: 1,
    K.PROJECT_STAGE: 7,
    K.MILESTONE_DUE: 7,
    K.DECISION_DUE: 3,
}


@dataclass(frozen=True)
class Obligation:
    kind: str
    subject: models.Model
    code: str  # the area code that holds it (scope)
    due: datetime.date
    message: str
    link: str
    # The permission whoever answers for it must hold (read from the role table).
    perm: str
    cadres: tuple[int, ...] = field(default=())  # the people named on it, tried first
    units: tuple[int, ...] = field(default=())  # else the accounts of these units' cadres
    # A household's obligation told to staff above its village is summed per village and day
    # (poverty.work.reminders): what it says there ("项帮扶措施到期") and the village's list.
    village: Area | None = None
    digest: str = ""
    digest_link: str = ""


def when(due: datetime.date, today: datetime.date) -> str:
    days = (due - today).days
    if days == 0:
        return f"今天（{due:%Y-%m-%d}）"
    if days < 0:
        return f"已过{-days}天（{due:%Y-%m-%d}）"
    return f"{days}天后（{due:%Y-%m-%d}）"


def _list(name: str, **query) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


def findings_due(today: datetime.date) -> Iterator[Obligation]:
    for finding in Finding.objects.due_within(REMIND_DAYS, today).select_related("area"):
        yield Obligation(
            K.FINDING_DUE,
            finding,
            finding.area.code,
            finding.deadline,
            f"督查问题“{finding}”的整改时限为{when(finding.deadline, today)}，"
            f"当前{finding.get_status_display()}。",
            finding.get_absolute_url(),
            "inspections.view_finding",
            cadres=(finding.person_id,) if finding.person_id else (),
            units=(finding.unit_id,),
        )


def exit_deadlines(today: datetime.date) -> Iterator[Obligation]:
    """Per village: the households due to exit this year and not yet exited (the 脱贫时限 is
    the year's end), from two months before it."""
    due = datetime.date(today.year, 12, 31)
    if (due - today).days > LEAD_DAYS[K.EXIT_DEADLINE]:
        return
    counts = (
        Household.objects.near_deadline(today.year)
        .order_by()
        .values("village")
        .annotate(n=Count("pk"))
    )
    per_village = {row["village"]: row["n"] for row in counts}
    villages = Area.objects.filter(pk__in=per_village).only("pk", "code", "name")
    for village in villages:
        yield Obligation(
            K.EXIT_DEADLINE,
            village,
            village.code,
            due,
            f"{village.name}有{per_village[village.pk]}户计划{today.year}年脱贫、尚未脱贫，"
            f"脱贫时限为{when(due, today)}。",
            _list(
                "households:household_list",
                within=village.pk,
                planned_exit_year=today.year,
                status=HouseholdStatus.ASSISTED,
            ),
            "households.view_household",
        )


def follow_ups(today: datetime.date) -> Iterator[Obligation]:
    visits = (
        Visit.objects.follow_ups_open()
        .due_by(today + datetime.timedelta(days=LEAD_DAYS[K.FOLLOW_UP]))
        .filter(follow_up_due__gte=today)
        .select_related("household__village")
    )
    for visit in visits:
        yield Obligation(
            K.FOLLOW_UP,
            visit,
            visit.household.village.code,
            visit.follow_up_due,
            f"{visit.household.code}户走访的跟进事项“{visit.follow_up[:60]}”"
            f"期限为{when(visit.follow_up_due, today)}。",
            visit.get_absolute_url(),
            "households.add_visit",
            cadres=(visit.cadre_id,),
            village=visit.household.village,
            digest="项走访跟进事项到期",
            digest_link=_list(
                "households:visit_list", within=visit.household.village_id, follow_up_open=1
            ),
        )


def _paired_cadres(household_ids: set[int], today: datetime.date) -> dict[int, int]:
    pairs = HouseholdPairing.objects.active(today).filter(household__in=household_ids)
    return dict(pairs.values_list("household_id", "cadre_id"))


def measures_ending(today: datetime.date) -> Iterator[Obligation]:
    measures = list(
        AssistanceMeasure.objects.ending_within(LEAD_DAYS[K.MEASURE_END], today).select_related(
            "household__village"
        )
    )
    paired = _paired_cadres({m.household_id for m in measures}, today)
    for measure in measures:
        cadre = paired.get(measure.household_id)
        yield Obligation(
            K.MEASURE_END,
            measure,
            measure.household.village.code,
            measure.end_date,
            f"{measure.household.code}户的帮扶措施“{measure.get_measure_type_display()}”"
            f"将于{when(measure.end_date, today)}到期，请核实是否续期或办结。",
            measure.get_absolute_url(),
            "households.change_assistancemeasure",
            cadres=(cadre,) if cadre else (),
            village=measure.household.village,
            digest="项帮扶措施到期",
            digest_link=_list(
                "households:assistancemeasure_list",
                within=measure.household.village_id,
                ending=LEAD_DAYS[K.MEASURE_END],
            ),
        )


def publicity_ending(today: datetime.date) -> Iterator[Obligation]:
    """村内公示 of a household's exit, and 公告公示 of a project, ending tomorrow or ended in
    the last week with the household still in publicity."""
    start = today - datetime.timedelta(days=7)
    end = today + datetime.timedelta(days=LEAD_DAYS[K.PUBLICITY_END])
    records = (
        ExitRecord.objects.filter(
            step=ExitStep.PUBLICISE,
            household__status=HouseholdStatus.PUBLICISED,
            publicity_end__range=(start, end),
        )
        .select_related("household__village")
        .order_by("household", "-publicity_end", "-pk")
    )
    seen: set[int] = set()
    for record in records:
        closes = record.publicity_end
        if closes is None or record.household_id in seen:
            continue  # (an earlier publicity of the same household)
        seen.add(record.household_id)
        household = record.household
        yield Obligation(
            K.PUBLICITY_END,
            record,
            household.village.code,
            closes,
            f"{household.code}户退出的村内公示期满：{when(closes, today)}，无异议的可公告退出。",
            household.get_absolute_url(),
            "households.change_household",
        )
    disclosures = Disclosure.objects.filter(end_date__range=(today, end)).select_related(
        "project__area"
    )
    for disclosure in disclosures:
        yield Obligation(
            K.PUBLICITY_END,
            disclosure,
            disclosure.project.area.code,
            disclosure.end_date,
            f"项目“{disclosure.project.name}”的{disclosure.title}公示将于"
            f"{when(disclosure.end_date, today)}结束。",
            disclosure.get_absolute_url(),
            "projects.change_disclosure",
            cadres=(disclosure.project.manager_id,),
        )


def project_stages(today: datetime.date) -> Iterator[Obligation]:
    stages = ProjectStage.objects.due_within(LEAD_DAYS[K.PROJECT_STAGE], today).select_related(
        "project__area"
    )
    for stage in stages:
        project = stage.project
        yield Obligation(
            K.PROJECT_STAGE,
            stage,
            project.area.code,
            stage.planned_date,
            f"项目“{project.name}”的“{stage.get_stage_display()}”计划于"
            f"{when(stage.planned_date, today)}完成。",
            project.get_absolute_url(),
            "projects.change_projectstage",
            cadres=(project.manager_id,),
        )


def milestones_due(today: datetime.date) -> Iterator[Obligation]:
    """A key task's milestone planned within the week: its lead unit's people, else the staff
    of the task's county or township."""
    milestones = Milestone.objects.due_within(LEAD_DAYS[K.MILESTONE_DUE], today).select_related(
        "task__area", "task__lead"
    )
    for milestone in milestones:
        task = milestone.task
        yield Obligation(
            K.MILESTONE_DUE,
            milestone,
            task.area.code,
            milestone.planned,
            f"重点工作“{task.title}”的节点“{milestone.title}”计划于"
            f"{when(milestone.planned, today)}完成（组长：{task.lead.name}）。",
            task.get_absolute_url(),
            "command.change_keytask",
            units=(task.lead_unit_id,),
        )


def decisions_due(today: datetime.date) -> Iterator[Obligation]:
    """A dispatch meeting's decision due within three days: its owner, else the owner unit's
    people, else the staff of its area."""
    decisions = Decision.objects.due_within(LEAD_DAYS[K.DECISION_DUE], today).select_related(
        "area", "meeting"
    )
    for decision in decisions:
        yield Obligation(
            K.DECISION_DUE,
            decision,
            decision.area.code,
            decision.deadline,
            f"{decision.meeting.held_on:%m月%d日}调度会交办的“{decision.text[:60]}”"
            f"办结时限为{when(decision.deadline, today)}。",
            decision.get_absolute_url(),
            "command.change_decision",
            cadres=(decision.owner_id,),
            units=(decision.owner_unit_id,) if decision.owner_unit_id else (),
        )


# Every source; a new kind of dated obligation adds its function here.
SOURCES: dict[str, Callable[[datetime.date], Iterator[Obligation]]] = {
    K.FINDING_DUE: findings_due,
    K.EXIT_DEADLINE: exit_deadlines,
    K.FOLLOW_UP: follow_ups,
    K.MEASURE_END: measures_ending,
    K.PUBLICITY_END: publicity_ending,
    K.PROJECT_STAGE: project_stages,
    K.MILESTONE_DUE: milestones_due,
    K.DECISION_DUE: decisions_due,
}


def due(today: datetime.date) -> Iterator[Obligation]:
    for source in SOURCES.values():
        yield from source(today)
