"""Reads of the command app: the structure as a tree, a person's duties, the dispatch rhythm,
the key-task panel. Each starts from the user's scoped rows (restrict) or an area's (under)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone

from villages.choices import AreaLevel
from villages.models import Area, Cadre

from .choices import MemberRole, TaskState
from .models import Body, BodyMember, Decision, DispatchMeeting, KeyTask, MilestoneQuerySet


def _chair_name(on: datetime.date) -> Subquery:
    chair = (
        BodyMember.objects.active(on)
        .filter(body=OuterRef("pk"), role=MemberRole.CHAIR)
        .values("cadre__name")[:1]
    )
    return Subquery(chair)


def sitting_members(on: datetime.date | None = None) -> Subquery:
    """Per body (an annotation): how many members sit on it on the day (today)."""
    active = BodyMember.objects.active(on).filter(body=OuterRef("pk"))
    return Subquery(active.order_by().values("body").annotate(n=Count("pk")).values("n")[:1])


def body_tree(bodies, today: datetime.date | None = None) -> list[Body]:
    """`bodies` (already scoped) in tree order, each with `depth`, `chair_name` and
    `member_count` (members sitting today): parents before their children, siblings by their
    sort order. A body whose parent is out of the list starts a tree of its own."""
    today = today or timezone.localdate()
    rows = list(
        bodies.select_related("area")
        .annotate(chair_name=_chair_name(today), member_count=sitting_members(today))
        .order_by("area__code", "sort", "name")
    )
    children: dict[int | None, list[Body]] = defaultdict(list)
    ids = {b.pk for b in rows}
    for body in rows:
        children[body.parent_id if body.parent_id in ids else None].append(body)
    ordered: list[Body] = []

    def walk(parent: int | None, depth: int) -> None:
        for body in children.get(parent, []):
            body.depth = depth  # type: ignore[attr-defined]  # read by BodyTreeTable
            ordered.append(body)
            walk(body.pk, depth + 1)

    walk(None, 0)
    return ordered


@dataclass
class Duties:
    """Everything one cadre answers for in the command structure."""

    seats: list[BodyMember]
    led: list[KeyTask]
    guaranteed: list[KeyTask]
    headed: list[KeyTask]
    decisions: list[Decision]
    convened: list[DispatchMeeting]


def duties_of(cadre: Cadre, user) -> Duties:
    """A person's page: the bodies they sit on (past seats too), the key tasks they lead,
    guarantee or head, the decisions put to them, the meetings they chaired; only rows the
    reader may see."""
    tasks = KeyTask.objects.restrict(user).with_state().select_related("area")
    return Duties(
        seats=list(
            BodyMember.objects.restrict(user)
            .filter(cadre=cadre)
            .select_related("body", "body__area")
            .order_by("-start_date")
        ),
        led=list(tasks.filter(lead=cadre)),
        guaranteed=list(tasks.filter(guarantor=cadre)),
        headed=list(tasks.filter(head=cadre)),
        decisions=list(
            Decision.objects.restrict(user)
            .filter(owner=cadre)
            .select_related("area", "owner")
            .order_by("status", "deadline")[:50]
        ),
        convened=list(
            DispatchMeeting.objects.restrict(user)
            .filter(convener=cadre)
            .select_related("area")
            .order_by("-held_on")[:20]
        ),
    )


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s week."""
    return day - datetime.timedelta(days=day.weekday())


@dataclass
class Rhythm:
    area: Area
    last: datetime.date | None
    this_week: bool
    this_month: bool


def dispatch_rhythm(user, today: datetime.date | None = None) -> list[Rhythm]:
    """For each township the user may see: the last dispatch meeting held for it (or for a
    village in it) and whether one was held this week (from Monday) and this month; the
    townships without one this week first. The seeds' rhythm is one a week per township."""
    today = today or timezone.localdate()
    townships = Area.objects.restrict(user).filter(level=AreaLevel.TOWNSHIP).order_by("code")
    meetings = DispatchMeeting.objects.restrict(user).filter(held_on__lte=today)
    last: dict[str, datetime.date] = {}
    for code, held in (
        meetings.values("area__code")
        .annotate(last=Max("held_on"))
        .values_list("area__code", "last")
        .order_by()
    ):
        township = code[:9] + "000"
        if township not in last or held > last[township]:
            last[township] = held
    monday, first = week_start(today), today.replace(day=1)
    rows = [
        Rhythm(
            area=t,
            last=last.get(t.code),
            this_week=bool(last.get(t.code) and last[t.code] >= monday),
            this_month=bool(last.get(t.code) and last[t.code] >= first),
        )
        for t in townships
    ]
    return sorted(rows, key=lambda r: (r.this_week, r.this_month, r.area.code))


@dataclass
class TaskPanel:
    """The dashboard's key-task panel for an area and year."""

    counts: dict[str, int]
    behind: list[KeyTask] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def key_task_panel(
    area: Area, year: int, user, today: datetime.date | None = None, limit: int = 10
) -> TaskPanel:
    """Done / on plan / behind for the key tasks of `area` and below in `year` that the user may
    see, and the tasks behind with their lead leader, the most overdue first."""
    today = today or timezone.localdate()
    tasks = KeyTask.objects.restrict(user).under([area.code]).filter(year=year).with_state(today)
    counts = Counter(dict(tasks.order_by().values_list("state").annotate(n=Count("pk"))))
    behind = list(
        tasks.filter(state=TaskState.BEHIND)
        .select_related("lead", "area", "lead_unit")
        .annotate(
            late_milestones=Count(
                "milestones",
                filter=MilestoneQuerySet.overdue_condition(today, prefix="milestones__"),
            )
        )
        .order_by("deadline", "number")[:limit]
    )
    return TaskPanel(counts={s: counts.get(s, 0) for s in TaskState.values}, behind=behind)
