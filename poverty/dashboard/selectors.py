"""Reads of the 挂图作战 dashboard beyond the exit statistics: how far each child area is behind
its deadlines, households by cause and by measure, the deadline line, findings, projects and
funds, and the village battle map. The counts come from the village tallies (models.py), one
grouped query each whatever the size of the area; the battle map reads the village's households.

Scoping: the view finds the area through Area.objects.restrict(user), so the user may see it,
and under prefix scoping (poverty.common.scoping) every row under an area the user may see is
one the user may see; the view checks the model permissions. The sums then filter by the area's
code prefix alone, in SQL (poverty.common.sql), without building each query through the ORM.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db.models import Count
from django.utils import timezone

from households import readiness
from households.choices import CAUSE_MEASURES, ENDING_WINDOWS, Cause, HouseholdStatus, MeasureType
from households.models import (
    AssistanceMeasure,
    AssistanceMeasureQuerySet,
    Household,
    HouseholdPairing,
)
from households.periods import counted, of_household, overdue
from inspections.choices import Status as FindingStatus
from inspections.models import Finding
from poverty.common.sql import among, as_datetime, as_decimal, fetch, under
from poverty.personal.masking import shown_as
from projects.choices import PROGRESS_CHOICES
from projects.models import FundEntry, Project
from projects.selectors import totals_of
from villages.choices import AreaLevel, PostingRole
from villages.models import Area, LeaderPairing, UnitPairing, VillagePosting

from .models import MeasureTally, VillageTally

# A child area is "exited" with nobody left, "behind" with households past their deadline.
EXITED, ON_TRACK, BEHIND = "exited", "on_track", "behind"
STATE_LABELS = {EXITED: "已全部脱贫", ON_TRACK: "按计划推进", BEHIND: "有超期未脱贫户"}


def _sum_tallies(model, columns: str, villages, where: str = "", params=(), group: str = ""):
    """`SELECT {group}, {columns}` over the tallies of these villages, grouped by `group`:
    plain SQL with the village ids as one parameter (poverty.common.sql), because building the
    query through the ORM cost more than running it."""
    condition, ids = among("village_id", villages)
    return fetch(
        f"SELECT {group}, {columns} FROM {model._meta.db_table} "  # noqa: S608
        f"WHERE {condition}{where} GROUP BY {group} ORDER BY {group}",
        [ids, *params],
    )


def state_of(remaining: int, overdue: int) -> str:
    if remaining == 0:
        return EXITED
    return BEHIND if overdue else ON_TRACK


def shade_of(overdue: int, worst: int) -> int:
    """How deep a behind tile's red is, by its households past their deadline against `worst`,
    the most any sibling has: 3 for the sibling(s) with the most, so the reddest tile on a
    projector is the one most behind; 2 for at least half of that; 1 for fewer; 0 for none."""
    if not overdue or not worst:
        return 0
    return 1 + min(2, 2 * overdue // worst)


def by_cause(villages: dict[int, str], year: int) -> list[dict]:
    """Per primary cause: registered, still poor at year end, still poor with no measure at all,
    and still poor with none of the measures that answer the cause (CAUSE_MEASURES; None for
    causes without such a list)."""
    found = {
        cause: {"n": n, "poor": poor, "no_measure": no_measure, "gap": gap}
        for cause, n, poor, no_measure, gap in _sum_tallies(
            VillageTally,
            "SUM(registered_households), "
            "SUM(registered_households - exited_cumulative_households), "
            "SUM(unmeasured_households), SUM(unanswered_households)",
            villages,
            " AND year = %s",
            [year],
            group="cause",
        )
        if n
    }
    return [
        {
            "label": label,
            "n": found[code]["n"],
            "poor": found[code]["poor"],
            "no_measure": found[code]["no_measure"],
            "gap": found[code]["gap"] if code in CAUSE_MEASURES else None,
            "answers": "、".join(
                label for kind, label in MeasureType.choices if kind in CAUSE_MEASURES.get(code, ())
            ),
        }
        for code, label in Cause.choices
        if code in found
    ]


def by_measure(villages: dict[int, str]) -> list[tuple[str, int]]:
    """(measure type, households with such a measure) under the area."""
    found = dict(_sum_tallies(MeasureTally, "SUM(households)", villages, group="measure_type"))
    return [(label, found[code]) for code, label in MeasureType.choices if code in found]


def measures_ending(area: Area, today: date) -> dict[str, int]:
    """Measures under the area still planned or under way that end within each of
    ENDING_WINDOWS days ("30", "60", "90") and that have ended already ("ended"), by the rules
    the measure list's 到期 filter and the work page apply (AssistanceMeasureQuerySet's
    conditions), in one query."""
    rules = AssistanceMeasureQuerySet
    windows = {
        str(days): Count("pk", filter=rules.ending_within_condition(days, today))
        for days in ENDING_WINDOWS
    }
    # Narrowed first to what any of them can count, for the index on the end date.
    return (
        AssistanceMeasure.objects.under([area.code])
        .running()
        .filter(end_date__lte=today + timedelta(max(ENDING_WINDOWS)))
        .aggregate(**windows, ended=Count("pk", filter=rules.ended_but_running_condition(today)))
    )


def battle_map(village: Area, year: int, household_url: str, user) -> list[dict]:
    """Every household of a village with its causes, measures, paired cadre (unit, phone) and
    deadline; those past their deadline in `year` first. Plain rows with their labels looked up
    here (three queries), so a village of 300 households renders in a few milliseconds.
    `household_url` is a household's drill-down URL with `{pk}` in it; phones are shown as
    `user` may see them."""
    criteria = [c.field for c in readiness.CRITERIA]
    households = cast(list[dict[str, Any]], list(
        readiness.annotate(Household.objects.filter(village=village).with_head())
        .annotate(
            behind=of_household(overdue(year)),
            out=of_household(counted(year)["exited_cumulative"]),
        )
        .order_by("-behind", "out", "planned_exit_year", "code")
        .values(
            "pk", "code", "head_name", "persons", "primary_cause", "other_causes",
            "planned_exit_year", "status", "behind", "out", *criteria,
        )
    ))  # fmt: skip
    measures: dict[int, list[str]] = {}
    for household, kind in (
        AssistanceMeasure.objects.live()
        .filter(household__village=village)
        .order_by("start_date", "pk")
        .values_list("household_id", "measure_type")
    ):
        seen = measures.setdefault(household, [])
        if kind not in seen:
            seen.append(kind)
    cadres = {
        household: (name, unit, phone)
        for household, name, unit, phone in HouseholdPairing.objects.active()
        .filter(household__village=village)
        .order_by("start_date", "pk")  # the latest pairing wins
        .values_list("household_id", "cadre__name", "cadre__unit__name", "cadre__phone")
    }
    causes, kinds, states = (
        dict(Cause.choices),
        dict(MeasureType.choices),
        dict(HouseholdStatus.choices),
    )
    phone_shown = shown_as("phone", user)
    for row in households:
        row["url"] = household_url.replace("{pk}", str(row["pk"]))
        row["causes"] = "、".join(
            causes.get(c, c) for c in [row["primary_cause"], *row["other_causes"].split(",")] if c
        )
        row["measures"] = "、".join(kinds.get(k, k) for k in measures.get(row["pk"], ()))
        row["cadre"], row["unit"], phone = cadres.get(row["pk"], ("", "", ""))
        row["phone"] = phone_shown(phone)
        row["state"] = states.get(row["status"], row["status"])
        # Whether it could exit now (its 脱贫时限's standard): for those not yet exited.
        exit_states = {name: row.pop(name) for name in criteria}
        row["ready"] = readiness.ready_of(exit_states) == readiness.MET
        row["readiness"] = (
            "" if row["status"] == HouseholdStatus.EXITED else readiness.short(exit_states)
        )
        row["css"] = "table-danger" if row["behind"] else "table-success" if row["out"] else ""
    return households


def responsible(area: Area, user) -> dict:
    """Who answers for an area: its 包联 leaders, and for a village its posted cadres (第一书记,
    驻村工作队, 包村干部) and paired units; as the user may see them."""
    today = timezone.localdate()
    people = {
        "leaders": list(
            LeaderPairing.objects.restrict(user)
            .active(today)
            .filter(area=area)
            .values("leader__name", "leader__position", "leader__unit__name", "leader__phone")
            .order_by("leader__name")
        )
    }
    if area.level == AreaLevel.VILLAGE:
        people["postings"] = [
            {**row, "role": PostingRole(row["role"]).label}
            for row in VillagePosting.objects.restrict(user)
            .active(today)
            .filter(village=area)
            .values("role", "cadre__name", "cadre__unit__name", "cadre__phone")
            .order_by("role", "cadre__name")
        ]
        people["units"] = list(
            UnitPairing.objects.restrict(user)
            .active(today)
            .filter(village=area)
            .order_by("unit__name")
            .values_list("unit__name", flat=True)
        )
    return people


def leaders_by_area(areas: list[Area], today: date) -> dict[str, str]:
    """The 包联 leaders paired with these areas on `today` ("张三、李四"), by area code, for the
    tiles (LeaderPairing.objects.active(), in SQL)."""
    codes = {a.pk: a.code for a in areas}
    condition, ids = among("p.area_id", codes)
    names: dict[str, list[str]] = {}
    for area_id, name in fetch(
        "SELECT p.area_id, c.name FROM villages_leaderpairing p "  # noqa: S608
        "JOIN villages_cadre c ON c.id = p.leader_id "
        f"WHERE {condition} AND p.start_date <= %s AND (p.end_date IS NULL OR p.end_date >= %s) "
        "ORDER BY c.name",
        [ids, today, today],
    ):
        names.setdefault(codes[area_id], []).append(name)
    return {code: "、".join(people) for code, people in names.items()}


def exits_by_year(villages: dict[int, str]) -> tuple[list[tuple[int, int, int]], datetime | None]:
    """(year, households planned to exit that year, households that did) — the deadline line —
    and when the oldest of these tallies was counted (every village with households has rows
    here, all of its years counted at once)."""
    rows = _sum_tallies(
        VillageTally,
        "SUM(planned_households), SUM(exited_households), MIN(refreshed_at)",
        villages,
        " AND (planned_households > 0 OR exited_households > 0)",
        group="year",
    )
    stamps = [as_datetime(as_of) for *_, as_of in rows]
    return [(year, planned, done) for year, planned, done, _ in rows], min(
        (s for s in stamps if s is not None), default=None
    )


def findings_by_unit(area: Area, today: date) -> list[dict]:
    """Open and overdue findings per responsible unit under the area (FindingQuerySet.unclosed
    and overdue_condition, in SQL), those with the most overdue first."""
    joins, condition, params = under(Finding, "f", area.code)
    return [
        {"unit__name": unit, "open": n, "overdue": late}
        for unit, n, late in fetch(
            "SELECT u.name, COUNT(*), SUM(CASE WHEN f.deadline < %s THEN 1 ELSE 0 END) "  # noqa: S608
            f"FROM inspections_finding f {joins} "
            "JOIN villages_unit u ON u.id = f.unit_id "
            f"WHERE {condition} AND f.status <> %s "
            "GROUP BY u.name ORDER BY 3 DESC, 2 DESC, 1",
            [today, *params, FindingStatus.CLOSED],
        )
    ]


def projects_by_stage(area: Area, today: date) -> list[dict]:
    """Projects managed under the area per stage, with how many are behind plan (a stage past
    its planned date and not done: ProjectQuerySet.overdue_condition, in SQL)."""
    joins, condition, params = under(Project, "p", area.code)
    rows = {
        stage: (n, behind)
        for stage, n, behind in fetch(
            "SELECT p.stage, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM projects_projectstage s "  # noqa: S608
            "WHERE s.project_id = p.id AND s.actual_date IS NULL AND s.planned_date < %s) "
            "THEN 1 ELSE 0 END) "
            f"FROM projects_project p {joins} WHERE {condition} GROUP BY p.stage",
            [today, *params],
        )
    }
    return [
        {"label": label, "n": rows[stage][0], "behind": rows[stage][1]}
        for stage, label in PROGRESS_CHOICES
        if stage in rows
    ]


def funds(area: Area) -> dict:
    """Planned / allocated / disbursed funds of the projects managed under the area, with the
    rates (projects.selectors.totals_of)."""
    joins, condition, params = under(FundEntry, "e", area.code)
    places = FundEntry._meta.get_field("amount").decimal_places
    return totals_of(
        {
            kind: as_decimal(total, places)
            for kind, total in fetch(
                f"SELECT e.kind, SUM(e.amount) FROM projects_fundentry e {joins} "  # noqa: S608
                f"WHERE {condition} GROUP BY e.kind",
                params,
            )
        }
    )
