"""Reads of the 挂图作战 dashboard beyond the exit statistics: how far each child area is behind
its deadlines, households by cause and by measure, and the village battle map. Each is one
grouped query whatever the size of the area."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from households.choices import Cause, HouseholdStatus, MeasureType
from households.models import AssistanceMeasure, Household
from poverty.common.areacodes import prefix_of
from projects.choices import PROGRESS_CHOICES
from villages.choices import AreaLevel
from villages.models import Area

# A child area is "exited" with nobody left, "behind" with households past their deadline.
EXITED, ON_TRACK, BEHIND = "exited", "on_track", "behind"
STATE_LABELS = {EXITED: "已全部脱贫", ON_TRACK: "按计划推进", BEHIND: "有超期未脱贫户"}


# The measures that answer each cause (精准施策: 因病→健康扶贫 …); causes not listed are left out.
CAUSE_MEASURES = {
    Cause.ILLNESS: (MeasureType.HEALTH,),
    Cause.DISABILITY: (MeasureType.HEALTH, MeasureType.SOCIAL_SECURITY),
    Cause.SCHOOLING: (MeasureType.EDUCATION,),
    Cause.DISASTER: (MeasureType.HOUSING, MeasureType.RELOCATION),
    Cause.NO_LAND: (MeasureType.INDUSTRY, MeasureType.EMPLOYMENT, MeasureType.RELOCATION),
    Cause.NO_WATER: (MeasureType.INFRASTRUCTURE, MeasureType.RELOCATION),
    Cause.NO_SKILLS: (MeasureType.TRAINING, MeasureType.EMPLOYMENT),
    Cause.NO_LABOUR: (MeasureType.SOCIAL_SECURITY, MeasureType.WELFARE_JOB),
    Cause.NO_CAPITAL: (MeasureType.MICROCREDIT, MeasureType.INDUSTRY),
    Cause.POOR_TRANSPORT: (MeasureType.INFRASTRUCTURE, MeasureType.RELOCATION),
}


def _still_poor(year: int) -> Q:
    return Q(identified_year__lte=year) & ~Q(status=HouseholdStatus.EXITED, exit_year__lte=year)


def village_codes(area: Area) -> dict[int, str]:
    """The villages under an area, id → code: every household read below goes by these ids
    (PostgreSQL then walks the village index instead of joining the areas)."""
    return dict(
        Area.objects.filter(
            code__startswith=prefix_of(area.code), level=AreaLevel.VILLAGE
        ).values_list("pk", "code")
    )


def _households(villages: dict[int, str]):
    return Household.objects.filter(village_id__in=list(villages)).order_by()


def overdue_by_child(villages: dict[int, str], year: int, digits: int) -> Counter:
    """Households past their 脱贫时限 (planned before `year`) and still poor, per child prefix."""
    rows = (
        _households(villages)
        .filter(planned_exit_year__lt=year)
        .filter(_still_poor(year))
        .values("village_id")
        .annotate(n=Count("pk"))
    )
    counts: Counter = Counter()
    for row in rows:
        counts[villages[row["village_id"]][:digits]] += row["n"]
    return counts


def state_of(remaining: int, overdue: int) -> str:
    if remaining == 0:
        return EXITED
    return BEHIND if overdue else ON_TRACK


def by_cause(villages: dict[int, str], year: int) -> list[dict]:
    """Per primary cause (two grouped queries): registered, still poor at year end, still poor
    with no measure at all, and still poor with none of the measures that answer the cause
    (CAUSE_MEASURES; None for causes without such a list)."""
    measures = AssistanceMeasure.objects.filter(household=OuterRef("pk"))
    unanswered = Q(pk__in=[])
    for cause, types in CAUSE_MEASURES.items():
        unanswered |= Q(primary_cause=cause) & ~Q(Exists(measures.filter(measure_type__in=types)))
    poor = _still_poor(year)
    rows = (
        _households(villages)
        .filter(identified_year__lte=year)
        .values("primary_cause")
        .annotate(n=Count("pk"), poor=Count("pk", filter=poor))
    )
    # The measure checks only over the households still poor (a fifth or less of the rows).
    gaps = {
        r["primary_cause"]: r
        for r in _households(villages)
        .filter(poor)
        .values("primary_cause")
        .annotate(
            no_measure=Count("pk", filter=~Q(Exists(measures))),
            gap=Count("pk", filter=unanswered),
        )
    }
    found = {r["primary_cause"]: r for r in rows}
    for code, row in found.items():
        row.update(gaps.get(code, {"no_measure": 0, "gap": 0}))
    return [
        {
            "label": label,
            "n": found[code]["n"],
            "poor": found[code]["poor"],
            "no_measure": found[code]["no_measure"],
            "gap": found[code]["gap"] if code in CAUSE_MEASURES else None,
            "answers": "、".join(MeasureType(m).label for m in CAUSE_MEASURES.get(code, ())),
        }
        for code, label in Cause.choices
        if code in found
    ]


def by_measure(villages: dict[int, str]) -> list[tuple[str, int]]:
    """(measure type, households with such a measure) under the area."""
    rows = (
        AssistanceMeasure.objects.filter(household__village_id__in=list(villages))
        .order_by()
        .values("measure_type")
        .annotate(n=Count("household", distinct=True))
    )
    found = {r["measure_type"]: r["n"] for r in rows}
    return [(label, found[code]) for code, label in MeasureType.choices if code in found]


def battle_map(village: Area, year: int):
    """Every household of a village with its causes, measures, paired cadre and deadline."""
    return (
        Household.objects.filter(village=village)
        .with_summary()
        .prefetch_related(
            # A list attribute, not .measures.all(): no queryset clone per row when rendering.
            Prefetch(
                "measures",
                queryset=AssistanceMeasure.objects.order_by("start_date", "pk"),
                to_attr="measure_list",
            )
        )
        .order_by("status", "planned_exit_year", "code")
    )


def exits_by_year(villages: dict[int, str]) -> list[tuple[int, int, int]]:
    """(year, households planned to exit that year, households that did) — the deadline line —
    from one grouped pass."""
    rows = (
        _households(villages)
        .values("planned_exit_year", "exit_year", "status")
        .annotate(n=Count("pk"))
    )
    planned: Counter = Counter()
    done: Counter = Counter()
    for row in rows:
        planned[row["planned_exit_year"]] += row["n"]
        if row["status"] == HouseholdStatus.EXITED and row["exit_year"]:
            done[row["exit_year"]] += row["n"]
    return [(y, planned[y], done[y]) for y in sorted(set(planned) | set(done))]


def findings_by_unit(findings, area: Area) -> list[dict]:
    """Open and overdue findings per responsible unit, from the findings the user may see."""
    mine = findings.filter(area__code__startswith=prefix_of(area.code)).unclosed()
    return list(
        mine.order_by()
        .values("unit__name")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(pk__in=mine.overdue().values("pk"))),
        )
        .order_by("-overdue", "-open", "unit__name")
    )


def projects_by_stage(projects, area: Area) -> list[dict]:
    """Projects managed in the area per stage, with how many are behind plan."""
    mine = projects.filter(area__code__startswith=prefix_of(area.code))
    rows = {
        r["stage"]: r
        for r in mine.order_by()
        .values("stage")
        .annotate(n=Count("pk"), behind=Count("pk", filter=Q(pk__in=mine.overdue().values("pk"))))
    }
    return [
        {"label": label, "n": rows[stage]["n"], "behind": rows[stage]["behind"]}
        for stage, label in PROGRESS_CHOICES
        if stage in rows
    ]
