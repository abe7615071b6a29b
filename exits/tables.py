"""List tables of the exit pages."""

from __future__ import annotations

import django_tables2 as tables

from poverty.common.tables import DateTimeColumn, DetailLinkColumn, ShortTextColumn

from .models import ExitStep, Reading, Rehearsal, Standard, Survey


class StandardTable(tables.Table):
    title = tables.Column(linkify=True)
    area = tables.Column(order_by=("area__code",))

    class Meta:
        model = Standard
        fields = ["title", "area", "level", "year"]


class ReadingTable(tables.Table):
    area = tables.Column(order_by=("area__code",))
    item = tables.Column(order_by=("item__name",))
    shown = tables.Column(verbose_name="记录", empty_values=(), orderable=False)
    note = ShortTextColumn(length=30)
    recorded_at = DateTimeColumn(format="Y-m-d H:i")
    detail = DetailLinkColumn()

    class Meta:
        model = Reading
        fields = ["area", "item", "shown", "note", "recorded_at", "detail"]


class ExitStepTable(tables.Table):
    area = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("area__code",))
    taken_at = DateTimeColumn(format="Y-m-d H:i")
    note = ShortTextColumn(length=30)

    class Meta:
        model = ExitStep
        fields = ["area", "year", "step", "taken_by", "taken_at", "note"]


def _percent(rate: dict | None) -> str:
    if not rate or rate.get("value") is None:
        return "—"
    return f"{rate['value'] * 100:.2f}%"


class RehearsalTable(tables.Table):
    """The rehearsals one after another, with the rates each found (kept on completion)."""

    title = tables.Column(linkify=True)
    area = tables.Column(order_by=("area__code",))
    wrong_exit = tables.Column(verbose_name="错退率", empty_values=(), orderable=False)
    missed = tables.Column(verbose_name="漏评率", empty_values=(), orderable=False)
    satisfaction = tables.Column(verbose_name="群众认可度", empty_values=(), orderable=False)

    class Meta:
        model = Rehearsal
        fields = ["title", "area", "year", "status", "wrong_exit", "missed", "satisfaction"]

    def render_wrong_exit(self, record):
        return _percent((record.results or {}).get("wrong_exit"))

    def render_missed(self, record):
        return _percent((record.results or {}).get("missed"))

    def render_satisfaction(self, record):
        return _percent((record.results or {}).get("satisfaction"))


class SurveyTable(tables.Table):
    village = tables.Column(order_by=("village__code",))
    who = tables.Column(verbose_name="调查户", empty_values=(), orderable=False)
    detail = DetailLinkColumn()

    class Meta:
        model = Survey
        fields = ["village", "stratum", "who", "persons", "surveyed_on", "verdict", "detail"]

    def render_who(self, record):
        if record.household_id:
            return record.household.code
        return record.head_name or f"（第{record.slot}户，待登记）"
