"""What is due for a user (工作台), by role, each list read through the app rule it counts and
scoped by `restrict` first.

Every entry is a `Todo`: a label, how many, a link to the list page filtered the same way (so
the count and the list agree) and either its most urgent rows (a village cadre's own work) or
the count per village (township and county staff, leaders). Each entry costs one or two
queries whatever the data, so the page is bounded (tests/work/test_home.py counts them).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from command.models import Decision, KeyTask, Milestone
from households.choices import ENDING_WINDOWS, HouseholdStatus, QualityStatus
from households.models import (
    AssistanceMeasure,
    AssistanceMeasureQuerySet,
    Household,
    HouseholdPairing,
    HouseholdQuerySet,
    QualityIssue,
    RosterImport,
    Visit,
    visit_cutoff,
)
from inspections.choices import Status as FindingStatus
from inspections.choices import StepKind
from inspections.models import Finding, FindingStep
from poverty.common.models import ImportStatus
from projects.models import Disclosure, Project, ProjectStage
from villages.models import Area, SheetImportJob

# Rows shown under an entry; the link shows them all.
SHOWN = 5
# The measure window of a cadre's own households (the issue's "within 60 days").
MEASURE_DAYS = 60
assert MEASURE_DAYS in ENDING_WINDOWS  # the lists' filter offers it
PROJECT_DAYS = 14

DANGER, WARNING, INFO = "danger", "warning", "info"
_RANK = {DANGER: 0, WARNING: 1, INFO: 2}


@dataclass
class Row:
    text: str
    url: str
    note: str = ""  # a date or how late
    late: bool = False


@dataclass
class Todo:
    key: str
    label: str
    count: int
    url: str
    level: str = WARNING
    rows: list[Row] = field(default_factory=list)
    villages: list[tuple[str, int]] = field(default_factory=list)  # (name, count), most first
    more_villages: int = 0


def _link(name: str, **query) -> str:
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


def _late(day: datetime.date | None, today: datetime.date) -> tuple[str, bool]:
    if day is None:
        return "", False
    days = (day - today).days
    if days < 0:
        return f"逾期{-days}天", True
    return ("今天到期" if days == 0 else f"{day:%m-%d}到期"), False


class Page:
    """Builds one user's entries; village names are read once for all of them at the end."""

    def __init__(self, user, today: datetime.date | None = None) -> None:
        self.user = user
        self.today = today or timezone.localdate()
        self.todos: list[Todo] = []
        self._village_counts: list[tuple[Todo, list[tuple[int, int]]]] = []

    # --- the two shapes an entry takes -----------------------------------------------------

    def rows(
        self,
        key: str,
        label: str,
        qs: QuerySet,
        url: str,
        row: Callable[[Any], Row],
        level: str = WARNING,
    ) -> None:
        """Count the queryset and show its first rows (it is ordered most urgent first), in one
        query whether it holds nothing or thousands: the count rides on each row."""
        found = list(qs.annotate(todo_total=Window(Count("pk")))[:SHOWN])
        count = found[0].todo_total if found else 0
        if count:
            shown = [row(obj) for obj in found]
            if any(r.late for r in shown):
                level = DANGER
            self.todos.append(Todo(key, label, count, url, level, rows=shown))

    def by_village(
        self, key: str, label: str, counts: list[tuple[int, int]], url: str, level: str = WARNING
    ) -> None:
        """An entry counted per village: (village id, count) pairs (`per_village`,
        `village_counts`)."""
        total = sum(n for _, n in counts)
        if total:
            todo = Todo(key, label, total, url, level)
            self.todos.append(todo)
            self._village_counts.append((todo, counts))

    @staticmethod
    def per_village(qs: QuerySet, village: str) -> list[tuple[int, int]]:
        """The queryset's rows counted per village (`village` is the path to its id)."""
        # No entry joins a many-valued relation, so each row counts once without DISTINCT
        # (which sorted a county's hundred thousand rows on disk).
        return list(qs.order_by().values_list(village).annotate(n=Count("pk")).order_by())

    @staticmethod
    def village_counts(qs: QuerySet, village: str, **conditions: Q) -> dict[str, list]:
        """Per village, how many rows of the queryset meet each condition, in one grouped query
        over the rows meeting any: {name: [(village id, count), ...]}."""
        rows = (
            qs.filter(reduce(or_, conditions.values()))
            .order_by()
            .values_list(village)
            .annotate(**{name: Count("pk", filter=c) for name, c in conditions.items()})
            .order_by()
        )
        found: dict[str, list] = {name: [] for name in conditions}
        for pk, *counts in rows:
            for name, n in zip(conditions, counts, strict=True):
                if n:
                    found[name].append((pk, n))
        return found

    @cached_property
    def households(self) -> dict[str, list]:
        """Two household entries of a summary, per village in one query: due this year and in
        村内公示 (plain columns; the overdue and unvisited rules test other tables, which
        PostgreSQL joins once for a query of their own but probed household by household in a
        shared one: a county of 100,000 took 2.4 s instead of 0.7, bench/work.py)."""
        return self.village_counts(
            Household.objects.restrict(self.user),
            "village",
            near_deadline=HouseholdQuerySet.near_deadline_condition(self.today.year),
            publicity=Q(status=HouseholdStatus.PUBLICISED),
        )

    @cached_property
    def measures(self) -> dict[str, list]:
        """The measure entries of a summary, per village in one query."""
        rules = AssistanceMeasureQuerySet
        return self.village_counts(
            AssistanceMeasure.objects.restrict(self.user),
            "household__village",
            ending=rules.ending_within_condition(MEASURE_DAYS, self.today),
            ended=rules.ended_but_running_condition(self.today),
        )

    def done(self) -> list[Todo]:
        ids = {pk for _, counts in self._village_counts for pk, _ in counts if pk}
        names = dict(Area.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
        for todo, counts in self._village_counts:
            ranked = sorted(counts, key=lambda c: (-c[1], names.get(c[0], "")))
            todo.villages = [(names.get(pk, "（乡镇本级）"), n) for pk, n in ranked[:SHOWN]]
            todo.more_villages = max(len(ranked) - SHOWN, 0)
        return sorted(self.todos, key=lambda t: (_RANK[t.level], -t.count))


# --- the entries, each a rule of its app --------------------------------------------------


def _my_households(page: Page) -> HouseholdQuerySet:
    paired = HouseholdPairing.objects.active(page.today).filter(cadre=page.user.cadre_id)
    return Household.objects.restrict(page.user).filter(pk__in=paired.values("household_id"))


def unvisited(page: Page, *, mine: bool) -> None:
    days = (page.today - visit_cutoff(page.today, page.user)).days
    label = f"{days}天内未走访的结对户"
    if mine:
        qs = _my_households(page).unvisited_since(visit_cutoff(page.today, page.user)).with_head()
        url = _link("households:household_list", cadre=page.user.cadre_id, unvisited=1)
        page.rows(
            "unvisited",
            label,
            qs.order_by("village", "code"),
            url,
            lambda h: Row(str(h), h.get_absolute_url()),
        )
    else:
        paired = HouseholdPairing.objects.active(page.today).values("household_id")
        qs = (
            Household.objects.restrict(page.user)
            .filter(pk__in=paired)
            .unvisited_since(visit_cutoff(page.today, page.user))
        )
        url = _link("households:household_list", unvisited=1)
        page.by_village("unvisited", label, page.per_village(qs, "village"), url)


def follow_ups(page: Page, *, mine: bool) -> None:
    qs = Visit.objects.restrict(page.user).follow_ups_open().due_by(page.today)
    url = _link("households:visit_list", follow_up_open=1)
    label = "到期未办的走访跟进事项"
    if mine:
        qs = qs.filter(cadre=page.user.cadre_id).select_related("household")

        def row(v):
            note, late = _late(v.follow_up_due, page.today)
            return Row(f"{v.household.code}：{v.follow_up[:40]}", v.get_absolute_url(), note, late)

        url = _link("households:visit_list", follow_up_open=1, cadre=page.user.cadre_id)
        page.rows("follow_ups", label, qs.order_by("follow_up_due", "pk"), url, row, DANGER)
    else:
        page.by_village(
            "follow_ups", label, page.per_village(qs, "household__village"), url, DANGER
        )


def visits_to_review(page: Page) -> None:
    """Own visits recorded offline on a household changed meanwhile (households/field.py)."""
    qs = Visit.objects.restrict(page.user).filter(needs_review=True, cadre=page.user.cadre_id)
    page.rows(
        "visits_to_review",
        "离线走访待核对",
        qs.select_related("household").order_by("-visited_on", "pk"),
        _link("households:visit_list", cadre=page.user.cadre_id, needs_review=1),
        lambda v: Row(f"{v.household.code} {v.visited_on:%m-%d}", v.get_absolute_url()),
    )


def findings_to_rectify(page: Page, *, summary: bool) -> None:
    qs = Finding.objects.restrict(page.user).to_rectify()
    url = _link("inspections:finding_list", to_rectify=1)
    label = "待整改的督查问题"
    if summary:
        page.by_village("findings", label, page.per_village(qs, "area"), url)
        return

    def row(f):
        note, late = _late(f.deadline, page.today)
        return Row(str(f), f.get_absolute_url(), note, late)

    page.rows("findings", label, qs.order_by("deadline", "pk"), url, row)


def exit_deadlines(page: Page, *, summary: bool) -> None:
    households = Household.objects.restrict(page.user)
    year = page.today.year
    overdue = households.overdue(year)
    near = households.near_deadline(year)
    over_label, near_label = "超过脱贫时限未脱贫的户", f"计划{year}年脱贫尚未脱贫的户"
    over_url = _link("households:household_list", overdue=1)
    near_url = _link("households:household_list", near_deadline=1)
    if summary:
        over = page.per_village(overdue, "village")
        page.by_village("overdue", over_label, over, over_url, DANGER)
        page.by_village("near_deadline", near_label, page.households["near_deadline"], near_url)
        return

    def row(h):
        return Row(str(h), h.get_absolute_url(), f"计划{h.planned_exit_year}年")

    # Most overdue first. (Ordered by code alone, PostgreSQL walked the code index through
    # every household of the province hoping to stop after five: the count needs them all.)
    by_deadline = ("planned_exit_year", "village", "code")
    overdue, near = overdue.with_head(), near.with_head()
    page.rows("overdue", over_label, overdue.order_by(*by_deadline), over_url, row, DANGER)
    page.rows("near_deadline", near_label, near.order_by(*by_deadline), near_url, row)


def measures_ending(page: Page, *, mine: bool) -> None:
    measures = AssistanceMeasure.objects.restrict(page.user)
    if mine:
        own = _my_households(page).values("pk")
        qs = (
            measures.filter(household__in=own)
            .ending_within(MEASURE_DAYS, page.today)
            .select_related("household")
        )

        def row(m):
            return Row(
                f"{m.household.code} {m.get_measure_type_display()}",
                m.get_absolute_url(),
                f"{m.end_date:%Y-%m-%d}到期",
            )

        url = _link(
            "households:household_list", cadre=page.user.cadre_id, measure_ending=MEASURE_DAYS
        )
        page.rows(
            "measures", f"自己帮扶户{MEASURE_DAYS}天内到期的措施", qs.order_by("end_date"), url, row
        )
        ended = measures.filter(household__in=own).ended_but_running(page.today)
        page.rows(
            "measures_ended",
            "已到期仍标为实施中的措施",
            ended.select_related("household").order_by("end_date"),
            _link("households:household_list", cadre=page.user.cadre_id, measure_ending="ended"),
            row,
            DANGER,
        )
        return
    page.by_village(
        "measures",
        f"{MEASURE_DAYS}天内到期的帮扶措施",
        page.measures["ending"],
        _link("households:assistancemeasure_list", ending=MEASURE_DAYS),
    )
    page.by_village(
        "measures_ended",
        "已到期仍标为实施中的措施",
        page.measures["ended"],
        _link("households:assistancemeasure_list", ending="ended"),
        DANGER,
    )


def publicity(page: Page, *, summary: bool) -> None:
    """Households in 村内公示 (their end date on the household page) and project 公示 ending
    within a week."""
    qs = Household.objects.restrict(page.user).filter(status=HouseholdStatus.PUBLICISED)
    url = _link("households:household_list", status=HouseholdStatus.PUBLICISED)
    if summary:
        counts = page.households["publicity"]
        page.by_village("publicity", "村内公示中的拟退出户", counts, url, INFO)
    else:
        page.rows(
            "publicity",
            "村内公示中的拟退出户",
            qs.with_head().order_by("village", "code"),
            url,
            lambda h: Row(str(h), h.get_absolute_url()),
            INFO,
        )
    week = page.today + datetime.timedelta(days=7)
    disclosures = Disclosure.objects.restrict(page.user).filter(
        end_date__gte=page.today, end_date__lte=week
    )
    page.rows(
        "disclosures",
        "一周内结束的项目公示",
        disclosures.select_related("project").order_by("end_date"),
        _link("projects:disclosure_list"),
        lambda d: Row(
            f"{d.project.name}：{d.title}", d.get_absolute_url(), f"{d.end_date:%m-%d}结束"
        ),
        INFO,
    )


# The exit steps staff take, by the status they take them from (households.services.STEPS).
EXIT_WAITING = (
    (HouseholdStatus.PROPOSED, "拟退出待核实"),
    (HouseholdStatus.VERIFIED, "已核实待公示"),
    (HouseholdStatus.ANNOUNCED, "已公告待销号"),
)


def exit_steps(page: Page) -> None:
    households = Household.objects.restrict(page.user, "change")
    counts = dict(
        households.filter(status__in=[s for s, _ in EXIT_WAITING])
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    for status, label in EXIT_WAITING:
        if counts.get(status):
            page.todos.append(
                Todo(
                    f"exit_{status}",
                    label,
                    counts[status],
                    _link("households:household_list", status=status),
                )
            )


def project_stages(page: Page) -> None:
    projects = Project.objects.restrict(page.user)
    page.rows(
        "projects_overdue",
        "进度滞后的项目",
        projects.overdue(page.today).with_progress().order_by("next_due", "pk"),
        _link("projects:project_list", overdue=1),
        lambda p: Row(p.name, p.get_absolute_url(), f"滞后{p.days_overdue(page.today)}天", True),
        DANGER,
    )
    stages = ProjectStage.objects.restrict(page.user).due_within(PROJECT_DAYS, page.today)
    page.rows(
        "stages_due",
        f"{PROJECT_DAYS}天内到期的项目节点",
        stages.select_related("project").order_by("planned_date", "pk"),
        _link("projects:project_list"),
        lambda s: Row(
            f"{s.project.name}：{s.get_stage_display()}",
            s.project.get_absolute_url(),
            f"{s.planned_date:%m-%d}",
        ),
    )


def _waiting_uploads(model, page: Page) -> QuerySet:
    """The user's own uploads that wait for them (待确认) or failed this week."""
    week_ago = timezone.now() - datetime.timedelta(days=7)
    jobs = model.objects.restrict(page.user).filter(user=page.user).listed()
    return jobs.filter(
        Q(status=ImportStatus.PREVIEWED) | Q(status=ImportStatus.FAILED, created_at__gte=week_ago)
    ).order_by("-created_at")


def upload_jobs(page: Page) -> None:
    """花名册 uploads, and the sheets a county brings when it moves in (units, cadres…)."""
    page.rows(
        "roster_jobs",
        "待确认或出错的花名册导入",
        _waiting_uploads(RosterImport, page),
        _link("households:rosterimport_list"),
        lambda j: Row(j.file_name, j.get_absolute_url(), j.get_status_display()),
    )
    page.rows(
        "sheet_jobs",
        "待确认或出错的迁入表格",
        _waiting_uploads(SheetImportJob, page),
        _link("setup_guide"),
        lambda j: Row(f"{j.title}：{j.file_name}", j.get_absolute_url(), j.get_status_display()),
    )


def quality_new(page: Page) -> None:
    monday = page.today - datetime.timedelta(days=page.today.weekday())
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time()))
    qs = QualityIssue.objects.restrict(page.user).filter(
        status=QualityStatus.OPEN, created_at__gte=start
    )
    page.by_village(
        "quality_new",
        "本周新发现的疑点",
        page.per_village(qs, "household__village"),
        _link("households:qualityissue_list", status=QualityStatus.OPEN),
        INFO,
    )


