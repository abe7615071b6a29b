"""Whether a village may 出列 or a county 摘帽 in a year: its standard's indicators, each met,
not met or unknown (households.readiness.State: missing data is never met), with the figure or
reading it rests on. The one home of the rule: the area's page, the procedure's check
(exits.services) and the dashboard's tiles all call `evaluate` / `evaluate_many`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from households.readiness import State
from poverty.common.areacodes import ancestor_codes
from poverty.dashboard.stats import exit_statistics
from villages.models import Area

from .choices import LEVEL_OF_AREA, ItemKind
from .models import Item, Reading, Standard
from .rehearsal import latest_results


@dataclass
class Line:
    item: Item
    state: int
    shown: str = ""  # the figure or the reading
    source: str = ""  # what it rests on
    reading: Reading | None = None

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def css(self) -> str:
        return {State.MET: "success", State.NOT_MET: "danger"}.get(State(self.state), "warning")


@dataclass
class Evaluation:
    area: Area
    year: int
    standard: Standard | None
    lines: list[Line] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return self.standard is not None and all(line.state == State.MET for line in self.lines)

    @property
    def holding_back(self) -> list[str]:
        """The indicators not met or unknown, by name ("卫生室与村医"), or that no standard
        is set."""
        if self.standard is None:
            return ["未制定退出标准"]
        return [
            line.item.name + ("（待核实）" if line.state == State.UNKNOWN else "")
            for line in self.lines
            if line.state != State.MET
        ]

    @property
    def problems(self) -> list[str]:
        if self.standard is None:
            return [f"尚未制定{self.year}年适用于{self.area.name}的退出标准。"]
        return [
            f"{line.item.name}（{line.item.rule_text}）{line.state_label}"
            + (f"：{line.shown}" if line.shown else "")
            + "。"
            for line in self.lines
            if line.state != State.MET
        ]


def standards_for(areas: Iterable[Area], year: int) -> dict[int, Standard | None]:
    """Each area's standard for `year`: the nearest of its own county's and its province's."""
    areas = list(areas)
    above = {code for a in areas for code in ancestor_codes(a.code)}
    found: dict[tuple[str, str | None], Standard] = {
        (s.area.code, s.level): s
        for s in Standard.objects.filter(year=year, area__code__in=above)
        .select_related("area")
        .prefetch_related("items")
    }
    result: dict[int, Standard | None] = {}
    for area in areas:
        level = LEVEL_OF_AREA.get(area.level)
        # Nearest first: ancestor_codes lists the province first.
        candidates = [found.get((code, level)) for code in reversed(ancestor_codes(area.code))]
        result[area.pk] = next((s for s in candidates if s is not None), None)
    return result


