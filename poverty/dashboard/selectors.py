"""Reads of the 挂图作战 dashboard beyond the exit statistics: how far each child area is behind
its deadlines, households by cause and by measure, and the village battle map. Each is one
grouped query whatever the size of the area."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Prefetch, Q

from households.choices import Cause, HouseholdStatus, MeasureType
from households.models import AssistanceMeasure, Household
from poverty.common.areacodes import prefix_of
from villages.choices import AreaLevel
from villages.models import Area

# A child area is "exited" with nobody left, "behind" with households past their deadline.
EXITED, ON_TRACK, BEHIND = "exited", "on_track", "behind"
STATE_LABELS = {EXITED: "已全部脱贫", ON_TRACK: "按计划推进", BEHIND: "有超期未脱贫户"}


def _still_poor(year: int) -> Q:
    return Q(identified_year__lte=year) & ~Q(status=HouseholdStatus.EXITED, exit_year__lte=year)


def overdue_by_child(area: Area, year: int, digits: int) -> Counter:
    """Households past their 脱贫时限 (planned before `year`) and still poor, per child prefix."""
    villages = dict(
        Area.objects.filter(
            code__startswith=prefix_of(area.code), level=AreaLevel.VILLAGE
        ).values_list("pk", "code")
    )
    rows = (
        Household.objects.filter(village_id__in=list(villages), planned_exit_year__lt=year)
        .filter(_still_poor(year))
        .order_by()
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


def by_cause(area: Area, year: int) -> list[tuple[str, int, int]]:
    """(cause label, households registered, still poor at year end) by primary cause."""
    rows = (
        Household.objects.filter(
            village__code__startswith=prefix_of(area.code), identified_year__lte=year
        )
        .order_by()
        .values("primary_cause")
        .annotate(n=Count("pk"), poor=Count("pk", filter=_still_poor(year)))
    )
    found = {r["primary_cause"]: (r["n"], r["poor"]) for r in rows}
    return [(label, *found[code]) for code, label in Cause.choices if code in found]


def by_measure(area: Area) -> list[tuple[str, int]]:
    """(measure type, households with such a measure) under the area."""
    rows = (
        AssistanceMeasure.objects.filter(household__village__code__startswith=prefix_of(area.code))
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
            Prefetch("measures", queryset=AssistanceMeasure.objects.order_by("start_date", "pk"))
        )
        .order_by("status", "planned_exit_year", "code")
    )
