"""Forms of the villages pages."""

from poverty.common.forms import IdNumberFormMixin, ScopedModelForm

from .models import Area, Cadre, LeaderPairing, Unit, UnitPairing, VillagePosting


class AreaForm(ScopedModelForm):
    class Meta:
        model = Area
        fields = [
            "code",
            "name",
            "is_poor",
            "planned_exit_year",
            "actual_exit_year",
            "rural_population",
            "visit_interval_days",
            "latitude",
            "longitude",
        ]


class UnitForm(ScopedModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "area", "contact_person", "contact_phone"]


class CadreForm(IdNumberFormMixin, ScopedModelForm):
    """The ID number is optional; with it the quality rules find cadres registered as poor."""

    id_number_required = False

    class Meta:
        model = Cadre
        fields = ["name", "phone", "unit", "position", "is_leader"]


class VillagePostingForm(ScopedModelForm):
    class Meta:
        model = VillagePosting
        fields = ["cadre", "village", "role", "start_date", "end_date"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = self.fields["village"].queryset.filter(level="village")
        self.fields["cadre"].queryset = self.fields["cadre"].queryset.select_related("unit")


class UnitPairingForm(ScopedModelForm):
    class Meta:
        model = UnitPairing
        fields = ["unit", "village", "start_date", "end_date"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = self.fields["village"].queryset.filter(level="village")


class LeaderPairingForm(ScopedModelForm):
    class Meta:
        model = LeaderPairing
        fields = ["leader", "area", "start_date", "end_date"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = self.fields["leader"].queryset.filter(is_leader=True)
        self.fields["area"].queryset = self.fields["area"].queryset.filter(
            level__in=["township", "village"]
        )
