"""The 挂图作战 dashboard: an area's figures and its child areas coloured by how they stand,
drilling down county → township → village → household; at village level the battle map of every
household. Scoped like every page: an area outside the user's is a 404."""

from __future__ import annotations

from collections import Counter
from functools import cache

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from command.selectors import key_task_panel
from exits.selectors import holding_back
from households import readiness
from households.models import Household, HouseholdPairing
from households.periods import of_household, overdue
from inspections.models import Finding
from poverty.common.areacodes import ancestor_codes, digits_of, is_valid_code, level_of
from poverty.common.figures import percent
from poverty.common.scoping import Reach
from poverty.common.text import escaped
from poverty.common.views import ObjectDetailView
from villages.choices import AreaLevel
from villages.models import YEAR_VALIDATORS, Area

from . import selectors
from .stats import CHILD_LEVEL, counted_per_village, exit_statistics, village_rows

FIRST_YEAR = YEAR_VALIDATORS[0].limit_value


# One battle-map row, filled by str.format rather than a template loop or format_html: with
# Django's escape() behind its lazy-string wrapper, 300 households took some 20 ms to render.
BATTLE_ROW = (
    '<tr class="{css}"><td><a href="{url}?year={year}">{code}</a></td><td>{head}</td>'
    '<td class="text-end">{persons}</td><td>{causes}</td><td>{measures}</td>'
    "<td>{cadre}{unit}</td><td>{phone}</td>"
    '<td data-sort="{planned}">{planned}年</td><td>{state}</td>'
    '<td class="small {ready_css}">{ready}</td></tr>'
)
UNIT = '<span class="text-muted small">（{}）</span>'
# A child area's tile and its row of the tiles' data table, the same way (a province has some
# 100 counties, a county 10–30 townships).
TILE = (
    '<a class="tile tile-{state}{shade} text-decoration-none" href="{url}?{query}" '
    'title="{label}">\n      <strong>{name}</strong><span>剩余{remaining}户{overdue}</span>'
    "{leaders}{held}</a>"
)
CHILD_ROW = (
    '<tr><td><a href="{url}?{query}">{name}</a></td><td class="text-end">{registered}</td>'
    '<td class="text-end">{exited}/{exited_persons}</td>'
    '<td class="text-end">{remaining}/{remaining_persons}</td>'
    '<td class="text-end">{overdue}</td><td class="text-end">{rate}</td>'
    '<td class="text-end">{villages}</td><td>{label}</td></tr>'
)
NONE_MARK = {
    "measures": mark_safe('<span class="text-danger">无</span>'),
    "cadre": mark_safe('<span class="text-danger">未结对</span>'),
}


def battle_rows(households: list[dict], year: int) -> SafeString:
    # Escaped: every text (typed by people, or labels); not the numbers and the row's class.
    return mark_safe(  # noqa: S308
        "\n".join(
            BATTLE_ROW.format(
                css=h["css"],
                url=escaped(h["url"]),
                year=year,
                code=escaped(h["code"]),
                head=escaped(h["head_name"] or ""),
                persons=h["persons"],
                causes=escaped(h["causes"]),
                measures=escaped(h["measures"] or NONE_MARK["measures"]),
                cadre=escaped(h["cadre"] or NONE_MARK["cadre"]),
                unit=UNIT.format(escaped(h["unit"])) if h["unit"] else "",
                phone=escaped(h["phone"]),
                planned=h["planned_exit_year"],
                state=escaped(h["state"]),
                ready=escaped(h["readiness"]),
                ready_css="text-success" if h["ready"] else "text-danger",
            )
            for h in households
        )
    )


def child_tiles(children: list[dict], query: str) -> tuple[SafeString, SafeString]:
    """The child areas' tiles, and the rows of their data table."""
    tiles, rows = [], []
    for c in children:
        common = {
            "url": escaped(c["url"]),
            "query": escaped(query),
            "name": escaped(c["area"]["name"]),
            "label": escaped(c["state_label"]),
        }
        tiles.append(
            TILE.format(
                state=c["state"],
                shade=f" shade-{c['shade']}" if c["shade"] else "",
                remaining=c["remaining"]["households"],
                overdue=f" · 超期{c['overdue']}户" if c["overdue"] else "",
                leaders=f'<span class="small">包联：{escaped(c["leaders"])}</span>'
                if c["leaders"]
                else "",
                held=f'<span class="small held">退出差：{escaped(c["held"])}</span>'
                if c.get("held")
                else "",
                **common,
            )
        )
        rows.append(
            CHILD_ROW.format(
                registered=c["registered"]["households"],
                exited=c["exited"]["households"],
                exited_persons=c["exited"]["persons"],
                remaining=c["remaining"]["households"],
                remaining_persons=c["remaining"]["persons"],
                overdue=c["overdue"],
                rate=percent(c["incidence_rate"]),
                villages=c["villages"]["remaining"],
                **common,
            )
        )
    return mark_safe("".join(tiles)), mark_safe("".join(rows))  # noqa: S308 (escaped above)


