"""List tables of the assessment pages."""

from __future__ import annotations

import django_tables2 as tables

from poverty.common.tables import DateColumn, DetailLinkColumn, ShortTextColumn

from .models import Adjustment, Group, Scheme, Score


class SchemeTable(tables.Table):
    title = tables.Column(linkify=True)
    area = tables.Column(order_by=("area__code",))
    start = DateColumn(format="Y-m-d")
    end = DateColumn(format="Y-m-d")

    class Meta:
        model = Scheme
        fields = ["title", "area", "assessee", "start", "end", "status"]


class GroupTable(tables.Table):
    name = tables.Column(linkify=True)
    scheme = tables.Column(order_by=("scheme__title",))

    class Meta:
        model = Group
        fields = ["scheme", "name"]


def _assessee(record) -> str:
    return str(record.assessee)


class ScoreTable(tables.Table):
    scheme = tables.Column(order_by=("scheme__title",))
    assessee = tables.Column(verbose_name="考核对象", empty_values=(), orderable=False)
    indicator = tables.Column(order_by=("indicator__name",))
    basis = ShortTextColumn(length=30)
    detail = DetailLinkColumn()

    class Meta:
        model = Score
        fields = ["scheme", "assessee", "indicator", "points", "basis", "detail"]

    def render_assessee(self, record):
        return _assessee(record)


class AdjustmentTable(tables.Table):
    scheme = tables.Column(order_by=("scheme__title",))
    assessee = tables.Column(verbose_name="考核对象", empty_values=(), orderable=False)
    reason = ShortTextColumn(length=30)
    detail = DetailLinkColumn()

    class Meta:
        model = Adjustment
        fields = ["scheme", "assessee", "kind", "points", "reason", "detail"]

    def render_assessee(self, record):
        return _assessee(record)
