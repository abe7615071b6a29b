"""Exit statistics of an area and its child areas for a year (DESIGN §6), in a fixed number of
queries whatever the size of the area: the villages are read once, the households are counted
once grouped by village (persons from each household's kept member count), and the figures are
added up per child area by the village's code prefix.

Definitions (year Y, area A, everything under A by 区划代码 prefix):
- registered: households identified in or before Y, and their persons at the end of Y;
- exited: households that exited in Y and had not returned to poverty by its end;
  exited_cumulative: exited (in or before Y) at the end of Y;
- remaining: registered and not exited at the end of Y;
- rural_population: A's own 农业户籍人口, else the sum over its villages;
- incidence_rate: remaining persons / rural_population, a fraction;
- villages: 贫困村 under A; exited: exited in Y; remaining: not exited by the end of Y;
- targets: the persons / villages-to-exit targets of the pledges made for A in Y (summed);
- completion: exited in Y / target.

The figures are read from the village tallies (tallies.py), which count the households by these
same rules (`counted`), except for the villages changed since their tallies were counted, which
are counted live (`counted_per_village`): the API, the dashboard and pledge progress give the
figures as of the last committed change. Both ways read the households' periods
(households.periods): the facts that held at each year's end, so what a year's figures were
they stay, whatever happens later.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils import timezone

from households.models import HouseholdPeriod, RecountDue
from households.periods import counted, overdue
from inspections.choices import Metric
from poverty.common.areacodes import digits_of, prefix_of
from poverty.common.sql import among, fetch, under
from villages.choices import AreaLevel
from villages.models import Area

from .models import VillageTally

# The level below each level, for `children`.
CHILD_LEVEL = {
    AreaLevel.PROVINCE: AreaLevel.CITY,
    AreaLevel.CITY: AreaLevel.COUNTY,
    AreaLevel.COUNTY: AreaLevel.TOWNSHIP,
    AreaLevel.TOWNSHIP: AreaLevel.VILLAGE,
}
TARGET_METRICS = {Metric.PERSONS_EXITED: "persons", Metric.VILLAGES_EXITED: "villages"}
FIGURES = ("registered", "exited", "exited_cumulative")


@dataclass
class Figures:
    area: Area
    year: int
    households: dict = field(default_factory=lambda: defaultdict(int))
    persons: dict = field(default_factory=lambda: defaultdict(int))
    villages: dict = field(default_factory=lambda: defaultdict(int))
    rural_population: int | None = None
    targets: dict = field(default_factory=dict)
    children: list[Figures] = field(default_factory=list)

    def as_dict(self) -> dict:
        h, p, v = self.households, self.persons, self.villages
        remaining_persons = p["registered"] - p["exited_cumulative"]
        targets = {"persons": self.targets.get("persons"), "villages": self.targets.get("villages")}
        data = {
            "area": {"code": self.area.code, "name": self.area.name, "level": self.area.level},
            "year": self.year,
            "registered": {"households": h["registered"], "persons": p["registered"]},
            "exited": {"households": h["exited"], "persons": p["exited"]},
            "exited_cumulative": {
                "households": h["exited_cumulative"],
                "persons": p["exited_cumulative"],
            },
            "remaining": {
                "households": h["registered"] - h["exited_cumulative"],
                "persons": remaining_persons,
            },
            "rural_population": self.rural_population,
            "incidence_rate": (
                remaining_persons / self.rural_population if self.rural_population else None
            ),
            "villages": {
                "poor": v["poor"],
                "exited": v["exited"],
                "remaining": v["poor"] - v["exited_cumulative"],
            },
            "targets": targets,
            "completion": {
                "persons": p["exited"] / targets["persons"] if targets["persons"] else None,
                "villages": v["exited"] / targets["villages"] if targets["villages"] else None,
            },
        }
        return data


def _live_per_village(villages: list[int], year: int):
    """The households counted live from their periods, grouped by village (an integer key, no
    join to the areas); persons as each period kept them. The village ids as a list: PostgreSQL
    then reads the covering index (period_tally_idx) per village, about twice as fast as joining
    the areas."""
    aggregates = {"overdue": Count("pk", filter=overdue(year))}
    for key, rule in counted(year).items():
        aggregates[f"h_{key}"] = Count("pk", filter=rule)
        aggregates[f"p_{key}"] = Sum("persons", filter=rule)
    return (
        HouseholdPeriod.objects.filter(village_id__in=villages, from_year__lte=year)
        .order_by()
        .values("village_id")
        .annotate(**aggregates)
    )


# The per-village sums of the tallies: name in the rows → tally column.
TALLIED = {
    "overdue": "overdue_households",
    **{f"h_{key}": f"{key}_households" for key in FIGURES},
    **{f"p_{key}": f"{key}_persons" for key in FIGURES},
}


def tallied_per_village(villages: list[int], year: int) -> list[dict]:
    """The same rows from the village tallies, with each village's households past their
    deadline (`overdue`) for the dashboard's colours. In plain SQL (poverty.common.sql): a
    province's 3,000 village ids would cost the ORM more than the sum itself."""
    condition, ids = among("village_id", villages)
    sums = ", ".join(f"SUM({column})" for column in TALLIED.values())
    rows = fetch(
        f"SELECT village_id, {sums} FROM {VillageTally._meta.db_table} "  # noqa: S608
        f"WHERE year = %s AND {condition} GROUP BY village_id",
        [year, ids],
    )
    names = ("village_id", *TALLIED)
    return [dict(zip(names, row, strict=True)) for row in rows]


