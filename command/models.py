"""统一指挥 and 明确责任: the command structure, key tasks and weekly dispatch.

An app of its own because the campaign's command sits above the registry, projects and
inspections it directs: a dispatch meeting reviews key tasks, findings, projects and households
past their deadline, so it imports them all; nothing below imports it (the monthly bulletin
reads overdue milestones and decisions through inspections.notices.EXTRA_SOURCES, which this
app fills in its AppConfig).

Rules kept here, once:
- a milestone is overdue when its planned date has passed (Asia/Shanghai date) and it is not
  done (MilestoneQuerySet.overdue, .overdue_on for a past day);
- a key task is behind when it is not done and its deadline or one of its milestones is overdue,
  on plan when not done and nothing is overdue (KeyTaskQuerySet.with_state);
- a decision (交办事项) is overdue when it is still open after its deadline.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from simple_history.models import HistoricalRecords

from households.models import Household
from inspections.models import Finding
from poverty.common.areacodes import ancestor_codes
from poverty.common.links import object_url
from poverty.common.models import UPLOAD_EXTENSIONS, DatedModel, recorded_by_field
from poverty.common.scoping import Reach, ScopedModel, ScopedQuerySet
from poverty.common.uploads import stamped_name, validate_evidence
from projects.models import Project
from villages.choices import AreaLevel
from villages.models import YEAR_VALIDATORS, Area, Cadre, Unit

from .choices import BodyKind, DecisionStatus, MemberRole, TaskState

# Key tasks and bodies are a county's or a township's.
COMMAND_LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWNSHIP)


def _require_level(area: Area | None, field: str, levels=COMMAND_LEVELS) -> None:
    if area is not None and area.level not in levels:
        raise ValidationError({field: "请选择县或乡镇。"})


def _under(area: Area, above: Area) -> bool:
    """Whether `area` is `above` or lies below it."""
    return Reach.under([above.code]).admits(area.code)


def _leader(cadre: Cadre | None, field: str) -> None:
    if cadre is not None and not cadre.is_leader:
        raise ValidationError({field: f"“{cadre.name}”不是领导干部，请先在干部信息中标记。"})


def _evidence_path(instance: models.Model, filename: str) -> str:
    return stamped_name("command", filename)


class Body(ScopedModel):
    """A body of the command structure (指挥体系): 领导小组, 总指挥部, a 五个一批 sub-command, a
    work group (专班) or one of the 脱贫办's specialised groups; each under a parent body."""

    scope_path = "area__code"
    # A township sees the county's bodies that direct it; only the county changes them.
    scope_ancestors = True

    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类别", max_length=30, choices=BodyKind.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="command_bodies", verbose_name="所属县/乡镇"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级机构",
    )
    duties = models.TextField("主要职责", blank=True)
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="+",
        verbose_name="负责区域",
        help_text="该机构联系或分管的乡镇、村；不填即为所属县/乡镇全域。",
    )
    units = models.ManyToManyField(
        Unit, blank=True, related_name="command_bodies", verbose_name="成员单位"
    )
    sort = models.PositiveSmallIntegerField("排序", default=0)

    history = HistoricalRecords(m2m_fields=[areas, units])

    class Meta:
        verbose_name = "指挥机构"
        verbose_name_plural = "指挥机构"
        ordering = ["area__code", "sort", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="command_body_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("command:body_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        area = self.area if self.area_id else None
        _require_level(area, "area")
        parent = self.parent if self.parent_id else None
        if parent is None or area is None:
            return
        if self.pk and parent.pk == self.pk:
            raise ValidationError({"parent": "上级机构不能是它自己。"})
        if not _under(area, parent.area):
            raise ValidationError({"parent": "上级机构须属于本级或上级区域。"})
        seen, above = {self.pk}, parent
        while above is not None:
            if above.pk in seen:
                raise ValidationError({"parent": "上级机构不能是它的下级机构。"})
            seen.add(above.pk)
            above = above.parent


class BodyMember(DatedModel):
    """A cadre's seat in a body, with the role, from a date to an optional end date: changes
    are new rows and ended rows, so who sat where when stays readable."""

    scope_path = "body__area__code"
    scope_ancestors = True
    overlap_fields = ("body", "cadre")
    overlap_message = "该干部在这段时间内已是该机构成员，时间段不能重叠。"

    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="members", verbose_name="机构"
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="body_seats", verbose_name="干部"
    )
    role = models.CharField("职务", max_length=20, choices=MemberRole.choices)
    duty = models.CharField("分工", max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "机构成员"
        verbose_name_plural = "机构成员"
        ordering = ["body", "role", "-start_date"]

    def __str__(self) -> str:
        return f"{self.body.name} · {self.cadre.name}（{self.get_role_display()}）"

    def get_absolute_url(self) -> str:
        return object_url("command:bodymember_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.role != MemberRole.CHAIR or not self.body_id or not self.start_date:
            return
        others = BodyMember.objects.filter(body_id=self.body_id, role=MemberRole.CHAIR).exclude(
            pk=self.pk
        )
        if self.end_date:
            others = others.filter(start_date__lte=self.end_date)
        others = others.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
        if others.exists():
            raise ValidationError({"role": "该机构这段时间已有组长，请先填写原组长的结束日期。"})


class MilestoneQuerySet(ScopedQuerySet):
    def open(self) -> MilestoneQuerySet:
        return self.filter(done_on__isnull=True)

    @staticmethod
    def overdue_condition(today: datetime.date | None = None, prefix: str = "") -> Q:
        """Past its planned date (Asia/Shanghai) and not done."""
        return Q(**{f"{prefix}done_on__isnull": True}) & Q(
            **{f"{prefix}planned__lt": today or timezone.localdate()}
        )

    def overdue(self, today: datetime.date | None = None) -> MilestoneQuerySet:
        return self.filter(self.overdue_condition(today))

    def overdue_on(self, day: datetime.date) -> MilestoneQuerySet:
        """Overdue as things stood at the start of `day` (a milestone done later was still
        open then): the monthly bulletin reads its month's end this way, whenever it is made."""
        return self.filter(planned__lt=day).filter(Q(done_on__isnull=True) | Q(done_on__gte=day))

    def planned_between(self, start: datetime.date, end: datetime.date) -> MilestoneQuerySet:
        return self.filter(planned__gte=start, planned__lte=end)

    def done_on_time(self) -> MilestoneQuerySet:
        """Done on or before the planned date."""
        return self.filter(done_on__isnull=False, done_on__lte=F("planned"))

    def due_within(self, days: int, today: datetime.date | None = None) -> MilestoneQuerySet:
        today = today or timezone.localdate()
        return self.open().filter(
            planned__gte=today, planned__lte=today + datetime.timedelta(days=days)
        )


class KeyTaskQuerySet(ScopedQuerySet):
    @staticmethod
    def behind_condition(today: datetime.date | None = None) -> Q:
        """Not done, and its deadline or one of its milestones has passed."""
        today = today or timezone.localdate()
        late = Milestone.objects.filter(
            MilestoneQuerySet.overdue_condition(today), task=OuterRef("pk")
        )
        return Q(done_on__isnull=True) & (Q(deadline__lt=today) | Exists(late))

    def with_state(self, today: datetime.date | None = None) -> KeyTaskQuerySet:
        """`state` per row (TaskState): done, behind or on plan."""
        return self.annotate(
            state=Case(
                When(done_on__isnull=False, then=Value(TaskState.DONE)),
                When(self.behind_condition(today), then=Value(TaskState.BEHIND)),
                default=Value(TaskState.ON_PLAN),
                output_field=models.CharField(),
            )
        )

    def overdue_on(self, day: datetime.date) -> KeyTaskQuerySet:
        """Past their own deadline and not done as things stood at the start of `day`."""
        return self.filter(deadline__lt=day).filter(Q(done_on__isnull=True) | Q(done_on__gte=day))

    def behind(self, today: datetime.date | None = None) -> KeyTaskQuerySet:
        return self.filter(self.behind_condition(today))

    def open(self) -> KeyTaskQuerySet:
        return self.filter(done_on__isnull=True)


class KeyTask(ScopedModel):
    """A key task (重点工作) of a county's or township's year: its lead leader (组长), joint
    guarantors (包保: a county leader and the lead department's head), responsible units, the
    body that owns it and milestones planned backwards from its deadline (倒排工期)."""

    scope_path = "area__code"

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="key_tasks", verbose_name="所属县/乡镇"
    )
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    number = models.PositiveSmallIntegerField(
        "序号", validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    title = models.CharField("工作名称", max_length=100)
    target = models.TextField("目标要求", blank=True)
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_tasks",
        verbose_name="牵头机构",
    )
    lead = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="led_tasks", verbose_name="组长（牵头领导）"
    )
    guarantor = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guaranteed_tasks",
        verbose_name="包保领导",
    )
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="led_tasks", verbose_name="牵头单位"
    )
    head = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="headed_tasks",
        verbose_name="牵头单位负责人",
        help_text="与包保领导联合包保。",
    )
    units = models.ManyToManyField(
        Unit, blank=True, related_name="key_tasks", verbose_name="配合单位"
    )
    deadline = models.DateField("完成时限")
    done_on = models.DateField("完成日期", null=True, blank=True, editable=False)
    percent = models.PositiveSmallIntegerField("进度(%)", default=0, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(m2m_fields=[units])
    objects = KeyTaskQuerySet.as_manager()

    class Meta:
        verbose_name = "重点工作"
        verbose_name_plural = "重点工作"
        ordering = ["area__code", "-year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "number"], name="command_keytask_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return object_url("command:keytask_detail", self.pk)

    def locked_reason(self) -> str:
        if self.done_on:
            return f"该重点工作已于{self.done_on:%Y-%m-%d}完成，不能再修改或删除。"
        return ""

    def clean(self) -> None:
        super().clean()
        _require_level(self.area if self.area_id else None, "area")
        _leader(self.lead if self.lead_id else None, "lead")
        _leader(self.guarantor if self.guarantor_id else None, "guarantor")
        if self.head_id and self.lead_unit_id and self.head.unit_id != self.lead_unit_id:
            raise ValidationError({"head": "牵头单位负责人须是牵头单位的干部。"})
        if self.body_id and self.area_id and not _under(self.area, self.body.area):
            raise ValidationError({"body": "牵头机构须属于本级或上级区域。"})
        if self.deadline and self.year and self.deadline.year < self.year:
            raise ValidationError({"deadline": "完成时限不能早于工作所属年度。"})


class Milestone(ScopedModel):
    """A measurable milestone (节点) of a key task with its planned date; done when a progress
    report says so."""

    scope_path = "task__area__code"

    task = models.ForeignKey(
        KeyTask, on_delete=models.CASCADE, related_name="milestones", verbose_name="重点工作"
    )
    title = models.CharField("节点目标", max_length=100)
    planned = models.DateField("计划完成日期")
    done_on = models.DateField("实际完成日期", null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = "工作节点"
        verbose_name_plural = "工作节点"
        ordering = ["task", "planned", "pk"]
        indexes = [models.Index(fields=["done_on", "planned"], name="command_milestone_due")]

    def __str__(self) -> str:
        return f"{self.task.title} · {self.title}"

    def get_absolute_url(self) -> str:
        return self.task.get_absolute_url()

    def days_overdue(self, today: datetime.date | None = None) -> int:
        if self.done_on is not None:
            return 0
        return max(((today or timezone.localdate()) - self.planned).days, 0)

    def clean(self) -> None:
        super().clean()
        if self.task_id and self.planned and self.planned > self.task.deadline:
            raise ValidationError({"planned": "节点计划日期不能晚于工作的完成时限。"})


class ProgressReport(ScopedModel):
    """A progress report (进展) on a key task: who, when, what, how far, the evidence; kept as
    written (a correction is a later report)."""

    scope_path = "task__area__code"

    task = models.ForeignKey(
        KeyTask, on_delete=models.PROTECT, related_name="reports", verbose_name="重点工作"
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name="完成节点",
    )
    reported_on = models.DateField("报告日期", default=timezone.localdate)
    text = models.TextField("进展情况")
    percent = models.PositiveSmallIntegerField("总体进度(%)", validators=[MaxValueValidator(100)])
    file = models.FileField(
        "佐证材料",
        upload_to=_evidence_path,
        blank=True,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS), validate_evidence],
    )
    recorded_by = recorded_by_field()

    class Meta:
        verbose_name = "工作进展"
        verbose_name_plural = "工作进展"
        ordering = ["-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.task.title} · {self.reported_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.task.get_absolute_url()


class DispatchMeeting(ScopedModel):
    """A dispatch meeting (调度会) a body or a 包联 leader holds for an area: who came, what was
    reviewed (picked from the live lists), what was decided (Decision, tracked to 办结)."""

    scope_path = "area__code"

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="dispatch_meetings", verbose_name="调度区域"
    )
    held_on = models.DateField("会议日期", default=timezone.localdate)
    topic = models.CharField("会议名称", max_length=100, default="脱贫攻坚工作调度会")
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name="召开机构",
    )
    convener = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="convened_meetings", verbose_name="主持人"
    )
    place = models.CharField("会议地点", max_length=100, blank=True)
    summary = models.TextField("会议研究情况", blank=True)
    tasks = models.ManyToManyField(KeyTask, blank=True, related_name="+", verbose_name="重点工作")
    findings = models.ManyToManyField(
        Finding, blank=True, related_name="+", verbose_name="督查问题"
    )
    projects = models.ManyToManyField(
        Project, blank=True, related_name="+", verbose_name="滞后项目"
    )
    households = models.ManyToManyField(
        Household, blank=True, related_name="+", verbose_name="超期未脱贫户"
    )
    recorded_by = recorded_by_field()
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(m2m_fields=[tasks, findings, projects, households])

    class Meta:
        verbose_name = "调度会"
        verbose_name_plural = "调度会"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["area", "held_on"], name="command_meeting_area_day")]

    def __str__(self) -> str:
        return f"{self.area.name}{self.held_on:%Y-%m-%d}{self.topic}"

    def get_absolute_url(self) -> str:
        return object_url("command:dispatchmeeting_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": "会议日期不能晚于今天：会后再录入纪要。"})
        if self.area_id and self.area.level not in (*COMMAND_LEVELS, AreaLevel.VILLAGE):
            raise ValidationError({"area": "请选择县、乡镇或行政村。"})
        if self.body_id and self.area_id and not _under(self.area, self.body.area):
            raise ValidationError({"body": "召开机构须属于本级或上级区域。"})


