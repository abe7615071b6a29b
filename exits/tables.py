"""List tables of the exit pages."""

from __future__ import annotations

import django_tables2 as tables

from poverty.common.tables import DetailLinkColumn, ShortTextColumn

from .models import ExitStep, Reading, Standard


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
    recorded_at = tables.DateTimeColumn(format="Y-m-d H:i")
    detail = DetailLinkColumn()

    class Meta:
        model = Reading
        fields = ["area", "item", "shown", "note", "recorded_at", "detail"]


class ExitStepTable(tables.Table):
    area = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("area__code",))
    taken_at = tables.DateTimeColumn(format="Y-m-d H:i")
    note = ShortTextColumn(length=30)

    class Meta:
        model = ExitStep
        fields = ["area", "year", "step", "taken_by", "taken_at", "note"]
