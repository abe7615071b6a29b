"""Forms: a standard with its indicators, a reading, and each step of the procedure."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory

from poverty.common.forms import ScopedInlineFormSet, ScopedModelForm
from villages.choices import AreaLevel

from .choices import RECORDED
from .models import Item, Reading, Rehearsal, Standard

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class StandardForm(ScopedModelForm):
    class Meta:
        model = Standard
        fields = ["area", "level", "year", "title", "note"]
        widgets = {"note": TEXTAREA}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = self.fields["area"].queryset.filter(
            level__in=[AreaLevel.PROVINCE, AreaLevel.COUNTY]
        )


class ItemForm(ScopedModelForm):
    class Meta:
        model = Item
        fields = ["name", "kind", "threshold", "unit", "note", "sort"]


ItemFormSet = inlineformset_factory(
    Standard, Item, form=ItemForm, formset=ScopedInlineFormSet, extra=3, can_delete=True
)


class ReadingForm(ScopedModelForm):
    class Meta:
        model = Reading
        fields = ["item", "area", "met", "value", "note", "evidence"]
        widgets = {
            "note": TEXTAREA,
            "met": forms.Select(choices=[("", "请选择"), ("true", "是"), ("false", "否")]),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        items = self.fields["item"].queryset.filter(kind__in=RECORDED)
        self.fields["item"].queryset = items.select_related("standard").order_by(
            "-standard__year", "standard", "sort", "pk"
        )
        self.fields["item"].label_from_instance = lambda i: f"{i.standard.title}：{i.name}"
        self.fields["area"].queryset = self.fields["area"].queryset.filter(
            level__in=[AreaLevel.VILLAGE, AreaLevel.COUNTY], is_poor=True
        )
        self.fields["met"] = forms.NullBooleanField(
            label="是否达到",
            required=False,
            widget=forms.Select(
                choices=[("", "（数值类指标不填）"), ("true", "是"), ("false", "否")]
            ),
        )


class StepForm(forms.Form):
    note = forms.CharField(label="意见与依据", widget=TEXTAREA, required=False)
    evidence = forms.FileField(label="佐证材料", required=False)


class ProposeForm(StepForm):
    override_reason = forms.CharField(
        label="未全部达标仍申请的理由",
        widget=TEXTAREA,
        required=False,
        help_text="仅在指标未全部达到时填写，须有相应权限；理由和未达标项将记入档案。",
    )


class PubliciseForm(forms.Form):
    start = forms.DateField(label="公示开始", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="公示结束", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="公示地点", max_length=100)
    note = forms.CharField(label="说明", widget=TEXTAREA, required=False)
    evidence = forms.FileField(label="公示照片", required=False)


class RehearsalForm(ScopedModelForm):
    class Meta:
        model = Rehearsal
        fields = [
            "area",
            "year",
            "title",
            "villages_wanted",
            "exited_per_village",
            "remaining_per_village",
            "others_per_village",
            "seed",
            "note",
        ]
        widgets = {"note": TEXTAREA}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = self.fields["area"].queryset.filter(level=AreaLevel.COUNTY)


YES_NO = [("", "请选择"), ("true", "是"), ("false", "否")]


class SurveyForm(forms.Form):
    """The questionnaire, as the assessors ask it at the door (phone-sized)."""

    surveyed_on = forms.DateField(label="调查日期", widget=forms.DateInput(attrs={"type": "date"}))
    head_name = forms.CharField(label="户主姓名", max_length=30, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)
    persons = forms.IntegerField(label="家庭人口", min_value=1, max_value=30)
    wage = forms.DecimalField(label="工资性收入（元）", min_value=0, required=False)
    business = forms.DecimalField(label="生产经营性收入（元）", min_value=0, required=False)
    property_income = forms.DecimalField(label="财产性收入（元）", min_value=0, required=False)
    transfer = forms.DecimalField(label="转移性收入（元）", min_value=0, required=False)
    business_costs = forms.DecimalField(label="生产经营支出（元）", min_value=0, required=False)
    income = forms.DecimalField(
        label="人均纯收入（元）",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="按收入分项填写时自动计算（全年纯收入 ÷ 家庭人口），无需填写。",
    )
    food = forms.NullBooleanField(label="不愁吃", widget=forms.Select(choices=YES_NO))
    clothing = forms.NullBooleanField(label="不愁穿", widget=forms.Select(choices=YES_NO))
    education = forms.NullBooleanField(label="义务教育有保障", widget=forms.Select(choices=YES_NO))
    medical = forms.NullBooleanField(label="基本医疗有保障", widget=forms.Select(choices=YES_NO))
    housing = forms.NullBooleanField(label="住房安全有保障", widget=forms.Select(choices=YES_NO))
    water = forms.NullBooleanField(label="饮水安全有保障", widget=forms.Select(choices=YES_NO))
    satisfied = forms.NullBooleanField(
        label="认可帮扶工作和退出结果",
        required=False,
        widget=forms.Select(choices=YES_NO),
        help_text="建档立卡户必答；非建档立卡户可不答。",
    )
    note = forms.CharField(label="调查记录", widget=TEXTAREA, required=False)
