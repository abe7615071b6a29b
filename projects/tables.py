"""List tables of the project pages."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from poverty.common.figures import money, percent
from poverty.common.tables import DateColumn, DetailLinkColumn, ShortTextColumn

from .models import (
    Beneficiary,
    Disclosure,
    FundEntry,
    HelpPairing,
    HelpTeamMember,
    Project,
    ProjectApproval,
    rate,
)


class MoneyColumn(tables.Column):
    attrs = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}

    def render(self, value):
        return money(value)


class ProjectTable(tables.Table):
    name = tables.Column(linkify=True)
    area = tables.Column(order_by=("area__code",))
    stage = tables.Column(verbose_name="当前进度")
    next_due = tables.Column(verbose_name="下一节点", order_by=("next_due",), default="—")
    planned_total = MoneyColumn(verbose_name="计划投入(元)")
    disbursed_total = MoneyColumn(verbose_name="已拨付(元)")
    disbursement = tables.Column(verbose_name="拨付率", empty_values=(), orderable=False)

    class Meta:
        model = Project
        fields = [
            "name",
            "project_type",
            "year",
            "area",
            "unit",
            "stage",
            "next_due",
            "planned_total",
            "disbursed_total",
            "disbursement",
        ]
        row_attrs = {"class": lambda record: "table-danger" if record.days_overdue() else ""}

    def render_next_due(self, value, record):
        late = record.days_overdue()
        label = f"{record.next_stage_label} {value:%Y-%m-%d}"
        if late:
            return format_html('{} <span class="badge text-bg-danger">滞后{}天</span>', label, late)
        return label

    def render_disbursement(self, record):
        return percent(rate(record.disbursed_total, record.allocated_total))


class FundEntryTable(tables.Table):
    project = tables.Column(linkify=True, order_by=("project__name",))
    amount = MoneyColumn()
    date = DateColumn(format="Y-m-d")
    detail = DetailLinkColumn()

    class Meta:
        model = FundEntry
        fields = ["date", "project", "source", "kind", "amount", "document", "note"]


class BeneficiaryTable(tables.Table):
    project = tables.Column(linkify=True, order_by=("project__name",))
    household = tables.Column(linkify=True, order_by=("household__code",))
    village = tables.Column(
        accessor="household__village", verbose_name="村", order_by=("household__village__code",)
    )
    measure = tables.Column(default="—")
    detail = DetailLinkColumn()

    class Meta:
        model = Beneficiary
        fields = ["project", "household", "village", "measure", "note"]


class ProjectApprovalTable(tables.Table):
    project = tables.Column(linkify=True, order_by=("project__name",))
    unit = tables.Column(order_by=("unit__name",))
    decided_on = DateColumn(format="Y-m-d", default="—")
    comment = ShortTextColumn(length=30)
    detail = DetailLinkColumn()

    class Meta:
        model = ProjectApproval
        fields = ["project", "unit", "decision", "decided_on", "comment"]


class DisclosureTable(tables.Table):
    title = tables.Column(linkify=True)
    project = tables.Column(linkify=True, order_by=("project__name",))
    start_date = DateColumn(format="Y-m-d")
    end_date = DateColumn(format="Y-m-d")
    objection_count = tables.Column(verbose_name="异议", default=0)

    class Meta:
        model = Disclosure
        fields = ["title", "project", "location", "start_date", "end_date", "objection_count"]


class HelpPairingTable(tables.Table):
    helper = tables.Column(linkify=True)
    township = tables.Column(order_by=("township__code",))
    start = DateColumn(format="Y-m-d")
    end = DateColumn(format="Y-m-d")

    class Meta:
        model = HelpPairing
        fields = ["helper", "township", "start", "end"]


class HelpTeamMemberTable(tables.Table):
    name = tables.Column(linkify=lambda record: record.pairing.get_absolute_url())
    pairing = tables.Column(order_by=("pairing__helper",))
    on_site_from = DateColumn(format="Y-m-d")
    on_site_until = DateColumn(format="Y-m-d")

    class Meta:
        model = HelpTeamMember
        fields = [
            "pairing",
            "name",
            "role",
            "position",
            "county_leader",
            "on_site_from",
            "on_site_until",
        ]
