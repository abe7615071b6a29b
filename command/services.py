"""The workflow steps of key tasks and dispatch meetings; pages, the API and the demo call these.

Each step runs in one transaction with the rows it changes locked, and refuses (ValidationError,
in Chinese, naming what is wrong) rather than half-writing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from poverty.common.models import save_versioned

from .choices import DecisionStatus
from .models import Decision, DispatchMeeting, FollowUp, KeyTask, Milestone, ProgressReport


def _not_future(day: datetime.date, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(f"{what}不能晚于今天。")


@transaction.atomic
def report_progress(
    *,
    task: KeyTask,
    by,
    text: str,
    percent: int,
    milestone: Milestone | None = None,
    file=None,
    on: datetime.date | None = None,
) -> ProgressReport:
    """A progress report on a key task. Naming a milestone marks it done on the report's day;
    100 % marks the task done, and is refused while a milestone is still open."""
    on = on or timezone.localdate()
    _not_future(on, "报告日期")
    task = KeyTask.objects.select_for_update().get(pk=task.pk)
    if task.done_on:
        raise ValidationError(task.locked_reason())
    if not text.strip():
        raise ValidationError("请填写进展情况。")
    if not 0 <= percent <= 100:
        raise ValidationError("总体进度应在0到100之间。")
    if milestone is not None:
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if milestone.task_id != task.pk:
            raise ValidationError("所选节点不属于该项重点工作。")
        if milestone.done_on:
            raise ValidationError(f"节点“{milestone.title}”已于{milestone.done_on:%Y-%m-%d}完成。")
    report = ProgressReport(
        task=task,
        milestone=milestone,
        reported_on=on,
        text=text,
        percent=percent,
        recorded_by=by,
    )
    if file:
        report.file = file
    report.full_clean()
    report.save()
    if milestone is not None:
        milestone.done_on = on
        milestone._history_user = by
        milestone.save(update_fields=["done_on", "updated_at"])
    changes: dict = {"percent": percent}
    if percent == 100:
        still_open = task.milestones.open().order_by("planned")
        if still_open.exists():
            names = "、".join(m.title for m in still_open[:3])
            raise ValidationError(
                f"还有{still_open.count()}个节点未完成（{names}），进度不能填100%。"
            )
        changes["done_on"] = on
    save_versioned(task, by, **changes)
    return report


@transaction.atomic
def decision_done(
    *, decision: Decision, by, note: str, on: datetime.date | None = None
) -> Decision:
    """办结: the decision is done, with how, when and who confirmed it; locked from then on."""
    on = on or timezone.localdate()
    _not_future(on, "办结日期")
    decision = Decision.objects.select_for_update().select_related("meeting").get(pk=decision.pk)
    if decision.status != DecisionStatus.OPEN:
        raise ValidationError(decision.locked_reason())
    if not note.strip():
        raise ValidationError("请填写办结情况。")
    if on < decision.meeting.held_on:
        raise ValidationError("办结日期不能早于交办的会议日期。")
    save_versioned(decision, by, status=DecisionStatus.DONE, done_on=on, done_note=note, done_by=by)
    return decision


@transaction.atomic
def record_follow_ups(
    *, meeting: DispatchMeeting, by, notes: dict[int, tuple[str, bool]]
) -> list[FollowUp]:
    """What the meeting heard of the decisions its agenda carried forward: for each decision id,
    (what was said, whether it is now done). Done ones are 办结 on the meeting's day."""
    carried = {d.pk: d for d in Decision.objects.carried_to(meeting).select_for_update()}
    saved = []
    for decision_id, (note, done) in notes.items():
        decision = carried.get(decision_id)
        if decision is None:
            raise ValidationError("所列事项不是本次会议应跟进的前期交办事项。")
        note = note.strip()
        if not note and not done:
            continue
        if done and not note:
            raise ValidationError(f"“{decision}”标记办结时请填写落实情况。")
        follow_up, _ = FollowUp.objects.update_or_create(
            meeting=meeting, decision=decision, defaults={"note": note}
        )
        saved.append(follow_up)
        if done and decision.status == DecisionStatus.OPEN:
            decision_done(decision=decision, by=by, note=note, on=meeting.held_on)
    return saved
