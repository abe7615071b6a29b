"""List tables of the registry pages."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from poverty.common.tables import DateColumn, DatedTable, DateTimeColumn, ShortTextColumn

from . import readiness
from .models import (
    Assessment,
    AssistanceMeasure,
    Household,
    HouseholdPairing,
    IncomeRecord,
    PovertyLine,
    QualityIssue,
    RosterExport,
    RosterImport,
    RosterMapping,
    Visit,
)


class HouseholdTable(tables.Table):
    code = tables.Column(linkify=True)
    head_name = tables.Column(verbose_name="户主", order_by=("head_name",))
    village = tables.Column(order_by=("village__code",))
    persons = tables.Column(verbose_name="人口")
    cadre_name = tables.Column(verbose_name="帮扶责任人", default="—")
    planned_exit_year = tables.Column(verbose_name="脱贫时限")

    class Meta:
        model = Household
        fields = [
            "code",
            "head_name",
            "village",
            "group",
            "persons",
            "category",
            "primary_cause",
            "planned_exit_year",
            "status",
            "cadre_name",
        ]
        row_attrs = {"class": lambda record: "table-danger" if record.is_overdue else ""}

    def render_planned_exit_year(self, value, record):
        if record.is_overdue:
            return format_html('{} <span class="badge text-bg-danger">超期</span>', value)
        return value

    def render_status(self, value, record):
        if record.monitoring_type:
            return format_html(
                '{} <span class="badge text-bg-warning">{}</span>',
                value,
                record.get_monitoring_type_display(),
            )
        return value


class HouseholdChildTable(tables.Table):
    household = tables.Column(linkify=True, order_by=("household__code",))


class IncomeRecordTable(HouseholdChildTable):
    year = tables.Column(linkify=True)

    class Meta:
        model = IncomeRecord
        fields = [
            "household",
            "year",
            "persons",
            "wage",
            "business",
            "property_income",
            "transfer",
            "business_costs",
            "per_capita_net",
        ]


class AssessmentTable(HouseholdChildTable):
    assessed_on = DateColumn(format="Y-m-d", linkify=True)
    food = tables.BooleanColumn()
    clothing = tables.BooleanColumn()
    education = tables.BooleanColumn()
    medical = tables.BooleanColumn()
    housing = tables.BooleanColumn()
    water = tables.BooleanColumn()

    class Meta:
        model = Assessment
        fields = [
            "household",
            "assessed_on",
            "assessor",
            "food",
            "clothing",
            "education",
            "medical",
            "housing",
            "water",
        ]


class AssistanceMeasureTable(HouseholdChildTable):
    description = tables.Column(linkify=True)
    start_date = DateColumn(format="Y-m-d")
    end_date = DateColumn(format="Y-m-d")

    class Meta:
        model = AssistanceMeasure
        fields = [
            "household",
            "measure_type",
            "description",
            "amount",
            "start_date",
            "end_date",
            "status",
            "cadre",
        ]


class HouseholdPairingTable(HouseholdChildTable, DatedTable):
    class Meta:
        model = HouseholdPairing
        fields = ["household", "cadre", "start_date", "end_date", "detail"]


class VisitTable(HouseholdChildTable):
    visited_on = DateColumn(format="Y-m-d", linkify=True)
    findings = ShortTextColumn()
    problems = ShortTextColumn()
    follow_up_due = DateColumn(format="Y-m-d")

    class Meta:
        model = Visit
        fields = ["visited_on", "household", "cadre", "findings", "problems", "follow_up_due"]

    def render_follow_up_due(self, value):
        if value is None:
            return "—"
        if value <= timezone.localdate():
            # format_html escapes its arguments to strings first: format the date before.
            return format_html('<span class="text-danger">{}</span>', f"{value:%Y-%m-%d}")
        return f"{value:%Y-%m-%d}"


class PovertyLineTable(tables.Table):
    year = tables.Column(linkify=True)

    class Meta:
        model = PovertyLine
        fields = ["year", "income_line", "note"]


class QualityIssueTable(tables.Table):
    household = tables.Column(linkify=True, order_by=("household__code",))
    village = tables.Column(
        accessor="household__village", verbose_name="行政村", order_by=("household__village__code",)
    )
    rule = tables.Column()
    detail = tables.Column(linkify=True)

    class Meta:
        model = QualityIssue
        fields = ["household", "village", "rule", "detail", "status", "last_seen"]

    def render_rule(self, value):
        from .quality import RULES

        rule = RULES.get(value)
        return rule.description if rule else value


class RosterExportTable(tables.Table):
    created_at = DateTimeColumn(format="Y-m-d H:i", linkify=True, verbose_name="导出时间")
    user = tables.Column(accessor="user__display_name", verbose_name="导出人", orderable=False)

    class Meta:
        model = RosterExport
        fields = ["created_at", "user", "status", "rows_written", "message"]


class RosterImportTable(tables.Table):
    created_at = DateTimeColumn(format="Y-m-d H:i", linkify=True, verbose_name="上传时间")
    user = tables.Column(accessor="user__display_name", verbose_name="导入人", orderable=False)
    counts = tables.Column(verbose_name="结果", orderable=False, empty_values=())

    class Meta:
        model = RosterImport
        fields = ["created_at", "user", "file_name", "status", "error_count", "counts"]

    def render_counts(self, value, record):
        if not value:
            return "—"
        return (
            f"新增{value['households_created']}户/{value['members_created']}人，"
            f"更新{value['households_updated']}户/{value['members_updated']}人"
        )


class RosterMappingTable(tables.Table):
    name = tables.Column(linkify=True)
    area = tables.Column(accessor="area__name", verbose_name="所属区域")
    columns = tables.Column(verbose_name="列名对应", orderable=False)
    updated_at = DateTimeColumn(format="Y-m-d H:i", verbose_name="更新时间")

    class Meta:
        model = RosterMapping
        fields = ["name", "area", "columns", "updated_at"]

    def render_columns(self, value, record):
        return "；".join(f"{header} → {read_as}" for header, read_as in record.described())


class ReadinessTable(tables.Table):
    """Remaining households with their exit readiness (households.readiness annotations)."""

    code = tables.Column(linkify=True)
    head_name = tables.Column(verbose_name="户主", order_by=("head_name",))
    village = tables.Column(order_by=("village__code",))
    planned_exit_year = tables.Column(verbose_name="脱贫时限")
    status = tables.Column()
    readiness = tables.Column(verbose_name="退出条件", empty_values=(), orderable=False)

    class Meta:
        model = Household
        fields = ["code", "head_name", "village", "planned_exit_year", "status"]

    def render_readiness(self, record):
        states = {c.field: getattr(record, c.field) for c in readiness.CRITERIA}
        ready = readiness.ready_of(states) == readiness.MET
        return format_html(
            '<span class="{}">{}</span>',
            "text-success" if ready else "text-danger",
            readiness.short(states),
        )