class MeetingAttendee(ScopedModel):
    """Who was asked to a meeting, and whether they came (缺席 with a reason)."""

    scope_path = "meeting__area__code"

    meeting = models.ForeignKey(
        DispatchMeeting, on_delete=models.CASCADE, related_name="attendees", verbose_name="调度会"
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="+", verbose_name="参会人员"
    )
    present = models.BooleanField("出席", default=True)
    note = models.CharField("缺席原因", max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "参会人员"
        verbose_name_plural = "参会人员"
        ordering = ["meeting", "-present", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "cadre"], name="command_attendee_once")
        ]

    def __str__(self) -> str:
        return f"{self.cadre.name}（{'出席' if self.present else '缺席'}）"

    def get_absolute_url(self) -> str:
        return self.meeting.get_absolute_url()


class DecisionQuerySet(ScopedQuerySet):
    def open(self) -> DecisionQuerySet:
        return self.filter(status=DecisionStatus.OPEN)

    @staticmethod
    def overdue_condition(today: datetime.date | None = None) -> Q:
        return Q(status=DecisionStatus.OPEN) & Q(deadline__lt=today or timezone.localdate())

    def overdue(self, today: datetime.date | None = None) -> DecisionQuerySet:
        return self.filter(self.overdue_condition(today))

    def overdue_on(self, day: datetime.date) -> DecisionQuerySet:
        """Overdue as things stood at the start of `day` (for the bulletin of a past month)."""
        return self.filter(deadline__lt=day).filter(Q(done_on__isnull=True) | Q(done_on__gte=day))

    def due_within(self, days: int, today: datetime.date | None = None) -> DecisionQuerySet:
        today = today or timezone.localdate()
        return self.open().filter(
            deadline__gte=today, deadline__lte=today + datetime.timedelta(days=days)
        )

    def carried_to(self, meeting: DispatchMeeting) -> DecisionQuerySet:
        """What the meeting's agenda carries forward: decisions of earlier meetings held for
        its area (or below it) that were still open on its day."""
        return self.under([meeting.area.code]).filter(
            Q(meeting__held_on__lt=meeting.held_on)
            | Q(meeting__held_on=meeting.held_on, meeting_id__lt=meeting.pk),
            Q(done_on__isnull=True) | Q(done_on__gte=meeting.held_on),
        )


