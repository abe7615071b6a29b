"""Pages of the command app: the structure (list, tree, each body, each person's duties), key
tasks with milestones and progress reports, dispatch meetings with attendance, the items they
reviewed, decisions carried forward and printable minutes, and the decisions themselves."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from poverty.common.views import (
    ObjectActionView,
    ObjectCreateView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)
from villages.models import Cadre

from . import forms, selectors, services
from .choices import DecisionStatus
from .models import Body, BodyMember, Decision, DispatchMeeting, KeyTask
from .tables import BodyTreeTable


class BodyListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("area", "parent").annotate(
            member_count=selectors.sitting_members()
        )


class BodyTreeView(ObjectListView):
    """The command structure drawn as a tree (指挥体系图)."""

    model = Body
    template_name = "command/body_tree.html"
    table_class = BodyTreeTable
    per_page = 500

    def get_table_data(self):
        return selectors.body_tree(self.object_list)


class BodyDetailView(ObjectDetailView):
    select_related = ("area", "parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        body, user = self.object, self.request.user
        members = BodyMember.objects.restrict(user).filter(body=body).select_related("cadre__unit")
        context["members"] = [m for m in members if m.is_active]
        context["former"] = [m for m in members if not m.is_active]
        context["children"] = list(Body.objects.restrict(user).filter(parent=body))
        context["tasks"] = list(
            KeyTask.objects.restrict(user).filter(body=body).with_state().select_related("lead")
        )
        context["areas"] = list(body.areas.order_by("code"))
        context["units"] = list(body.units.order_by("name"))
        context["can_add_member"] = user.has_perm("command.add_bodymember")
        return context


class KeyTaskListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.with_state().select_related("area", "lead", "lead_unit")


class KeyTaskDetailView(ObjectDetailView):
    select_related = ("area", "body", "lead", "guarantor", "lead_unit", "head")

    def get_queryset(self):
        return super().get_queryset().with_state()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task = self.object
        context["milestones"] = list(task.milestones.all())
        context["reports"] = list(
            task.reports.select_related("milestone", "recorded_by").order_by("-reported_on", "-pk")
        )
        context["units"] = list(task.units.order_by("name"))
        context["today"] = timezone.localdate()
        return context


class KeyTaskCreateView(ObjectCreateView):
    formset_class = forms.MilestoneFormSetFactory
    extra_context = {"formset_title": "工作节点（倒排工期：每个节点的计划完成日期）"}


class KeyTaskEditView(ObjectEditView):
    formset_class = forms.MilestoneFormSetFactory
    extra_context = KeyTaskCreateView.extra_context


class ReportView(ObjectActionView):
    """报告进展: a progress report on the task, which may complete a milestone or the task."""

    model = KeyTask
    form_class = forms.ProgressForm
    title = "报告工作进展"
    success_message = "工作进展已记录。"
    submit_label = "提交进展"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["task"] = self.object
        return kwargs

    def perform(self, form) -> None:
        data = form.cleaned_data
        services.report_progress(
            task=self.object,
            by=self.request.user,
            text=data["text"],
            percent=data["percent"],
            milestone=data["milestone"],
            file=data["file"],
            on=data["reported_on"],
        )


class MeetingListView(ObjectListView):
    template_name = "command/dispatchmeeting_list.html"

    def scoped_queryset(self, queryset):
        return queryset.select_related("area", "convener").annotate(
            decision_count=Count("decisions")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rhythm"] = selectors.dispatch_rhythm(self.request.user)
        return context


class MeetingDetailView(ObjectDetailView):
    select_related = ("area", "body", "convener", "recorded_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(meeting_context(self.object, self.request.user))
        context["can_decide"] = self.request.user.has_perm("command.add_decision")
        return context


def meeting_context(meeting: DispatchMeeting, user) -> dict:
    """What the meeting page and its printed minutes show."""
    decisions = Decision.objects.restrict(user).select_related("owner", "owner_unit", "area")
    carried = list(decisions.carried_to(meeting).select_related("meeting"))
    heard = {
        f.decision_id: f for f in meeting.follow_ups.filter(decision__in=[d.pk for d in carried])
    }
    return {
        "attendees": list(meeting.attendees.select_related("cadre__unit")),
        "reviewed": {
            "重点工作": list(meeting.tasks.restrict(user).with_state()),
            "督查问题": list(meeting.findings.restrict(user).select_related("area", "unit")),
            "滞后项目": list(meeting.projects.restrict(user)),
            "超期未脱贫户": list(meeting.households.restrict(user).with_head()),
        },
        "carried": [(d, heard.get(d.pk)) for d in carried],
        "decisions": list(decisions.filter(meeting=meeting)),
    }


class MeetingCreateView(ObjectCreateView):
    formset_class = forms.AttendeeFormSet
    extra_context = {"formset_title": "参会人员（缺席的请去掉“出席”并写明原因）"}

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()


class MeetingEditView(ObjectEditView):
    formset_class = forms.AttendeeFormSet
    extra_context = MeetingCreateView.extra_context


class FollowUpView(ObjectActionView):
    """The agenda's carried decisions: what was heard of each, and which are now 办结."""

    model = DispatchMeeting
    form_class = forms.FollowUpForm
    title = "前期交办事项跟进"
    success_message = "跟进情况已记录。"
    submit_label = "保存跟进情况"
    template_name = "command/follow_up.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        carried = Decision.objects.restrict(self.request.user, "change").carried_to(self.object)
        kwargs["decisions"] = list(carried.select_related("owner").order_by("deadline", "pk"))
        if self.request.method == "GET":
            heard = dict(self.object.follow_ups.values_list("decision_id", "note"))
            kwargs["initial"] = {f"note_{k}": v for k, v in heard.items()}
        return kwargs

    def perform(self, form) -> None:
        services.record_follow_ups(meeting=self.object, by=self.request.user, notes=form.notes())


class MinutesView(ObjectDetailView):
    """The minutes (会议纪要) on A4, for printing."""

    model = DispatchMeeting
    select_related = MeetingDetailView.select_related
    template_name = "command/minutes.html"

    def get_template_names(self) -> list[str]:
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(meeting_context(self.object, self.request.user))
        return context


class DecisionListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("area", "owner", "owner_unit")


class DecisionDetailView(ObjectDetailView):
    select_related = ("area", "owner", "owner_unit", "meeting", "meeting__area", "done_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["follow_ups"] = list(
            self.object.follow_ups.select_related("meeting").order_by("meeting__held_on")
        )
        context["open"] = self.object.status == DecisionStatus.OPEN
        return context


class DecisionDoneView(ObjectActionView):
    model = Decision
    form_class = forms.DecisionDoneForm
    title = "办结"
    success_message = "事项已办结。"
    submit_label = "确认办结"

    def perform(self, form) -> None:
        services.decision_done(
            decision=self.object,
            by=self.request.user,
            note=form.cleaned_data["note"],
            on=form.cleaned_data["done_on"],
        )


class CadreDutiesView(ObjectDetailView):
    """A person's page in the command structure: every body they sit on, the key tasks they
    lead or guarantee, the decisions put to them."""

    model = Cadre
    select_related = ("unit",)
    template_name = "command/cadre_duties.html"

    def get_template_names(self) -> list[str]:
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["duties"] = selectors.duties_of(self.object, self.request.user)
        return context