def inspector(page: Page) -> None:
    findings = Finding.objects.restrict(page.user)
    submitted = findings.filter(status=FindingStatus.SUBMITTED)
    page.rows(
        "to_verify",
        "整改已提交待验收",
        # Never one's own submission (inspections.services refuses verifying it).
        submitted.exclude(
            Exists(
                FindingStep.objects.filter(
                    finding=OuterRef("pk"), kind=StepKind.SUBMIT, by=page.user
                )
            )
        ).order_by("deadline", "pk"),
        _link("inspections:finding_list", status=FindingStatus.SUBMITTED),
        lambda f: Row(str(f), f.get_absolute_url(), f"时限{f.deadline:%m-%d}"),
    )

    def row(f):
        note, late = _late(f.deadline, page.today)
        return Row(str(f), f.get_absolute_url(), note, late)

    page.rows(
        "findings_overdue",
        "逾期未销号的督查问题",
        findings.overdue(page.today).order_by("deadline", "pk"),
        _link("inspections:finding_list", overdue=1),
        row,
        DANGER,
    )


def command_work(page: Page, *, mine: bool) -> None:
    """Key tasks behind, their milestones due this week, decisions past their deadline (for a
    village cadre: the decisions put to them)."""

    def late_row(text: str, url: str, day: datetime.date) -> Row:
        note, late = _late(day, page.today)
        return Row(text, url, note, late)

    decisions = Decision.objects.restrict(page.user).open()
    if mine:
        page.rows(
            "my_decisions",
            "交给我办理的事项",
            decisions.filter(owner=page.user.cadre_id)
            .select_related("owner")
            .order_by("deadline", "pk"),
            _link("command:decision_list", owner=page.user.cadre_id, status="open"),
            lambda d: late_row(str(d), d.get_absolute_url(), d.deadline),
        )
        return
    page.rows(
        "tasks_behind",
        "滞后的重点工作",
        KeyTask.objects.restrict(page.user)
        .behind(page.today)
        .select_related("lead")
        .order_by("deadline", "pk"),
        _link("command:keytask_list", behind=1),
        lambda t: Row(f"{t.title}（组长{t.lead.name}）", t.get_absolute_url(), "滞后", True),
        DANGER,
    )
    page.rows(
        "milestones_due",
        f"{PROJECT_DAYS}天内到期的重点工作节点",
        Milestone.objects.restrict(page.user)
        .due_within(PROJECT_DAYS, page.today)
        .select_related("task")
        .order_by("planned", "pk"),
        _link("command:keytask_list", state="on_plan"),
        lambda m: Row(
            f"{m.task.title}：{m.title}", m.task.get_absolute_url(), f"{m.planned:%m-%d}"
        ),
    )
    page.rows(
        "decisions_overdue",
        "逾期未办结的交办事项",
        decisions.overdue(page.today).select_related("owner").order_by("deadline", "pk"),
        _link("command:decision_list", overdue=1),
        lambda d: late_row(str(d), d.get_absolute_url(), d.deadline),
        DANGER,
    )