def data_rows(rows, texts: int = 1) -> SafeString:
    """The <tr>s of a chart's data table: the first `texts` cells as text, the rest numbers,
    right-aligned (str.format, as above: a template loop costs some 5 µs a cell)."""
    return mark_safe(  # noqa: S308 (escaped here)
        "".join(
            "<tr>"
            + "".join(f"<td>{escaped(v)}</td>" for v in row[:texts])
            + "".join(f'<td class="text-end">{escaped(v)}</td>' for v in row[texts:])
            + "</tr>"
            for row in rows
        )
    )


def year_options(years, chosen: int) -> SafeString:
    return mark_safe(  # noqa: S308 (numbers only)
        "".join(
            f'<option value="{y}"{" selected" if y == chosen else ""}>{y}年</option>' for y in years
        )
    )


@cache
def _area_url(prefix: str) -> str:
    return reverse("dashboard_area", args=["CODE"])


def area_url(code: str) -> str:
    """An area's dashboard address: reversed once per process (and script prefix) rather than
    once per tile and table row, at some 60 µs a reverse()."""
    return _area_url(get_script_prefix()).replace("CODE", code)


def links(areas) -> list[dict]:
    """The breadcrumb: each area's name and dashboard address."""
    return [{"name": a.name, "url": area_url(a.code)} for a in areas]