def default_year(area: Area, today_year: int) -> int:
    """The year an area's exit page opens at: the year it went out; else its planned year, or,
    once that has passed, the latest year up to now with a standard for it."""
    if area.actual_exit_year:
        return area.actual_exit_year
    planned = area.planned_exit_year or today_year
    if planned >= today_year:
        return planned
    latest = (
        Standard.objects.filter(
            level=LEVEL_OF_AREA.get(area.level),
            year__gte=planned,
            year__lte=today_year,
            area__code__in=ancestor_codes(area.code),
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return latest or planned


def latest_readings(areas: Iterable[Area], items: Iterable[Item]) -> dict[tuple[int, int], Reading]:
    """The latest reading of each (area, item)."""
    latest: dict[tuple[int, int], Reading] = {}
    for r in (
        Reading.objects.filter(area__in=list(areas), item__in=list(items))
        .select_related("recorded_by")
        .order_by("recorded_at", "pk")
    ):
        latest[(r.area_id, r.item_id)] = r
    return latest


def _rate_line(item: Item, rate: float | None) -> Line:
    if rate is None:
        return Line(item, State.UNKNOWN, "", "未登记农业户籍人口，无法计算")
    exact = Decimal(str(rate * 100))  # judged exactly; shown to two places
    threshold = item.threshold if item.threshold is not None else Decimal(0)
    state = State.MET if exact < threshold else State.NOT_MET
    shown = f"{exact.quantize(Decimal('0.01'))}%"
    return Line(item, state, shown, "建档立卡：剩余贫困人口 ÷ 农业户籍人口（年末）")


# 三率一度 from the county's latest completed rehearsal: the item's kind → the rate kept.
REHEARSED = {
    ItemKind.WRONG_EXIT_RATE: "wrong_exit",
    ItemKind.MISSED_RATE: "missed",
    ItemKind.SATISFACTION: "satisfaction",
}


def _rehearsed_line(item: Item, found: dict | None) -> Line:
    rate = (found or {}).get(REHEARSED[ItemKind(item.kind)], {})
    if rate.get("value") is None:
        return Line(item, State.UNKNOWN, "", "尚无完成的第三方评估预评估")
    exact = Decimal(str(rate["value"] * 100))  # judged exactly; shown to two places
    threshold = item.threshold if item.threshold is not None else Decimal(0)
    met = exact >= threshold if item.kind == ItemKind.SATISFACTION else exact < threshold
    source = f"预评估：{rate['numerator']}/{rate['denominator']}"
    shown = f"{exact.quantize(Decimal('0.01'))}%"
    return Line(item, State.MET if met else State.NOT_MET, shown, source)


def _reading_line(item: Item, reading: Reading | None) -> Line:
    if reading is None or (item.kind != ItemKind.YES and reading.value is None):
        return Line(item, State.UNKNOWN, "", "尚无记录")
    by = reading.recorded_by.display_name if reading.recorded_by else ""
    source = f"{reading.recorded_at:%Y-%m-%d} {by}记录".strip()
    if item.kind == ItemKind.YES:
        state = State.MET if reading.met else State.NOT_MET
    else:
        value, threshold = reading.value or Decimal(0), item.threshold or Decimal(0)
        met = value >= threshold if item.kind == ItemKind.AT_LEAST else value < threshold
        state = State.MET if met else State.NOT_MET
    return Line(item, state, reading.shown, source, reading)


def _items(standard: Standard | None) -> list[Item]:
    return list(standard.items.all()) if standard is not None else []


def evaluate_many(
    areas: Iterable[Area], year: int, rates: dict[str, float | None]
) -> dict[int, Evaluation]:
    """Each area's evaluation; `rates` holds each area's incidence rate by code, as the exit
    statistics give it (exit_statistics(...)["incidence_rate"], a fraction)."""
    areas = list(areas)
    standards = standards_for(areas, year)
    items = [i for s in {s for s in standards.values() if s} for i in s.items.all()]
    readings = latest_readings(areas, items)
    # 三率一度 only where the standard asks for them (a county's): one query per county.
    rehearsed = {
        a.pk: latest_results(a, year)
        for a in areas
        if any(i.kind in REHEARSED for i in _items(standards[a.pk]))
    }
    result = {}
    for area in areas:
        standard = standards[area.pk]
        evaluation = Evaluation(area, year, standard)
        for item in standard.items.all() if standard else ():
            if item.kind == ItemKind.POVERTY_RATE:
                evaluation.lines.append(_rate_line(item, rates.get(area.code)))
            elif item.kind in REHEARSED:
                evaluation.lines.append(_rehearsed_line(item, rehearsed.get(area.pk)))
            else:
                evaluation.lines.append(_reading_line(item, readings.get((area.pk, item.pk))))
        result[area.pk] = evaluation
    return result


def evaluate(area: Area, year: int) -> Evaluation:
    """One village's 出列 or one county's 摘帽 standard of `year`, indicator by indicator."""
    rate = exit_statistics(area, year, children=[])["incidence_rate"]
    return evaluate_many([area], year, {area.code: rate})[area.pk]


def holding_back(
    areas: Iterable[Area], year: int, rates: dict[str, float | None]
) -> dict[str, str]:
    """For the dashboard's tiles: each poor village or county not yet out by `year` whose
    standard is set and not all met, by code → the indicators that hold it back."""
    waiting = [
        a
        for a in areas
        if a.is_poor
        and LEVEL_OF_AREA.get(a.level)
        and not (a.actual_exit_year and a.actual_exit_year <= year)
    ]
    return {
        e.area.code: "、".join(e.holding_back)
        for e in evaluate_many(waiting, year, rates).values()
        if e.standard is not None and not e.met
    }
