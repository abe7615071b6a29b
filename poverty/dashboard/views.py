"""The 挂图作战 dashboard: an area's figures and its child areas coloured by how they stand,
drilling down county → township → village → household; at village level the battle map of every
household. Scoped like every page: an area outside the user's is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from inspections.models import Finding
from poverty.common.areacodes import ancestor_codes, digits_of
from projects.models import FundEntry, Project
from projects.selectors import fund_totals
from villages.choices import AreaLevel
from villages.models import YEAR_VALIDATORS, Area

from . import selectors
from .stats import CHILD_LEVEL, exit_statistics

FIRST_YEAR = YEAR_VALIDATORS[0].limit_value


@login_required
def dashboard(request, code: str | None = None):
    user = request.user
    if not user.has_perm("households.view_household"):
        raise PermissionDenied("您没有查看建档立卡数据的权限。")
    areas = Area.objects.restrict(user)
    if code is None:
        area = areas.filter(code__in=user.scope_codes).order_by("code").first() or (
            areas.order_by("code").first()
        )
    else:
        area = areas.filter(code=code).first()
    if area is None:
        raise Http404("找不到该地区，或不在您的管辖范围内。")
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, FIRST_YEAR), today.year)

    figures = exit_statistics(area, year)
    villages = selectors.village_codes(area)
    children = figures.pop("children")
    child_level = CHILD_LEVEL.get(area.level)
    if child_level:
        overdue = selectors.overdue_by_child(villages, year, digits_of(child_level))
        for child in children:
            late = overdue.get(child["area"]["code"][: digits_of(child_level)], 0)
            child["overdue"] = late
            child["state"] = selectors.state_of(child["remaining"]["households"], late)
            child["state_label"] = selectors.STATE_LABELS[child["state"]]
    breadcrumb = list(areas.filter(code__in=ancestor_codes(area.code)).order_by("code"))
    causes = selectors.by_cause(villages, year)
    exits = selectors.exits_by_year(villages)
    # Findings and projects as the user may see them (a village cadre sees no projects).
    findings = Finding.objects.restrict(user)
    projects = Project.objects.restrict(user)
    context = {
        "area": area,
        "year": year,
        "years": range(today.year, FIRST_YEAR - 1, -1),
        "figures": figures,
        "children": children,
        "child_label": AreaLevel(child_level).label if child_level else "",
        "breadcrumb": breadcrumb,
        "causes": causes,
        "measures": selectors.by_measure(villages),
        "exits": exits,
        "without_measures": sum(c["no_measure"] for c in causes),
        "gaps": [c for c in causes if c["gap"]],
        "findings": selectors.findings_by_unit(findings, area)
        if user.has_perm("inspections.view_finding")
        else None,
        "projects": selectors.projects_by_stage(projects, area)
        if user.has_perm("projects.view_project")
        else None,
        "funds": fund_totals(
            FundEntry.objects.filter(
                project__in=projects.filter(area__code__startswith=area.prefix).values("pk")
            )
        )
        if user.has_perm("projects.view_project")
        else None,
        "screen": request.GET.get("screen") == "1",
        "households": (
            list(selectors.battle_map(area, year)) if area.level == AreaLevel.VILLAGE else None
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
    return render(request, "dashboard/dashboard.html", context)
