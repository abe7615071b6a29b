from rest_framework import serializers

from poverty.common.api import ScopedSerializer

from ..models import Area, Cadre, LeaderPairing, Unit, UnitPairing, VillagePosting


class AreaSerializer(ScopedSerializer):
    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "name",
            "level",
            "parent",
            "is_poor",
            "planned_exit_year",
            "actual_exit_year",
            "rural_population",
        ]
        read_only_fields = ["level", "parent"]


class UnitSerializer(ScopedSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "kind", "area", "contact_person", "contact_phone"]

    sensitive_fields = {"contact_phone": "phone"}


class CadreSerializer(ScopedSerializer):
    class Meta:
        model = Cadre
        fields = ["id", "name", "phone", "unit", "position", "is_leader"]

    sensitive_fields = {"phone": "phone"}


class DatedSerializer(ScopedSerializer):
    is_active = serializers.BooleanField(read_only=True, label="当前有效")


class VillagePostingSerializer(DatedSerializer):
    class Meta:
        model = VillagePosting
        fields = ["id", "cadre", "village", "role", "start_date", "end_date", "is_active"]


class UnitPairingSerializer(DatedSerializer):
    class Meta:
        model = UnitPairing
        fields = ["id", "unit", "village", "start_date", "end_date", "is_active"]


class LeaderPairingSerializer(DatedSerializer):
    class Meta:
        model = LeaderPairing
        fields = ["id", "leader", "area", "start_date", "end_date", "is_active"]
