"""The exit procedure of a village (出列) or a county (摘帽), and recording an indicator.

Each step is one function call in one transaction with the area row locked: the actor's
permission and reach, the step's order, its evidence; then an ExitStep row. The proposal checks
the standard (exits.selectors.evaluate): every indicator met, or an override by someone allowed
to give one, with the reason and the indicators short of it kept. The review must come from the
level above the area (a township for its village, a city for its county), the approval from the
level above that (the county, the province). The announcement, after at least seven days of
publicity, sets the area's actual exit year: the statistics count the village from then.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from poverty.common.areacodes import ancestor_codes
from poverty.common.scoping import Reach, in_scope, user_area_codes
from villages.models import Area

from .choices import LEVEL_OF_AREA, ORDER, ExitLevel, Step
from .models import ExitStep, Reading
from .selectors import evaluate

ADD_PERMISSION = "exits.add_exitstep"
OVERRIDE_PERMISSION = "exits.override_standard"
PUBLICITY_MIN_DAYS = 7


def status_of(area: Area, year: int) -> str | None:
    """The last step taken for `area`'s exit in `year` (None before any)."""
    last = ExitStep.objects.filter(area=area, year=year).order_by("-taken_at", "-pk").first()
    return last.step if last else None


def next_step(area: Area, year: int) -> str | None:
    """The step that comes next (None once announced, or for an area that is not poor)."""
    if LEVEL_OF_AREA.get(area.level) is None or not area.is_poor:
        return None
    done = status_of(area, year)
    if done is None:
        return None if area.actual_exit_year else Step.PROPOSE
    at = ORDER.index(done)
    return ORDER[at + 1] if at + 1 < len(ORDER) else None


def _reaches(by, code: str) -> bool:
    """Whether the user's own areas hold the area with this code (a user of that area or above)."""
    return by.is_superuser or Reach.under(user_area_codes(by)).admits(code)


def _level_above(area: Area, steps: int) -> str:
    """The code of the area `steps` levels above (a village's township is 1, its county 2)."""
    return ancestor_codes(area.code)[-steps]


@transaction.atomic
def exit_step(
    *,
    area: Area,
    year: int,
    step: str,
    by,
    note: str = "",
    evidence=None,
    override_reason: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    place: str = "",
    today: datetime.date | None = None,
) -> ExitStep:
    today = today or timezone.localdate()
    if not by.has_perm(ADD_PERMISSION):
        raise ValidationError("您没有办理出列摘帽程序的权限。")
    area = Area.objects.select_for_update().get(pk=area.pk)
    record = ExitStep(area=area, year=year, step=step, taken_by=by, note=note.strip())
    if not in_scope(record, by, "add"):
        raise ValidationError("该地区不在您的管辖范围内。")
    wanted = next_step(area, year)
    if wanted != step:
        label = Step(step).label
        if wanted is None:
            raise ValidationError(f"不能{label}：{area.name}不是待退出的贫困村（县），或已办结。")
        raise ValidationError(f"不能{label}：下一步应为“{Step(wanted).label}”。")
    if step == Step.PROPOSE:
        problems = evaluate(area, year).problems
        override_reason = override_reason.strip()
        if problems and not override_reason:
            raise ValidationError(["退出指标未全部达到：", *problems])
        if problems and not by.has_perm(OVERRIDE_PERMISSION):
            raise ValidationError(["退出指标未全部达到，您没有批准例外申请的权限：", *problems])
        if problems:
            record.override_reason = f"{override_reason}\n（未达标项：{' '.join(problems)}）"
    elif step in (Step.REVIEW, Step.APPROVE):
        above = _level_above(area, 1 if step == Step.REVIEW else 2)
        if not _reaches(by, above):
            who = "上一级（乡镇或市）" if step == Step.REVIEW else "上两级（县或省）"
            raise ValidationError(f"{Step(step).label}须由{who}办理。")
        if not record.note:
            raise ValidationError("请填写意见。")
    elif step == Step.PUBLICISE:
        if not (start and end and place.strip()):
            raise ValidationError("请填写公示起止日期和地点。")
        if (end - start).days + 1 < PUBLICITY_MIN_DAYS:
            raise ValidationError(f"公示期不少于{PUBLICITY_MIN_DAYS}天。")
        record.publicity_start, record.publicity_end = start, end
        record.publicity_place = place.strip()
    elif step == Step.ANNOUNCE:
        publicity = ExitStep.objects.filter(area=area, year=year, step=Step.PUBLICISE).latest(
            "taken_at", "pk"
        )
        if publicity.publicity_end and today <= publicity.publicity_end:
            raise ValidationError(
                f"公示期至{publicity.publicity_end:%Y-%m-%d}结束，期满后才能公告退出。"
            )
    if evidence:
        record.evidence = evidence
    record.full_clean()
    record.save()
    if step == Step.ANNOUNCE:
        area.actual_exit_year = year
        label = ExitLevel(LEVEL_OF_AREA[area.level]).label
        area._change_reason = f"{year}年{label}公告"  # type: ignore[attr-defined]
        area._history_user = by
        area.save(update_fields=["actual_exit_year"])
    return record


@transaction.atomic
def reading_record(*, reading: Reading, by) -> Reading:
    """A new reading of an indicator (the form's unsaved row), checked and kept with who."""
    if not by.has_perm("exits.add_reading"):
        raise ValidationError("您没有记录退出指标的权限。")
    if not in_scope(reading, by, "add"):
        raise ValidationError("该地区不在您的管辖范围内。")
    reading.recorded_by = by
    reading.full_clean()
    reading.save()
    return reading