def _year(request) -> int:
    """The year asked for, within the registry's years (a bad value reads as this year)."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    return min(max(year, FIRST_YEAR), today.year)


@login_required
def dashboard(request, code: str | None = None):
    user = request.user
    if not user.has_perm("households.view_household"):
        raise PermissionDenied("您没有查看建档立卡数据的权限。")
    areas = Area.objects.restrict(user)
    if code is None:  # the user's own area (the first, if several)
        code = (
            min(user.scope_codes, default=None)
            or areas.order_by("code").values_list("code", flat=True).first()
        )
    if not code or not is_valid_code(code):
        raise Http404("找不到该地区，或不在您的管辖范围内。")
    # The area, the way up to it and its children in one read (children by code prefix, which
    # the code index answers; a join on the parent would scan every area).
    ancestors = ancestor_codes(code)
    wanted = Q(code__in=[*ancestors, code])
    if child_level := CHILD_LEVEL.get(level_of(code)):
        wanted |= Reach.under([code]).q(Area.scope_path) & Q(level=child_level)
    found = list(areas.filter(wanted).order_by("code"))
    area = next((a for a in found if a.code == code), None)
    if area is None:
        raise Http404("找不到该地区，或不在您的管辖范围内。")
    breadcrumb = links(a for a in found if a.code in ancestors)
    today = timezone.localdate()
    year = _year(request)
    screen = request.GET.get("screen") == "1"

    rows = village_rows(area)
    villages = {pk: row[0] for pk, row in rows.items()}  # id → code, for the selectors
    per_village = counted_per_village(list(villages), year)
    child_areas = [a for a in found if a.parent_id == area.pk] if child_level else []
    figures = exit_statistics(
        area,
        year,
        villages=rows,
        per_village=per_village,
        children=child_areas,
    )
    children = figures.pop("children")
    if child_level:
        digits = digits_of(child_level)
        overdue = Counter()
        for row in per_village:
            overdue[villages[row["village_id"]][:digits]] += row["overdue"] or 0
        leaders = (
            selectors.leaders_by_area(child_areas, today)
            if user.has_perm("villages.view_leaderpairing")
            else {}
        )
        worst = max(overdue.values(), default=0)
        held = (
            holding_back(
                child_areas, year, {c["area"]["code"]: c["incidence_rate"] for c in children}
            )
            if child_level in (AreaLevel.VILLAGE, AreaLevel.COUNTY)
            and user.has_perm("exits.view_exitstep")
            else {}
        )
        for child in children:
            child["held"] = held.get(child["area"]["code"], "")
            late = overdue[child["area"]["code"][:digits]]
            child["overdue"] = late
            child["shade"] = selectors.shade_of(late, worst)
            child["state"] = selectors.state_of(child["remaining"]["households"], late)
            child["state_label"] = selectors.STATE_LABELS[child["state"]]
            child["leaders"] = leaders.get(child["area"]["code"], "")
            child["url"] = area_url(child["area"]["code"])
    causes = selectors.by_cause(villages, year)
    exits, as_of = selectors.exits_by_year(villages)
    own_exit = (
        holding_back([area], year, {area.code: figures["incidence_rate"]})
        if user.has_perm("exits.view_exitstep")
        else {}
    )
    context = {
        "area": area,
        # What holds the area itself back from 出列 or 摘帽 (exits.selectors), if anything.
        "exit_held": own_exit.get(area.code, ""),
        "year": year,
        "years": range(today.year, FIRST_YEAR - 1, -1),
        "figures": figures,
        "as_of": as_of,
        "children": children,
        "child_label": AreaLevel(child_level).label if child_level else "",
        "breadcrumb": breadcrumb,
        "causes": causes,
        "measures": selectors.by_measure(villages),
        "ending": selectors.measures_ending(area, today)
        if user.has_perm("households.view_assistancemeasure")
        else None,
        "measure_list": f"{reverse('households:assistancemeasure_list')}?within={area.pk}",
        "exits": exits,
        "without_measures": sum(c["no_measure"] for c in causes),
        "gaps": [c for c in causes if c["gap"]],
        # Everything under the area is the user's to see (selectors), given the permission: a
        # village cadre sees no projects.
        "findings": selectors.findings_by_unit(area, today)
        if user.has_perm("inspections.view_finding")
        else None,
        "projects": selectors.projects_by_stage(area, today)
        if user.has_perm("projects.view_project")
        else None,
        "funds": selectors.funds(area) if user.has_perm("projects.view_project") else None,
        "key_tasks": key_task_panel(area, year, user, today)
        if user.has_perm("command.view_keytask") and area.level != AreaLevel.VILLAGE
        else None,
        "key_task_list": f"{reverse('command:keytask_list')}?within={area.pk}&year={year}",
        "screen": screen,
        # Drill-down links keep the year, and big-screen mode on a projector.
        "query": urlencode({"year": year, **({"screen": 1} if screen else {})}),
        "households": (
            selectors.battle_map(
                area,
                year,
                reverse("dashboard_household", args=[0]).replace("/0/", "/{pk}/"),
                user,
            )
            if area.level == AreaLevel.VILLAGE
            else None
        ),
        "responsible": (
            selectors.responsible(area, user)
            if area.level in (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
            else None
        ),
        "chart": {
            "children": [
                {
                    "name": c["area"]["name"],
                    "exited": c["exited_cumulative"]["households"],
                    "remaining": c["remaining"]["households"],
                    "state": c.get("state"),
                }
                for c in children
            ],
            "causes": [{"name": c["label"], "value": c["n"]} for c in causes],
            "exits": [{"year": y, "planned": p, "done": d} for y, p, d in exits],
        },
    }
    if context["households"] is not None:
        context["battle_rows"] = battle_rows(context["households"], year)
    context["tiles"], context["child_rows"] = child_tiles(children, context["query"])
    context["tables"] = {
        "years": year_options(context["years"], year),
        "causes": data_rows((c["label"], c["n"], c["poor"]) for c in causes),
        "measures": data_rows(context["measures"]),
        "exits": data_rows(exits),
    }
    return render(request, "dashboard/dashboard.html", context)


class HouseholdView(ObjectDetailView):
    """The last step of the drill-down: one household's 作战卡 — why it is poor, what is done,
    who answers for it, its deadline, its latest income, visits and open findings. Scoped like
    every detail page: a household outside the user's area is a 404."""

    model = Household
    template_name = "dashboard/household.html"

    def get_template_names(self) -> list[str]:
        return [self.template_name]

    def scoped_queryset(self, queryset):
        self.year = _year(self.request)
        return (
            super()
            .scoped_queryset(queryset)
            .with_head()
            .select_related("village")
            .annotate(behind=of_household(overdue(self.year)))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, household = self.request.user, self.object
        incomes = list(household.incomes.order_by("-year"))  # latest first, without a join
        findings = (
            Finding.objects.restrict(user).filter(household=household).unclosed()
            if user.has_perm("inspections.view_finding")
            else None
        )
        context.update(
            household=household,
            year=self.year,
            query=urlencode({"year": self.year}),
            breadcrumb=links(
                Area.objects.restrict(user)
                .filter(code__in=[*ancestor_codes(household.village.code), household.village.code])
                .order_by("code")
            ),
            measures=household.measures.select_related("cadre").order_by("start_date", "pk"),
            pairing=HouseholdPairing.objects.active()
            .filter(household=household)
            .select_related("cadre", "cadre__unit")
            .order_by("-start_date")
            .first(),
            income=incomes[0] if incomes else None,
            readiness=readiness.explain(household, household.exit_year, incomes=incomes),
            visits=household.visits.select_related("cadre").order_by("-visited_on", "-pk")[:5],
            findings=findings.select_related("unit").order_by("deadline")
            if findings is not None
            else None,
        )
        return context