class Decision(ScopedModel):
    """A decision of a dispatch meeting assigned for action (交办事项): owner, deadline, 办结."""

    scope_path = "area__code"

    meeting = models.ForeignKey(
        DispatchMeeting, on_delete=models.PROTECT, related_name="decisions", verbose_name="调度会"
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="落实区域",
        help_text="会议区域或其下的乡镇、村：该区域的人员可以查看并办理。",
    )
    text = models.TextField("交办事项")
    owner = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="decisions", verbose_name="责任人"
    )
    owner_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="责任单位",
    )
    deadline = models.DateField("办结时限")
    status = models.CharField(
        "状态",
        max_length=10,
        choices=DecisionStatus.choices,
        default=DecisionStatus.OPEN,
        editable=False,
    )
    done_on = models.DateField("办结日期", null=True, blank=True, editable=False)
    done_note = models.TextField("办结情况", blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name="办结确认人",
    )
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "交办事项"
        verbose_name_plural = "交办事项"
        ordering = ["status", "deadline", "pk"]
        indexes = [models.Index(fields=["status", "deadline"], name="command_decision_due")]

    def __str__(self) -> str:
        text = self.text if len(self.text) <= 30 else self.text[:30] + "…"
        return f"{text}（{self.owner.name}）"

    def get_absolute_url(self) -> str:
        return object_url("command:decision_detail", self.pk)

    @property
    def is_overdue(self) -> bool:
        return self.status == DecisionStatus.OPEN and self.deadline < timezone.localdate()

    def days_overdue(self, today: datetime.date | None = None) -> int:
        if self.status != DecisionStatus.OPEN:
            return 0
        return max(((today or timezone.localdate()) - self.deadline).days, 0)

    def locked_reason(self) -> str:
        if self.status == DecisionStatus.DONE:
            return f"该事项已于{self.done_on:%Y-%m-%d}办结，不能再修改或删除。"
        return ""

    def clean(self) -> None:
        super().clean()
        if self.meeting_id and self.area_id and not _under(self.area, self.meeting.area):
            raise ValidationError({"area": "落实区域须是会议区域或其下的乡镇、村。"})
        if self.meeting_id and self.deadline and self.deadline < self.meeting.held_on:
            raise ValidationError({"deadline": "办结时限不能早于会议日期。"})
        if self.owner_id and self.owner_unit_id and self.owner.unit_id != self.owner_unit_id:
            raise ValidationError({"owner": "责任人须是责任单位的干部。"})


class FollowUp(ScopedModel):
    """What a later meeting heard of an open decision (the agenda carries it forward)."""

    scope_path = "meeting__area__code"

    meeting = models.ForeignKey(
        DispatchMeeting, on_delete=models.CASCADE, related_name="follow_ups", verbose_name="调度会"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="follow_ups", verbose_name="交办事项"
    )
    note = models.TextField("落实情况")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "跟进情况"
        verbose_name_plural = "跟进情况"
        ordering = ["meeting", "decision"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "decision"], name="command_followup_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.decision}"

    def get_absolute_url(self) -> str:
        return self.meeting.get_absolute_url()


def bodies_above(area: Area) -> models.QuerySet[Body]:
    """The bodies of an area and of the areas above it (the ones that may direct it)."""
    return Body.objects.filter(area__code__in=[area.code, *ancestor_codes(area.code)])
