"""List tables of the villages pages."""

import django_tables2 as tables

from poverty.common.tables import DatedTable, SensitiveColumn

from .models import Area, Cadre, LeaderPairing, Unit, UnitPairing, VillagePosting


class AreaTable(tables.Table):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    parent = tables.Column(order_by=("parent__code",))
    is_poor = tables.BooleanColumn(yesno="是,")

    class Meta:
        model = Area
        fields = [
            "code",
            "name",
            "level",
            "parent",
            "is_poor",
            "planned_exit_year",
            "actual_exit_year",
            "rural_population",
        ]


class UnitTable(tables.Table):
    name = tables.Column(linkify=True)
    contact_phone = SensitiveColumn(kind="phone")

    class Meta:
        model = Unit
        fields = ["name", "kind", "area", "contact_person", "contact_phone"]


class CadreTable(tables.Table):
    name = tables.Column(linkify=True)
    phone = SensitiveColumn(kind="phone")
    is_leader = tables.BooleanColumn(yesno="是,")

    class Meta:
        model = Cadre
        fields = ["name", "position", "unit", "phone", "is_leader"]


class VillagePostingTable(DatedTable):
    cadre = tables.Column(linkify=True)
    village = tables.Column(linkify=True)

    class Meta:
        model = VillagePosting
        fields = ["village", "cadre", "role", "start_date", "end_date"]


class UnitPairingTable(DatedTable):
    unit = tables.Column(linkify=True)
    village = tables.Column(linkify=True)

    class Meta:
        model = UnitPairing
        fields = ["village", "unit", "start_date", "end_date"]


class LeaderPairingTable(DatedTable):
    leader = tables.Column(linkify=True)
    area = tables.Column(linkify=True)

    class Meta:
        model = LeaderPairing
        fields = ["area", "leader", "start_date", "end_date"]
