"""Forms of the projects app: model forms scoped by ScopedModelForm, and the plain step forms
whose work the services do."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory

from poverty.common.forms import ScopedInlineFormSet, ScopedModelForm
from villages.choices import AreaLevel
from villages.models import Area

from .choices import DEFAULT_DURATIONS, Stage
from .models import (
    Beneficiary,
    Disclosure,
    FundEntry,
    HelpPairing,
    HelpTeamMember,
    HelpYear,
    Objection,
    Project,
    ProjectApproval,
    areas_outside,
    outside_message,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(ScopedModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "project_type",
            "year",
            "area",
            "areas",
            "implementer",
            "unit",
            "manager",
            "team",
            "description",
            "help_pairing",
            "help_deliverable",
            "expected_households",
            "expected_persons",
            "expected_income_increase",
        ]
        widgets = {
            "areas": forms.SelectMultiple(attrs={"size": 8}),
            "team": forms.SelectMultiple(attrs={"size": 6}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = self.fields["areas"].queryset.filter(
            level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
        )
        for name in ("manager", "team"):
            self.fields[name].queryset = self.fields[name].queryset.select_related("unit")
        self.fields["areas"].help_text = "按住Ctrl可多选。" + str(self.fields["areas"].help_text)

    def clean(self):
        data = super().clean()
        area, served = data.get("area"), data.get("areas")
        if area and served and (outside := areas_outside(area, served)):
            self.add_error("areas", outside_message(area, outside))
        return data


class StageForm(forms.Form):
    """Record the next stage as reached."""

    actual_date = forms.DateField(label="实际完成日期", widget=DATE)
    evidence = forms.CharField(
        label="完成情况/依据",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如：入库批复文号、开工报告、验收意见、带贫效果。",
    )
    evidence_file = forms.FileField(label="附件", required=False)


class PlanBackwardsForm(forms.Form):
    """倒排工期: the 见效 deadline and the days each stage takes after the one before."""

    deadline = forms.DateField(label="见效期限", widget=DATE)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for stage, days in DEFAULT_DURATIONS.items():
            self.fields[f"days_{stage}"] = forms.IntegerField(
                label=f"{Stage(stage - 1).label}→{Stage(stage).label}（天）",
                min_value=0,
                max_value=3650,
                initial=days,
            )

    def durations(self) -> dict[int, int]:
        return {stage: self.cleaned_data[f"days_{stage}"] for stage in DEFAULT_DURATIONS}


class ScheduleForm(forms.Form):
    """Planned dates of the six stages, by hand; stages already done are shown, not editable."""

    def __init__(self, *args, stages, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for row in stages:
            self.fields[f"stage_{row.stage}"] = forms.DateField(
                label=f"{row.get_stage_display()}计划日期",
                required=False,
                initial=row.planned_date,
                widget=DATE,
                disabled=not row.is_open,
                help_text=f"已于{row.actual_date:%Y-%m-%d}完成" if not row.is_open else "",
            )

    def plan(self) -> dict:
        return {
            int(name.removeprefix("stage_")): value
            for name, value in self.cleaned_data.items()
            if not self.fields[name].disabled
        }


class FundEntryForm(ScopedModelForm):
    class Meta:
        model = FundEntry
        fields = ["project", "source", "kind", "amount", "date", "document", "note"]


class ProjectApprovalForm(ScopedModelForm):
    class Meta:
        model = ProjectApproval
        fields = ["project", "unit", "decision", "decided_on", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}


class BeneficiaryForm(ScopedModelForm):
    """Choices narrow to the project's served areas and to the chosen household's measures."""

    class Meta:
        model = Beneficiary
        fields = ["project", "household", "measure", "note"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        project = self._chosen("project", self.fields["project"].queryset)
        households = self.fields["household"].queryset.with_head()
        if project is not None:
            households = households.under(project.served_codes())
            self.fields["household"].error_messages["invalid_choice"] = (
                f"所选贫困户不在项目“{project.name}”覆盖的村内。"
            )
        self.fields["household"].queryset = households
        # The search box offers only the chosen project's households.
        self.fields["household"].widget.url_name = "projects:beneficiary_household_pick"
        self.fields["household"].widget.forward = ("project",)
        household = self._chosen("household", households)
        measures = self.fields["measure"].queryset
        self.fields["measure"].queryset = (
            measures.filter(household=household) if household else measures.none()
        )

    def _chosen(self, name: str, queryset):
        """The object named by the POST data, the ?name= preset or the instance, if visible."""
        pk = (
            self.data.get(name)
            or self.initial.get(name)
            or getattr(self.instance, f"{name}_id", None)
        )
        try:
            return queryset.filter(pk=int(pk)).first() if pk else None
        except (TypeError, ValueError):
            return None


class AddBeneficiariesForm(forms.Form):
    """Tick the households of the served villages that the project lifts."""

    households = forms.ModelMultipleChoiceField(
        label="受益户", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="受益方式", required=False, help_text="如：入股分红、务工。")
    with_measure = forms.BooleanField(
        label="同时为每户登记一条帮扶措施（类别按项目类型）", required=False, initial=True
    )

    def __init__(self, *args, households, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["households"].queryset = households
        self.fields["households"].label_from_instance = lambda h: (
            f"{h.code} {h.head_name or ''}（{h.village.name}{h.group}）"
        )


class DisclosureForm(ScopedModelForm):
    class Meta:
        model = Disclosure
        fields = ["project", "title", "content", "location", "start_date", "end_date", "phone"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3})}


class ObjectionForm(forms.ModelForm):
    class Meta:
        model = Objection
        fields = ["received_on", "raised_by", "content", "answer", "answered_on"]
        widgets = {
            "received_on": DATE,
            "answered_on": DATE,
            "content": forms.Textarea(attrs={"rows": 2}),
            "answer": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, action=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)


class BaseObjectionFormSet(ScopedInlineFormSet):
    def clean(self) -> None:
        super().clean()
        disclosure = self.instance
        for form in self.forms:
            received = form.cleaned_data.get("received_on") if form.cleaned_data else None
            if received and disclosure.start_date and received < disclosure.start_date:
                form.add_error("received_on", "异议受理日期不能早于公示开始日期。")


ObjectionFormSet = inlineformset_factory(
    Disclosure,
    Objection,
    form=ObjectionForm,
    formset=BaseObjectionFormSet,
    extra=1,
    can_delete=True,
)


class HelpPairingForm(ScopedModelForm):
    class Meta:
        model = HelpPairing
        fields = ["helper", "helper_area", "township", "start", "end", "agreement"]
        widgets = {"agreement": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = self.fields["township"].queryset.filter(level="township")
        # A helper in our tree may lie outside the user's own areas (another county).
        self.fields["helper_area"].queryset = Area.objects.filter(
            level__in=["county", "city"]
        ).order_by("code")


class HelpYearForm(ScopedModelForm):
    class Meta:
        model = HelpYear
        fields = ["year", "revenue", "committed"]


HelpYearFormSet = inlineformset_factory(
    HelpPairing,
    HelpYear,
    form=HelpYearForm,
    formset=ScopedInlineFormSet,
    extra=2,
    can_delete=True,
)


class HelpTeamMemberForm(ScopedModelForm):
    class Meta:
        model = HelpTeamMember
        fields = [
            "pairing",
            "name",
            "role",
            "position",
            "county_leader",
            "on_site_from",
            "on_site_until",
        ]
