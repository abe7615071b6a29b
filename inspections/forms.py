"""Forms of the inspections app: model forms scoped by ScopedModelForm, and the step forms of
rectification whose work the services do."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory

from households.models import Household
from poverty.common.forms import ScopedInlineFormSet, ScopedModelForm
from villages.choices import AreaLevel

from .models import Accountability, Finding, Inspection, Pledge, PledgeTarget

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class PledgeForm(ScopedModelForm):
    class Meta:
        model = Pledge
        fields = [
            "kind",
            "year",
            "area",
            "pledger",
            "pledger_unit",
            "recipient",
            "household",
            "signed_on",
            "document",
            "content",
        ]
        widgets = {"content": TEXTAREA}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = self.fields["area"].queryset.exclude(
            level__in=[AreaLevel.PROVINCE, AreaLevel.CITY]
        )
        household = self.fields["household"]
        household.queryset = Household.objects.restrict(self.user, "view").with_head()
        household.label_from_instance = lambda h: f"{h.code} {h.head_name or ''}"


class PledgeTargetForm(ScopedModelForm):
    class Meta:
        model = PledgeTarget
        fields = ["metric", "target", "stage"]


PledgeTargetFormSet = inlineformset_factory(
    Pledge,
    PledgeTarget,
    form=PledgeTargetForm,
    formset=ScopedInlineFormSet,
    extra=3,
    can_delete=True,
)


class InspectionForm(ScopedModelForm):
    class Meta:
        model = Inspection
        fields = [
            "kind",
            "title",
            "area",
            "areas",
            "leader",
            "team",
            "start_date",
            "end_date",
            "summary",
        ]
        widgets = {"areas": forms.SelectMultiple(attrs={"size": 6}), "summary": TEXTAREA}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = self.fields["area"].queryset.filter(
            level__in=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP]
        )

    def clean(self):
        data = super().clean()
        area, covered = data.get("area"), data.get("areas")
        if area and covered:
            outside = [a.name for a in covered if not a.code.startswith(area.prefix)]
            if outside:
                self.add_error(
                    "areas", f"督查范围须在组织区域“{area.name}”内：{'、'.join(outside)}。"
                )
        return data


class FindingForm(ScopedModelForm):
    class Meta:
        model = Finding
        fields = [
            "inspection",
            "category",
            "severity",
            "subject",
            "household",
            "area",
            "project",
            "subject_unit",
            "description",
            "requirement",
            "unit",
            "person",
            "found_on",
            "deadline",
        ]
        widgets = {"description": TEXTAREA, "requirement": TEXTAREA}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        household = self.fields["household"]
        household.queryset = Household.objects.restrict(self.user, "view").with_head()
        household.label_from_instance = lambda h: f"{h.code} {h.head_name or ''}"
        self.fields["person"].queryset = self.fields["person"].queryset.select_related("unit")
        self.fields["person"].label_from_instance = lambda c: f"{c.name}（{c.unit.name}）"
        self.fields["area"].help_text = "对象为行政村时必选；其他对象按对象自动填写。"
        if self.instance.pk:
            # Once set, the deadline moves only by an approved extension request (延期申请).
            self.fields["deadline"].disabled = True
            self.fields["deadline"].help_text = "整改时限只能通过“申请延期”并经审批后变更。"


class PlanForm(forms.Form):
    plan = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 4}))


class ProgressForm(forms.Form):
    note = forms.CharField(label="整改进展", widget=TEXTAREA)
    file = forms.FileField(
        label="佐证材料", required=False, help_text="照片或扫描件（jpg、png、pdf）。"
    )


class SubmitForm(forms.Form):
    note = forms.CharField(label="整改完成情况", widget=TEXTAREA)
    file = forms.FileField(
        label="佐证材料",
        required=False,
        help_text="照片或扫描件；此前的整改进展已上传材料的可不再上传。",
    )


class VerifyForm(forms.Form):
    note = forms.CharField(label="验收意见", widget=TEXTAREA)


class ExtensionRequestForm(forms.Form):
    deadline = forms.DateField(
        label="申请延期至", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label="延期理由", widget=TEXTAREA, help_text="说明不能按期完成的原因和保证措施。"
    )


class ExtensionDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审批结果",
        choices=[("1", "批准延期"), ("0", "不予延期")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="审批意见", widget=TEXTAREA)


class RejectForm(forms.Form):
    note = forms.CharField(label="退回理由", widget=TEXTAREA, help_text="说明哪些方面未整改到位。")


class AccountabilityForm(ScopedModelForm):
    class Meta:
        model = Accountability
        fields = ["finding", "kind", "person", "unit", "decided_on", "document", "reason"]
        widgets = {"reason": TEXTAREA}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = self.fields["finding"].queryset.select_related(
            "inspection"
        )
