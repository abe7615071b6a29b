from poverty.common.api import ScopedSerializer

from ..models import ExitStep, Reading, Standard


class StandardSerializer(ScopedSerializer):
    class Meta:
        model = Standard
        fields = ["id", "area", "level", "year", "title", "note"]


class ReadingSerializer(ScopedSerializer):
    class Meta:
        model = Reading
        fields = ["id", "item", "area", "met", "value", "note", "recorded_at"]


class ExitStepSerializer(ScopedSerializer):
    class Meta:
        model = ExitStep
        fields = [
            "id",
            "area",
            "year",
            "step",
            "taken_at",
            "note",
            "publicity_start",
            "publicity_end",
        ]
