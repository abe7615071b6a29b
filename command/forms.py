"""Forms of the command app: model forms scoped by ScopedModelForm, and the step forms whose
work command.services does."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.forms import inlineformset_factory
from django.utils import timezone

from households.models import Household
from inspections.models import Finding
from poverty.common.areacodes import level_of
from poverty.common.forms import ScopedInlineFormSet, ScopedModelForm
from poverty.common.models import UPLOAD_EXTENSIONS
from poverty.common.scoping import user_area_codes
from poverty.common.uploads import validate_evidence
from projects.models import Project
from villages.choices import AreaLevel
from villages.models import Area

from .models import (
    COMMAND_LEVELS,
    Body,
    BodyMember,
    Decision,
    DispatchMeeting,
    KeyTask,
    MeetingAttendee,
    Milestone,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _command_areas(field) -> None:
    field.queryset = field.queryset.filter(level__in=COMMAND_LEVELS)


def _leaders(field) -> None:
    field.queryset = field.queryset.filter(is_leader=True)


class BodyForm(ScopedModelForm):
    class Meta:
        model = Body
        fields = ["name", "kind", "area", "parent", "duties", "areas", "units", "sort"]
        widgets = {"duties": TEXTAREA}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _command_areas(self.fields["area"])
        self.fields["areas"].queryset = self.fields["areas"].queryset.filter(
            level__in=(AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
        )
        self.fields["areas"].widget.attrs["size"] = 8
        self.fields["units"].widget.attrs["size"] = 8


class BodyMemberForm(ScopedModelForm):
    class Meta:
        model = BodyMember
        fields = ["body", "cadre", "role", "duty", "start_date", "end_date"]


class KeyTaskForm(ScopedModelForm):
    class Meta:
        model = KeyTask
        fields = [
            "area",
            "year",
            "number",
            "title",
            "target",
            "body",
            "lead",
            "guarantor",
            "lead_unit",
            "head",
            "units",
            "deadline",
        ]
        widgets = {"target": TEXTAREA}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _command_areas(self.fields["area"])
        for name in ("lead", "guarantor"):
            _leaders(self.fields[name])
        self.fields["units"].widget.attrs["size"] = 6


class MilestoneForm(ScopedModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "planned"]

    def clean_planned(self):
        """A milestone's plan is kept as it stood once its day has passed: moving it would
        turn an overdue milestone on plan after the fact (a new date is a new decision)."""
        planned = self.cleaned_data["planned"]
        old = self.instance.planned if self.instance.pk else None
        if old and planned != old and (self.instance.done_on or old < timezone.localdate()):
            raise ValidationError(
                f"该节点的计划日期（{old:%Y-%m-%d}）已过或节点已完成，不能再改期；"
                "如需调整，请在调度会上研究并交办。"
            )
        return planned


class MilestoneFormSet(ScopedInlineFormSet):
    def clean(self) -> None:
        super().clean()
        for form in self.deleted_forms:
            milestone = form.instance
            if milestone.pk and (milestone.done_on or milestone.days_overdue()):
                raise ValidationError(f"节点“{milestone.title}”已完成或已逾期，不能删除。")


MilestoneFormSetFactory = inlineformset_factory(
    KeyTask,
    Milestone,
    form=MilestoneForm,
    formset=MilestoneFormSet,
    extra=3,
    can_delete=True,
)


class ProgressForm(forms.Form):
    text = forms.CharField(label="进展情况", widget=TEXTAREA, max_length=2000)
    percent = forms.IntegerField(label="总体进度(%)", min_value=0, max_value=100)
    milestone = forms.ModelChoiceField(
        label="本次完成的节点", queryset=Milestone.objects.none(), required=False
    )
    reported_on = forms.DateField(
        label="报告日期", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    file = forms.FileField(
        label="佐证材料",
        required=False,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS), validate_evidence],
        help_text="照片或扫描件（jpg、png、pdf）。",
    )

    def __init__(self, *args, task: KeyTask, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = task.milestones.open()
        self.fields["milestone"].label_from_instance = lambda m: (
            f"{m.title}（计划{m.planned:%Y-%m-%d}）"
        )
        self.fields["percent"].initial = task.percent


class MeetingForm(ScopedModelForm):
    """The meeting and what it reviewed, picked from the live lists of the user's areas: open
    key tasks, findings not closed, projects behind plan, households past their deadline."""

    class Meta:
        model = DispatchMeeting
        fields = [
            "area",
            "held_on",
            "topic",
            "body",
            "convener",
            "place",
            "tasks",
            "findings",
            "projects",
            "households",
            "summary",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "tasks": forms.CheckboxSelectMultiple,
            "findings": forms.CheckboxSelectMultiple,
            "projects": forms.CheckboxSelectMultiple,
            "households": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["area"].queryset = fields["area"].queryset.exclude(
            level__in=(AreaLevel.PROVINCE, AreaLevel.CITY)
        )
        # The live lists are the meeting area's: a county's would be every open finding and
        # overdue household of the county (the list page links 记录调度会 per township).
        area = self._meeting_area()
        under = [area.code] if area is not None else []
        user = self.user
        fields["tasks"].queryset = KeyTask.objects.restrict(user).under(under).open()
        fields["findings"].queryset = (
            Finding.objects.restrict(user)
            .under(under)
            .unclosed()
            .select_related("area")
            .order_by("deadline")
        )
        fields["findings"].label_from_instance = lambda f: (
            f"{f.area.name}：{f.description[:30]}（时限{f.deadline:%m-%d}）"
        )
        fields["projects"].queryset = Project.objects.restrict(user).under(under).overdue()
        fields["households"].queryset = (
            Household.objects.restrict(user)
            .under(under)
            .overdue()
            .with_head()
            .select_related("village")
        )
        fields["households"].label_from_instance = lambda h: (
            f"{h.village.name} {h.code} {h.head_name or ''}（计划{h.planned_exit_year}年）"
        )
        if area is None:
            for name in ("tasks", "findings", "projects", "households"):
                fields[
                    name
                ].help_text = (
                    "先选择调度区域并刷新本页（或从调度会列表的“记录”进入），即列出该区域的事项。"
                )
        self._keep_reviewed()

    def _meeting_area(self) -> Area | None:
        """The area whose live lists the form offers: the meeting's, the one chosen (posted, or
        in the address: ?area=), else the user's only area if it is a township or village."""
        if self.instance.pk:
            return self.instance.area
        chosen = self.data.get("area") or self.initial.get("area")
        areas = Area.objects.restrict(self.user)
        if chosen:
            return areas.filter(pk=chosen).first() if str(chosen).isdigit() else None
        codes = user_area_codes(self.user)
        if len(codes) != 1 or level_of(codes[0]) not in (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE):
            return None
        return areas.filter(code=codes[0]).first()

    def _keep_reviewed(self) -> None:
        """An edited meeting keeps what it reviewed even if it has since left the live list
        (a finding closed after the meeting)."""
        if not self.instance.pk:
            return
        for name in ("tasks", "findings", "projects", "households"):
            model = self.fields[name].queryset.model
            kept = getattr(self.instance, name).values_list("pk", flat=True)
            self.fields[name].queryset = self.fields[name].queryset | model.objects.restrict(
                self.user
            ).filter(pk__in=list(kept))


