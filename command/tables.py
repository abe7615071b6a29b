"""List tables of the command pages."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from poverty.common.tables import DateColumn, DatedTable, ShortTextColumn

from .choices import DecisionStatus, TaskState
from .models import Body, BodyMember, Decision, DispatchMeeting, KeyTask, ProgressReport

STATE_BADGE = {
    TaskState.DONE: "text-bg-success",
    TaskState.ON_PLAN: "text-bg-primary",
    TaskState.BEHIND: "text-bg-danger",
}


def state_badge(state: str) -> str:
    return format_html(
        '<span class="badge {}">{}</span>', STATE_BADGE.get(state, ""), TaskState(state).label
    )


class BodyTable(tables.Table):
    name = tables.Column(linkify=True)
    area = tables.Column(order_by=("area__code",))
    parent = tables.Column(default="—", order_by=("parent__name",))
    member_count = tables.Column(verbose_name="成员数", default=0)

    class Meta:
        model = Body
        fields = ["name", "kind", "area", "parent", "member_count"]


class BodyTreeTable(tables.Table):
    """The command structure as a tree: each body indented under its parent (rows come in tree
    order from command.selectors.body_tree)."""

    name = tables.Column(linkify=True, orderable=False, verbose_name="机构")
    kind = tables.Column(orderable=False)
    chair = tables.Column(verbose_name="组长（总指挥）", orderable=False, empty_values=())
    member_count = tables.Column(verbose_name="成员数", orderable=False, default=0)

    class Meta:
        model = Body
        fields = ["name", "kind", "chair", "member_count"]

    def render_name(self, record, value):
        return format_html(
            '<span class="tree-depth-{}">{}{}</span>',
            min(record.depth, 5),
            "└ " if record.depth else "",
            value,
        )

    def render_chair(self, record):
        return record.chair_name or "—"


class BodyMemberTable(DatedTable):
    cadre = tables.Column(order_by=("cadre__name",))
    body = tables.Column(linkify=True, order_by=("body__name",))

    class Meta:
        model = BodyMember
        fields = ["body", "cadre", "role", "duty", "start_date", "end_date", "detail"]


class KeyTaskTable(tables.Table):
    number = tables.Column(verbose_name="序号")
    title = tables.Column(linkify=True)
    area = tables.Column(order_by=("area__code",))
    lead = tables.Column(order_by=("lead__name",))
    lead_unit = tables.Column(order_by=("lead_unit__name",))
    deadline = DateColumn(format="Y-m-d")
    percent = tables.Column()
    state = tables.Column(verbose_name="状态", orderable=False)

    class Meta:
        model = KeyTask
        fields = ["year", "number", "title", "area", "lead", "lead_unit", "deadline", "percent"]

    def render_percent(self, value):
        return f"{value}%"

    def render_state(self, value):
        return state_badge(value)


class ProgressReportTable(tables.Table):
    task = tables.Column(linkify=True, order_by=("task__title",))
    reported_on = DateColumn(format="Y-m-d")
    text = ShortTextColumn(length=40)

    class Meta:
        model = ProgressReport
        fields = ["reported_on", "task", "text", "percent", "milestone"]


class DispatchMeetingTable(tables.Table):
    topic = tables.Column(linkify=True)
    area = tables.Column(order_by=("area__code",))
    held_on = DateColumn(format="Y-m-d")
    convener = tables.Column(order_by=("convener__name",))
    decision_count = tables.Column(verbose_name="交办事项", default=0)

    class Meta:
        model = DispatchMeeting
        fields = ["held_on", "area", "topic", "convener", "decision_count"]


class DecisionTable(tables.Table):
    text = ShortTextColumn(length=36, linkify=True, verbose_name="交办事项")
    area = tables.Column(order_by=("area__code",))
    owner = tables.Column(order_by=("owner__name",))
    deadline = DateColumn(format="Y-m-d")
    status = tables.Column()

    class Meta:
        model = Decision
        fields = ["text", "area", "owner", "owner_unit", "deadline", "status"]

    def render_status(self, record, value):
        if record.status == DecisionStatus.OPEN and record.is_overdue:
            return format_html(
                '<span class="badge text-bg-danger">逾期{}天</span>', record.days_overdue()
            )
        css = "text-bg-success" if record.status == DecisionStatus.DONE else "text-bg-secondary"
        return format_html('<span class="badge {}">{}</span>', css, value)