def counted_per_village(villages: list[int], year: int) -> list[dict]:
    """The per-village rows as they stand at the last committed change: from the tallies,
    except for the villages a change has marked since their tallies were counted
    (households.RecountDue), which are counted live, and a year after this one (the tallies
    reach the year after the last recount at least), counted live throughout. What the API and
    the dashboard read: one figure, whoever asks."""
    if year > timezone.localdate().year:
        return list(_live_per_village(villages, year))
    condition, ids = among("village_id", villages)
    due = {
        village
        for (village,) in fetch(
            f"SELECT DISTINCT village_id FROM {RecountDue._meta.db_table} "  # noqa: S608
            f"WHERE {condition}",
            [ids],
        )
    }
    rows = [row for row in tallied_per_village(villages, year) if row["village_id"] not in due]
    if due:
        rows.extend(_live_per_village(sorted(due), year))
    return rows


def village_rows(area: Area) -> dict[int, tuple]:
    """Every village under the area, id → (code, is_poor, actual_exit_year, rural_population):
    its own figures, and the code that maps its households to the child areas."""
    joins, condition, params = under(Area, "a", area.code)
    return {
        pk: (code, bool(is_poor), exit_year, population)
        for pk, code, is_poor, exit_year, population in fetch(
            "SELECT a.id, a.code, a.is_poor, a.actual_exit_year, a.rural_population "  # noqa: S608
            f"FROM villages_area a {joins} WHERE {condition} AND a.level = %s",
            [*params, AreaLevel.VILLAGE],
        )
    }


def exit_statistics(
    area: Area,
    year: int,
    *,
    villages: dict[int, tuple] | None = None,
    per_village=None,
    children: list[Area] | None = None,
) -> dict:
    """The DESIGN §6 figures of `area` in `year`, with the same figures for each child area.

    A caller that has read them already passes the area's `villages` (village_rows), the
    `per_village` rows (else the households are counted live) and the `children` (by code)."""
    child_level = CHILD_LEVEL.get(area.level)
    if children is None:
        children = list(area.children.order_by("code")) if child_level else []
    prefix = prefix_of(area.code)
    digits = digits_of(child_level) if child_level else len(prefix)

    villages = villages if villages is not None else village_rows(area)
    if per_village is None:
        per_village = counted_per_village(list(villages), year)
    households: dict[str, Counter] = defaultdict(Counter)
    persons: dict[str, Counter] = defaultdict(Counter)
    columns = [(key, f"h_{key}", f"p_{key}") for key in FIGURES]
    for row in per_village:
        code = villages[row["village_id"]][0][:digits]
        into_h, into_p = households[code], persons[code]
        for key, h, p in columns:
            into_h[key] += row[h] or 0
            into_p[key] += row[p] or 0
    village_figures: dict[str, Counter] = defaultdict(Counter)
    for code, is_poor, exit_year, population in villages.values():
        group = village_figures[code[:digits]]
        group["population"] += population or 0
        if is_poor:
            group["poor"] += 1
            group["exited"] += exit_year == year
            group["exited_cumulative"] += exit_year is not None and exit_year <= year

    # The pledges' targets for the area and each child (summed when there are several).
    targets: dict[int, dict] = defaultdict(dict)
    condition, ids = among("p.area_id", [area.pk, *(c.pk for c in children)])
    metrics = ", ".join(["%s"] * len(TARGET_METRICS))
    for area_id, metric, total in fetch(
        "SELECT p.area_id, t.metric, SUM(t.target) FROM inspections_pledgetarget t "  # noqa: S608
        "JOIN inspections_pledge p ON p.id = t.pledge_id "
        f"WHERE p.year = %s AND {condition} AND t.metric IN ({metrics}) "
        "GROUP BY p.area_id, t.metric",
        [year, ids, *TARGET_METRICS],
    ):
        targets[area_id][TARGET_METRICS[metric]] = int(total)

    def figures(node: Area, groups: list[str]) -> Figures:
        result = Figures(node, year, targets=targets.get(node.pk, {}))
        population = 0
        for group in groups:
            for source, into in ((households, result.households), (persons, result.persons)):
                for key, value in source.get(group, {}).items():
                    into[key] += value
            village_row = village_figures.get(group, {})
            for key in ("poor", "exited", "exited_cumulative"):
                result.villages[key] += village_row.get(key, 0)
            population += village_row.get("population", 0)
        result.rural_population = node.rural_population or population or None
        return result

    child_codes = {c.pk: c.code[:digits] for c in children}
    top = figures(area, list(households.keys() | village_figures.keys()))
    top.children = [figures(c, [child_codes[c.pk]]) for c in children]
    if children:
        # The area's own population, else its children's (each its own, else its villages').
        top.rural_population = area.rural_population or (
            sum(c.rural_population or 0 for c in top.children) or None
        )
    data = top.as_dict()
    data["children"] = [child.as_dict() for child in top.children]
    return data
