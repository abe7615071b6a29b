"""One FilterSet per model, shared by the list pages and the API."""

from __future__ import annotations

import django_filters

from poverty.common.filters import (
    ActiveFilter,
    IntegerFilter,
    RuleFilter,
    SearchFilter,
    scoped_choices,
    within_area,
)
from villages.models import Cadre, Unit

from .choices import BodyKind, DecisionStatus, MemberRole, TaskState
from .models import (
    Body,
    BodyMember,
    Decision,
    DispatchMeeting,
    KeyTask,
    ProgressReport,
)


class BodyFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("name", "duties"), help_text="机构名称或职责")
    within = within_area("所属县/乡镇")
    kind = django_filters.ChoiceFilter(label="类别", choices=BodyKind.choices)

    class Meta:
        model = Body
        fields = ["q", "within", "kind"]


class BodyMemberFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("cadre__name", "body__name", "duty"), help_text="姓名或机构")
    within = within_area("机构所属区域")
    body = django_filters.ModelChoiceFilter(label="机构", queryset=scoped_choices(Body))
    role = django_filters.ChoiceFilter(label="职务", choices=MemberRole.choices)
    active = ActiveFilter()

    class Meta:
        model = BodyMember
        fields = ["q", "within", "body", "role", "active"]


class KeyTaskFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("title", "target", "lead__name"), help_text="工作名称或组长")
    within = within_area("所属县/乡镇")
    year = IntegerFilter(label="年度")
    state = django_filters.ChoiceFilter(
        label="进度", choices=TaskState.choices, method="filter_state"
    )
    behind = RuleFilter(label="滞后", rule="behind")
    lead = django_filters.ModelChoiceFilter(
        label="组长", queryset=scoped_choices(Cadre), method="filter_leader"
    )
    unit = django_filters.ModelChoiceFilter(
        label="责任单位",
        queryset=scoped_choices(Unit),
        method="filter_unit",
        field_name="lead_unit",
    )
    body = django_filters.ModelChoiceFilter(label="牵头机构", queryset=scoped_choices(Body))

    class Meta:
        model = KeyTask
        fields = ["q", "within", "year", "state", "behind", "lead", "unit", "body"]

    def filter_state(self, qs, name, value):
        return qs.with_state().filter(state=value) if value else qs

    def filter_leader(self, qs, name, value):
        """Led or guaranteed (包保) by the cadre."""
        return qs.filter(lead=value) | qs.filter(guarantor=value) if value else qs

    def filter_unit(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(pk__in=KeyTask.objects.filter(lead_unit=value).values("pk")) | qs.filter(
            pk__in=KeyTask.units.through.objects.filter(unit=value).values("keytask_id")
        )


class ProgressReportFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("text", "task__title"))
    within = within_area("所属县/乡镇")
    task = IntegerFilter(label="重点工作")
    since = django_filters.DateFilter(
        label="报告日期起", field_name="reported_on", lookup_expr="gte"
    )

    class Meta:
        model = ProgressReport
        fields = ["q", "within", "task", "since"]


class DispatchMeetingFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("topic", "summary", "convener__name", "place"))
    within = within_area("调度区域")
    since = django_filters.DateFilter(label="会议日期起", field_name="held_on", lookup_expr="gte")
    until = django_filters.DateFilter(label="会议日期止", field_name="held_on", lookup_expr="lte")
    convener = django_filters.ModelChoiceFilter(label="主持人", queryset=scoped_choices(Cadre))

    class Meta:
        model = DispatchMeeting
        fields = ["q", "within", "since", "until", "convener"]


class DecisionFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("text", "owner__name"), help_text="事项内容或责任人")
    within = within_area("落实区域")
    status = django_filters.ChoiceFilter(label="状态", choices=DecisionStatus.choices)
    overdue = RuleFilter(label="逾期", rule="overdue")
    owner = django_filters.ModelChoiceFilter(label="责任人", queryset=scoped_choices(Cadre))
    owner_unit = django_filters.ModelChoiceFilter(label="责任单位", queryset=scoped_choices(Unit))
    meeting = IntegerFilter(label="调度会")

    class Meta:
        model = Decision
        fields = ["q", "within", "status", "overdue", "owner", "owner_unit", "meeting"]
