"""Forms of the assessment: the scheme with its indicators, the groups, a score, a deduction or
bonus (the last two written through assessments.services)."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory

from accounts.models import User
from poverty.common.forms import ScopedInlineFormSet, ScopedModelForm
from poverty.common.scoping import Reach, user_area_codes
from villages.choices import AreaLevel

from .choices import SchemeStatus, Source
from .models import Adjustment, Group, Indicator, Scheme, Score

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class SchemeForm(ScopedModelForm):
    class Meta:
        model = Scheme
        fields = ["area", "title", "assessee", "start", "end", "note"]
        widgets = {"note": TEXTAREA}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = self.fields["area"].queryset.filter(level=AreaLevel.COUNTY)


class IndicatorForm(ScopedModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "source", "weight", "full_at", "rule"]


IndicatorFormSet = inlineformset_factory(
    Scheme,
    Indicator,
    form=IndicatorForm,
    formset=ScopedInlineFormSet,
    extra=3,
    can_delete=True,
)


def _open_schemes(field) -> None:
    field.queryset = field.queryset.filter(status=SchemeStatus.DRAFT)


class GroupForm(ScopedModelForm):
    class Meta:
        model = Group
        fields = ["scheme", "name", "members", "areas", "units"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _open_schemes(self.fields["scheme"])
        users = User.objects.filter(is_active=True)
        if not self.user.is_superuser:
            users = users.filter(Reach.under(user_area_codes(self.user)).q("areas__code"))
        self.fields["members"].queryset = users.distinct().order_by("username")
        self.fields["members"].label_from_instance = lambda u: f"{u.display_name}（{u.username}）"
        self.fields["areas"].queryset = self.fields["areas"].queryset.filter(
            level=AreaLevel.TOWNSHIP
        )
        for name in ("members", "areas", "units"):
            self.fields[name].widget.attrs["size"] = 8


class ScoreForm(ScopedModelForm):
    """A group member's score of an indicator the group judges."""

    class Meta:
        model = Score
        fields = ["scheme", "indicator", "assessed", "unit", "points", "basis", "evidence"]
        widgets = {"basis": TEXTAREA}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _open_schemes(self.fields["scheme"])
        self.fields["indicator"].queryset = self.fields["indicator"].queryset.filter(
            source=Source.MANUAL, scheme__status=SchemeStatus.DRAFT
        )
        self.fields["indicator"].label_from_instance = lambda i: f"{i.scheme.title}：{i}"
        self.fields["assessed"].queryset = self.fields["assessed"].queryset.filter(
            level=AreaLevel.TOWNSHIP
        )

    def clean(self):
        data = super().clean()
        indicator, scheme = data.get("indicator"), data.get("scheme")
        if indicator and scheme and indicator.scheme_id != scheme.pk:
            self.add_error("indicator", "所选指标不属于该考核方案。")
        # A second score of the same indicator and assessee replaces the first (the service
        # updates that row): validate against it, not as a duplicate of it.
        assessed, unit = data.get("assessed"), data.get("unit")
        if indicator and (assessed or unit):
            existing = Score.objects.filter(
                indicator=indicator, assessed=assessed, unit=unit
            ).first()
            if existing is not None:
                self.instance = existing
        return data


class AdjustmentForm(ScopedModelForm):
    class Meta:
        model = Adjustment
        fields = ["scheme", "assessed", "unit", "kind", "points", "reason", "evidence"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _open_schemes(self.fields["scheme"])
        self.fields["assessed"].queryset = self.fields["assessed"].queryset.filter(
            level=AreaLevel.TOWNSHIP
        )
