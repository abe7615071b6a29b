"""What the monthly notices name of this app (inspections.notices.EXTRA_SOURCES): the key
tasks and milestones past their dates and the decisions past their deadlines, as things stood
at the notice's cutoff, each with the leader or person who answers for it and their unit."""

from __future__ import annotations

import datetime

from inspections.notices import Listed
from villages.models import Area

from .models import Decision, KeyTask, Milestone


def _of_task(task: KeyTask, section: str, title: str, due: datetime.date, cutoff) -> Listed:
    """A task's or a milestone's line: its 组长 answers, its lead unit is named."""
    return Listed(
        section=section,
        title=title,
        owner=task.lead.name,
        unit_id=task.lead_unit_id,
        unit=task.lead_unit.name,
        code=task.area.code,
        due=due.isoformat(),
        days_overdue=(cutoff - due).days,
        link=task.get_absolute_url(),
    )


def overdue_at(county: Area, cutoff: datetime.date) -> list[Listed]:
    tasks = (
        KeyTask.objects.under([county.code])
        .overdue_on(cutoff)
        .select_related("area", "lead", "lead_unit")
        .order_by("deadline", "pk")
    )
    found = [
        _of_task(task, "重点工作", f"{task.title}（{task.area.name}）", task.deadline, cutoff)
        for task in tasks
    ]
    milestones = (
        Milestone.objects.under([county.code])
        .overdue_on(cutoff)
        .select_related("task__area", "task__lead", "task__lead_unit")
        .order_by("planned", "pk")
    )
    found += [
        _of_task(m.task, "重点工作节点", f"{m.task.title}：{m.title}", m.planned, cutoff)
        for m in milestones
    ]
    for decision in (
        Decision.objects.under([county.code])
        .overdue_on(cutoff)
        .select_related("area", "owner__unit", "owner_unit", "meeting")
        .order_by("deadline", "pk")
    ):
        unit = decision.owner_unit or decision.owner.unit
        found.append(
            Listed(
                section="交办事项",
                title=f"{decision.text}（{decision.meeting.held_on:%m月%d日}调度会交办）",
                owner=decision.owner.name,
                unit_id=unit.pk,
                unit=unit.name,
                code=decision.area.code,
                due=decision.deadline.isoformat(),
                days_overdue=(cutoff - decision.deadline).days,
                link=decision.get_absolute_url(),
            )
        )
    return found
