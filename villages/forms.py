"""Forms of the villages pages."""

from django import forms

from poverty.common.excel import ExcelError, Limits
from poverty.common.forms import IdNumberFormMixin, ScopedModelForm
from poverty.common.tabular import check_file

from .imports import MAX_BYTES
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


class AreaImportForm(forms.Form):
    file = forms.FileField(
        label="统计用区划代码表",
        help_text="国家统计局的统计用区划代码和城乡划分代码表：列为“统计用区划代码”“城乡分类代码”“名称”；"
        ".xlsx、.xls 或 .csv。先预览，确认后才写入。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_file(upload, Limits.for_upload(MAX_BYTES))
        except ExcelError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload
