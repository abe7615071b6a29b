from poverty.common.api import ScopedSerializer

from ..models import Adjustment, Scheme, Score


class SchemeSerializer(ScopedSerializer):
    class Meta:
        model = Scheme
        fields = ["id", "area", "title", "assessee", "start", "end", "status", "published_on"]


class ScoreSerializer(ScopedSerializer):
    class Meta:
        model = Score
        fields = ["id", "scheme", "indicator", "assessed", "unit", "rate", "points", "basis"]


class AdjustmentSerializer(ScopedSerializer):
    class Meta:
        model = Adjustment
        fields = ["id", "scheme", "assessed", "unit", "kind", "points", "reason"]