def todos(user, today: datetime.date | None = None) -> list[Todo]:
    """The user's entries, most urgent first."""
    page = Page(user, today)
    role = user.role
    if role == Role.VILLAGE_CADRE:
        if user.cadre_id:
            unvisited(page, mine=True)
            follow_ups(page, mine=True)
            visits_to_review(page)
            measures_ending(page, mine=True)
            command_work(page, mine=True)
        findings_to_rectify(page, summary=False)
        exit_deadlines(page, summary=False)
        publicity(page, summary=False)
    elif role in (Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF):
        unvisited(page, mine=False)
        follow_ups(page, mine=False)
        findings_to_rectify(page, summary=True)
        exit_deadlines(page, summary=True)
        measures_ending(page, mine=False)
        publicity(page, summary=True)
        exit_steps(page)
        project_stages(page)
        upload_jobs(page)
        quality_new(page)
        command_work(page, mine=False)
    elif role == Role.INSPECTOR:
        inspector(page)
    elif role == Role.LEADER:
        # The area's red items, and where the people below have not done theirs.
        exit_deadlines(page, summary=True)
        findings_to_rectify(page, summary=True)
        unvisited(page, mine=False)
        follow_ups(page, mine=False)
        project_stages(page)
        measures_ending(page, mine=False)
        command_work(page, mine=False)
    return page.done()