class AttendeeForm(ScopedModelForm):
    class Meta:
        model = MeetingAttendee
        fields = ["cadre", "present", "note"]


AttendeeFormSet = inlineformset_factory(
    DispatchMeeting,
    MeetingAttendee,
    form=AttendeeForm,
    formset=ScopedInlineFormSet,
    extra=4,
    can_delete=True,
)


class DecisionForm(ScopedModelForm):
    class Meta:
        model = Decision
        fields = ["meeting", "area", "text", "owner", "owner_unit", "deadline"]
        widgets = {"text": TEXTAREA}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = self.fields["area"].queryset.exclude(
            level__in=(AreaLevel.PROVINCE, AreaLevel.CITY)
        )
        self.fields["area"].required = False  # the meeting's own area when left empty
        meeting_id = self.initial.get("meeting") or self.data.get("meeting")
        # Not every meeting the user may see (a county holds hundreds a year): the one the
        # decision came from, else those of the last two months.
        meetings = self.fields["meeting"].queryset.select_related("area")
        if self.instance.pk:  # a decision stays with the meeting that made it
            meetings = meetings.filter(pk=self.instance.meeting_id)
            self.fields["meeting"].disabled = True
        elif meeting_id and str(meeting_id).isdigit():
            meetings = meetings.filter(pk=meeting_id)
        else:
            since = timezone.localdate() - datetime.timedelta(days=60)
            meetings = meetings.filter(held_on__gte=since)
        self.fields["meeting"].queryset = meetings.order_by("-held_on")
        if not self.instance.pk and meeting_id and not self.initial.get("area"):
            meeting = DispatchMeeting.objects.restrict(self.user).filter(pk=meeting_id).first()
            if meeting is not None:
                self.initial["area"] = meeting.area_id

    def clean(self):
        data = super().clean()
        meeting = data.get("meeting")
        if meeting is not None and not data.get("area"):
            data["area"] = meeting.area
            self.instance.area = meeting.area
        return data


class DecisionDoneForm(forms.Form):
    note = forms.CharField(label="办结情况", widget=TEXTAREA, max_length=2000)
    done_on = forms.DateField(
        label="办结日期", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )


class FollowUpForm(forms.Form):
    """One note (and a 办结 box) per decision the meeting's agenda carried forward."""

    def __init__(self, *args, decisions: list[Decision], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.decisions = decisions
        for decision in decisions:
            self.fields[f"note_{decision.pk}"] = forms.CharField(
                label=str(decision), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"done_{decision.pk}"] = forms.BooleanField(label="已办结", required=False)

    def rows(self):
        for decision in self.decisions:
            yield decision, self[f"note_{decision.pk}"], self[f"done_{decision.pk}"]

    def notes(self) -> dict[int, tuple[str, bool]]:
        return {
            d.pk: (self.cleaned_data[f"note_{d.pk}"], self.cleaned_data[f"done_{d.pk}"])
            for d in self.decisions
        }
