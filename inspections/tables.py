"""List tables of the inspection pages."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from poverty.common.tables import DateColumn, ShortTextColumn

from .choices import Status
from .models import Accountability, Finding, Inspection, Notice, Pledge

STATUS_BADGE = {
    Status.OPEN: "text-bg-secondary",
    Status.IN_PROGRESS: "text-bg-primary",
    Status.SUBMITTED: "text-bg-info",
    Status.CLOSED: "text-bg-success",
}


class PledgeTable(tables.Table):
    pledger = tables.Column(linkify=True)
    area = tables.Column(order_by=("area__code",))
    signed_on = DateColumn(format="Y-m-d")
    target_count = tables.Column(verbose_name="目标数", default=0)

    class Meta:
        model = Pledge
        fields = ["year", "kind", "area", "pledger", "recipient", "signed_on", "target_count"]


class InspectionTable(tables.Table):
    title = tables.Column(linkify=True)
    area = tables.Column(order_by=("area__code",))
    start_date = DateColumn(format="Y-m-d")
    finding_count = tables.Column(verbose_name="问题数", default=0)

    class Meta:
        model = Inspection
        fields = ["title", "kind", "area", "leader", "start_date", "finding_count"]


class FindingTable(tables.Table):
    description = ShortTextColumn(length=36, linkify=True, verbose_name="问题")
    area = tables.Column(order_by=("area__code",))
    unit = tables.Column(order_by=("unit__name",))
    person = tables.Column(default="—", order_by=("person__name",))
    deadline = DateColumn(format="Y-m-d")
    status = tables.Column()

    class Meta:
        model = Finding
        fields = [
            "description",
            "category",
            "severity",
            "area",
            "unit",
            "person",
            "deadline",
            "status",
        ]
        row_attrs = {"class": lambda record: "table-danger" if record.is_overdue else ""}

    def render_person(self, value):
        return value.name

    def render_status(self, value, record):
        late = record.days_overdue()
        badge = format_html(
            '<span class="badge {}">{}</span>', STATUS_BADGE.get(record.status, ""), value
        )
        if late:
            return format_html('{} <span class="badge text-bg-danger">逾期{}天</span>', badge, late)
        return badge


class AccountabilityTable(tables.Table):
    person = tables.Column(linkify=True)
    finding = tables.Column(linkify=True, order_by=("finding__deadline",))
    decided_on = DateColumn(format="Y-m-d")

    class Meta:
        model = Accountability
        fields = ["decided_on", "person", "unit", "kind", "document", "finding"]


class NoticeTable(tables.Table):
    title = tables.Column(
        verbose_name="通知通报", linkify=True, order_by=("kind", "number"), accessor="pk"
    )
    month = DateColumn(format="Y年n月")
    issued_on = DateColumn(format="Y-m-d")
    item_count = tables.Column(verbose_name="所列问题", default=0)
    xlsx = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = Notice
        fields = ["month", "title", "kind", "unit", "issued_on", "item_count"]

    def render_title(self, record):
        return record.title

    def render_xlsx(self, record):
        return format_html(
            '<a href="{}">打印</a> · <a href="{}">Excel</a>',
            record.get_absolute_url() + "print/",
            record.get_absolute_url() + "xlsx/",
        )
