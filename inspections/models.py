"""Accountability: responsibility pledges (责任书/军令状) with measurable targets, inspections
(督查) and their findings, rectification until a finding is closed (整改销号), accountability
records (问责) and the monthly notices (整改通知书, 督导通报).

A pledge, an inspection and a finding each belong to one area (their scope). Rows below them
follow their parent. Inspections are run by the county (or a township) for the areas below, so
users there may view the inspection itself (`scope_ancestors`), while its findings stay
scoped to where each one was found.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from households.models import Household
from poverty.common.links import object_url
from poverty.common.models import UPLOAD_EXTENSIONS, recorded_by_field
from poverty.common.scoping import Reach, ScopedModel, ScopedQuerySet
from poverty.common.uploads import stamped_name, validate_evidence
from projects.choices import Stage
from projects.models import Project
from villages.choices import AreaLevel
from villages.models import YEAR_VALIDATORS, Area, Cadre, Unit

from .choices import (
    AT_MOST,
    EXTENSION_STEPS,
    AccountabilityKind,
    Category,
    InspectionKind,
    Metric,
    NoticeKind,
    PledgeKind,
    Severity,
    Status,
    StepKind,
    Subject,
)

# The area level a pledge of each kind is measured on (None: any).
PLEDGE_LEVEL = {
    PledgeKind.COUNTY_TOWNSHIP: AreaLevel.TOWNSHIP,
    PledgeKind.TOWNSHIP_VILLAGE: AreaLevel.VILLAGE,
    PledgeKind.UNIT_VILLAGE: AreaLevel.VILLAGE,
    PledgeKind.UNIT_HOUSEHOLD: AreaLevel.VILLAGE,
}
# Days before the deadline the daily job reminds the responsible person.
REMIND_DAYS = 3


def pledge_document_path(instance: Pledge, filename: str) -> str:
    return stamped_name("pledges", filename)


def step_file_path(instance: FindingStep, filename: str) -> str:
    return stamped_name("findings", filename)


class Pledge(ScopedModel):
    """A signed responsibility pledge: who answers to whom for which measurable targets."""

    scope_path = "area__code"

    kind = models.CharField("责任书类型", max_length=30, choices=PledgeKind.choices)
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="pledges",
        verbose_name="责任区域",
        help_text="目标完成情况按该区域的实时数据计算。",
    )
    pledger = models.CharField(
        "立状人", max_length=100, help_text="如：一乡党委书记 王明、乡长 李强。"
    )
    pledger_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
        verbose_name="立状单位",
    )
    recipient = models.CharField("受状方", max_length=100, help_text="如：县委、县政府。")
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
        verbose_name="帮扶对象户",
        help_text="帮扶责任人对贫困户的责任书填写。",
    )
    signed_on = models.DateField("签订日期", default=timezone.localdate)
    document = models.FileField(
        "责任书扫描件",
        upload_to=pledge_document_path,
        blank=True,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS), validate_evidence],
    )
    content = models.TextField("主要责任内容", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])

    class Meta:
        verbose_name = "责任书"
        verbose_name_plural = "责任书"
        ordering = ["-year", "area__code", "pk"]
        indexes = [models.Index(fields=["year", "kind"])]

    def __str__(self) -> str:
        return f"{self.year}年{self.area.name}责任书（{self.pledger}）"

    def get_absolute_url(self) -> str:
        return object_url("inspections:pledge_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if not self.area_id:
            return
        level = PLEDGE_LEVEL.get(self.kind)
        if level and self.area.level != level:
            raise ValidationError(
                {"area": f"“{self.get_kind_display()}”的责任区域应为{AreaLevel(level).label}。"}
            )
        if self.kind == PledgeKind.UNIT_HOUSEHOLD and not self.household_id:
            raise ValidationError({"household": "请选择帮扶对象户。"})
        if self.household_id and self.household.village_id != self.area_id:
            raise ValidationError({"household": "帮扶对象户须在责任区域内。"})
        if self.signed_on and self.signed_on > timezone.localdate():
            raise ValidationError({"signed_on": "签订日期不能晚于今天。"})


class PledgeTarget(ScopedModel):
    """One measurable target of a pledge; its actual figure is computed (inspections.progress)."""

    scope_path = "pledge__area__code"

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="targets", verbose_name="责任书"
    )
    metric = models.CharField("指标", max_length=30, choices=Metric.choices)
    target = models.DecimalField(
        "目标值",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"), "目标值不能为负数。")],
    )
    stage = models.PositiveSmallIntegerField(
        "项目阶段",
        choices=Stage.choices,
        null=True,
        blank=True,
        help_text="“项目达到指定阶段”指标须选择阶段。",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "责任目标"
        verbose_name_plural = "责任目标"
        ordering = ["pledge", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "metric"], name="pledgetarget_unique_metric")
        ]

    def __str__(self) -> str:
        return f"{self.label}：{self.target_display}"

    def get_absolute_url(self) -> str:
        return self.pledge.get_absolute_url()

    @property
    def label(self) -> str:
        if self.metric == Metric.PROJECTS_REACHED and self.stage:
            return f"年度项目达到“{Stage(self.stage).label}”(个)"
        return self.get_metric_display()

    @property
    def at_most(self) -> bool:
        return self.metric in AT_MOST

    @property
    def target_display(self) -> str:
        value = f"{self.target:.2f}" if self.metric in AT_MOST else f"{self.target:.0f}"
        return f"≤{value}%" if self.at_most else value

    def clean(self) -> None:
        super().clean()
        if self.metric == Metric.PROJECTS_REACHED and not self.stage:
            raise ValidationError({"stage": "请选择项目须达到的阶段。"})
        if self.metric != Metric.PROJECTS_REACHED:
            self.stage = None
        if self.metric == Metric.INCIDENCE_AT_MOST and self.target is not None:
            if self.target > 100:
                raise ValidationError({"target": "贫困发生率目标应在0到100(%)之间。"})
        elif self.target is not None and self.target != self.target.to_integral_value():
            raise ValidationError({"target": "人数、户数和个数目标须为整数。"})


class Inspection(ScopedModel):
    """One inspection (督查/暗访/入户核查/第三方评估/考核) with its team and coverage."""

    scope_path = "area__code"
    scope_ancestors = True

    kind = models.CharField("督查方式", max_length=20, choices=InspectionKind.choices)
    title = models.CharField("督查名称", max_length=100)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name="组织区域",
        help_text="组织督查的县或乡镇；问题所在地须在其范围内。",
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="covering_inspections", verbose_name="督查范围"
    )
    leader = models.CharField("带队领导", max_length=50, blank=True)
    team = models.CharField("督查组成员", max_length=200, blank=True)
    start_date = models.DateField("开始日期", default=timezone.localdate)
    end_date = models.DateField("结束日期", null=True, blank=True)
    summary = models.TextField("督查情况", blank=True)
    recorded_by = recorded_by_field()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "督查"
        verbose_name_plural = "督查"
        ordering = ["-start_date", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("inspections:inspection_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "结束日期不能早于开始日期。"})
        if self.start_date and self.start_date > timezone.localdate():
            raise ValidationError({"start_date": "开始日期不能晚于今天。"})


class FindingQuerySet(ScopedQuerySet):
    def unclosed(self) -> FindingQuerySet:
        return self.exclude(status=Status.CLOSED)

    def to_rectify(self) -> FindingQuerySet:
        """Waiting for the responsible side: 待整改 or 整改中 (not yet submitted for 验收)."""
        return self.filter(status__in=(Status.OPEN, Status.IN_PROGRESS))

    @staticmethod
    def overdue_condition(today: datetime.date | None = None) -> Q:
        """Past the deadline (Asia/Shanghai date) and not closed: 逾期. Also for counting
        inside an aggregate (Count(..., filter=...))."""
        return ~Q(status=Status.CLOSED) & Q(deadline__lt=today or timezone.localdate())

    def overdue(self, today: datetime.date | None = None) -> FindingQuerySet:
        """Findings past their deadline and not closed (overdue_condition)."""
        return self.filter(self.overdue_condition(today))

    def due_within(self, days: int, today: datetime.date | None = None) -> FindingQuerySet:
        today = today or timezone.localdate()
        return self.unclosed().filter(
            deadline__gte=today, deadline__lte=today + datetime.timedelta(days=days)
        )

    def due_between(self, start: datetime.date, end: datetime.date) -> FindingQuerySet:
        """Findings whose deadline fell in [start, end] (an assessment period)."""
        return self.filter(deadline__gte=start, deadline__lte=end)

    def closed_on_time(self) -> FindingQuerySet:
        """Closed (销号) on or before their deadline."""
        return self.filter(status=Status.CLOSED, closed_on__lte=F("deadline"))

    def open_on(self, day: datetime.date) -> FindingQuerySet:
        """Found before `day` and not yet closed on it (closing dates make this replayable)."""
        return self.filter(found_on__lt=day).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gte=day)
        )


class Finding(ScopedModel):
    """督查问题: what was found, where, who must fix it by when, and where rectification stands."""

    scope_path = "area__code"

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="findings", verbose_name="所属督查"
    )
    category = models.CharField("问题类别", max_length=20, choices=Category.choices)
    severity = models.CharField(
        "严重程度", max_length=10, choices=Severity.choices, default=Severity.MINOR
    )
    subject = models.CharField("问题对象", max_length=20, choices=Subject.choices)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name="问题所在地",
        help_text="对象为贫困户、项目或单位时，按对象自动填写。",
        blank=True,
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name="涉及贫困户",
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name="涉及项目",
    )
    subject_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subject_findings",
        verbose_name="涉及单位",
    )
    description = models.TextField("问题描述")
    requirement = models.TextField("整改要求", blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="findings", verbose_name="责任单位"
    )
    person = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name="责任人",
    )
    found_on = models.DateField("发现日期", default=timezone.localdate)
    deadline = models.DateField("整改时限")
    status = models.CharField(
        "整改状态", max_length=20, choices=Status.choices, default=Status.OPEN, editable=False
    )
    plan = models.TextField("整改措施", blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name="提交人",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name="销号人",
    )
    closed_on = models.DateField("销号日期", null=True, blank=True, editable=False)
    recorded_by = recorded_by_field()
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = FindingQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version", "updated_at"])

    class Meta:
        verbose_name = "督查问题"
        verbose_name_plural = "督查问题"
        ordering = ["deadline", "pk"]
        permissions = [
            ("rectify_finding", "整改督查问题（方案、进展、提交验收）"),
            ("verify_finding", "验收督查问题（销号或退回）"),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["found_on"]),
            models.Index(fields=["closed_on"]),
        ]

    def __str__(self) -> str:
        text = self.description.replace("\n", " ")
        return f"{self.get_category_display()}：{text[:30]}{'…' if len(text) > 30 else ''}"

    def get_absolute_url(self) -> str:
        return object_url("inspections:finding_detail", self.pk)

    @property
    def target(self):
        """The object the finding is about."""
        return {
            Subject.HOUSEHOLD: self.household,
            Subject.PROJECT: self.project,
            Subject.UNIT: self.subject_unit,
        }.get(self.subject, self.area)

    def days_overdue(self, today: datetime.date | None = None) -> int:
        if self.status == Status.CLOSED or not self.deadline:
            return 0
        today = today or timezone.localdate()
        return max((today - self.deadline).days, 0)

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue() > 0

    def pending_extension(self, steps=None) -> FindingStep | None:
        """The extension request waiting for a decision, if any: the last extension step, when
        it is a request. `steps`: the finding's steps already read, oldest first (else a query)."""
        if steps is None:
            extension = self.steps.filter(kind__in=EXTENSION_STEPS)
            last = extension.order_by("-created_at", "-pk").first()
        else:
            last = next((s for s in reversed(steps) if s.kind in EXTENSION_STEPS), None)
        return last if last is not None and last.kind == StepKind.EXTEND else None

    def locked_reason(self) -> str:
        if self.status == Status.CLOSED:
            return "该问题已验收销号，不能再修改或删除；如需更正，请另行登记问题或说明。"
        return ""

    def clean(self) -> None:
        super().clean()
        self._place_by_subject()
        if self.deadline and self.found_on and self.deadline < self.found_on:
            raise ValidationError({"deadline": "整改时限不能早于发现日期。"})
        if self.found_on and self.found_on > timezone.localdate():
            raise ValidationError({"found_on": "发现日期不能晚于今天。"})
        if self.person_id and self.unit_id and self.person.unit_id != self.unit_id:
            raise ValidationError({"person": "责任人须是责任单位的干部。"})
        if self.inspection_id and self.area_id:
            organiser = self.inspection.area
            if not Reach.under([organiser.code]).admits(self.area.code):
                raise ValidationError(
                    {"area": f"问题所在地须在督查组织区域“{organiser.name}”范围内。"}
                )

    def _place_by_subject(self) -> None:
        """Name the subject's object and take the finding's area from it."""
        field = SUBJECT_FIELDS.get(self.subject)
        if field is not None and getattr(self, field) is None:
            raise ValidationError({field: SUBJECT_MISSING[self.subject]})
        obj = getattr(self, field) if field else None
        for name, value in placed_by_subject(self.subject, obj).items():
            setattr(self, name, value)
        if self.subject == Subject.VILLAGE:
            if not self.area_id:
                raise ValidationError({"area": "请选择问题所在的行政村。"})
            if self.area.level != AreaLevel.VILLAGE:
                raise ValidationError({"area": "问题对象为行政村时，请选择行政村。"})


# The field naming a finding's object, by subject (a village finding names its area).
SUBJECT_FIELDS = {
    Subject.HOUSEHOLD: "household",
    Subject.PROJECT: "project",
    Subject.UNIT: "subject_unit",
}
SUBJECT_MISSING = {
    Subject.HOUSEHOLD: "请选择涉及的贫困户。",
    Subject.PROJECT: "请选择涉及的项目。",
    Subject.UNIT: "请选择涉及的单位。",
}


def placed_by_subject(subject: str, obj) -> dict:
    """The fields a finding about `obj` gets: the other subjects' fields cleared and, for a
    household, project or unit, the area where it lies (the household's village, the project's
    or unit's area). Shared by the model's clean() and the API, which needs the area before it
    judges the scope."""
    field = SUBJECT_FIELDS.get(subject)
    values = {other: None for other in SUBJECT_FIELDS.values() if other != field}
    if field is not None and obj is not None:
        values["area"] = obj.village if subject == Subject.HOUSEHOLD else obj.area
    return values


class FindingStep(ScopedModel):
    """One step of rectification, as it was taken: plan, progress, submission, verification."""

    scope_path = "finding__area__code"

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="steps", verbose_name="督查问题"
    )
    kind = models.CharField("事项", max_length=20, choices=StepKind.choices)
    note = models.TextField("说明")
    # An extension request's asked-for deadline (延期申请); on its approval, the deadline it
    # replaced, so a month's notices made later still read the deadline of that month.
    requested_deadline = models.DateField("申请延期至", null=True, blank=True)
    previous_deadline = models.DateField("原整改时限", null=True, blank=True)
    file = models.FileField(
        "佐证材料",
        upload_to=step_file_path,
        blank=True,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS), validate_evidence],
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="经办人",
    )

    class Meta:
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["finding", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.note[:30]}"

    def get_absolute_url(self) -> str:
        return self.finding.get_absolute_url()


class Accountability(ScopedModel):
    """问责: a sanction recorded against an overdue (or late-closed) finding."""

    scope_path = "finding__area__code"

    finding = models.ForeignKey(
        Finding,
        on_delete=models.CASCADE,
        related_name="accountabilities",
        verbose_name="督查问题",
    )
    kind = models.CharField("问责方式", max_length=20, choices=AccountabilityKind.choices)
    person = models.CharField("被问责人", max_length=50)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accountabilities",
        verbose_name="被问责单位",
    )
    decided_on = models.DateField("问责日期", default=timezone.localdate)
    document = models.CharField("文号", max_length=100, blank=True)
    reason = models.TextField("问责事由")
    recorded_by = recorded_by_field()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "问责记录"
        verbose_name_plural = "问责记录"
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.person}（{self.get_kind_display()}）"

    def get_absolute_url(self) -> str:
        return object_url("inspections:accountability_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if not self.finding_id:
            return
        finding = self.finding
        late_close = finding.closed_on and finding.closed_on > finding.deadline
        if not (finding.is_overdue or late_close):
            raise ValidationError(
                {"finding": "只能对逾期未整改（或逾期后才销号）的问题问责：该问题尚未逾期。"}
            )
        if self.decided_on and self.decided_on > timezone.localdate():
            raise ValidationError({"decided_on": "问责日期不能晚于今天。"})


class Notice(ScopedModel):
    """A monthly notice: a unit's 整改通知书 or the county's 督导通报 第N期.

    Made by the monthly job for the month before it runs and kept as made: its items and
    figures are a snapshot of that day. Both kinds are numbered per county by the month they
    cover (inspections.notices.bulletin_number, unit_number).
    """

    scope_path = "area__code"

    kind = models.CharField("类型", max_length=20, choices=NoticeKind.choices)
    county = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="county_notices", verbose_name="县"
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name="发送范围",
        help_text="能查看本通知的区域：通报为全县，通知书为责任单位所在区域。",
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name="责任单位",
    )
    month = models.DateField("所属月份", help_text="该月1日。")
    year = models.PositiveSmallIntegerField("编号年度")
    number = models.PositiveIntegerField("期号/编号")
    issued_on = models.DateField("印发日期")
    summary = models.JSONField("统计", default=dict, blank=True)

    class Meta:
        verbose_name = "通知通报"
        verbose_name_plural = "通知通报"
        ordering = ["-month", "kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "kind", "year", "number"], name="notice_unique_number"
            ),
            models.UniqueConstraint(
                fields=["county", "month"],
                condition=Q(kind=NoticeKind.BULLETIN),
                name="notice_one_bulletin_per_month",
            ),
            models.UniqueConstraint(
                fields=["county", "month", "unit"],
                condition=Q(kind=NoticeKind.UNIT),
                name="notice_one_per_unit_per_month",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("inspections:notice_detail", self.pk)

    @property
    def number_label(self) -> str:
        """第10期, or 10-3 for the third unit notice of October (inspections.notices numbers
        by the month covered)."""
        if self.kind == NoticeKind.UNIT and self.number > 1000:
            return f"{self.number // 1000}-{self.number % 1000}"
        return str(self.number)

    @property
    def title(self) -> str:
        if self.kind == NoticeKind.BULLETIN:
            return f"督导通报 {self.year}年第{self.number_label}期"
        unit = self.unit.name if self.unit_id else ""
        return f"整改通知书 〔{self.year}〕{self.number_label}号（{unit}）"

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


class NoticeItem(ScopedModel):
    """A finding listed in a notice, with its state on the day the notice was made."""

    scope_path = "notice__area__code"

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="items", verbose_name="通知"
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, related_name="notice_items", verbose_name="督查问题"
    )
    status = models.CharField("生成时状态", max_length=20, choices=Status.choices)
    days_overdue = models.PositiveIntegerField("逾期天数", default=0)
    # The deadline as it stood at the notice's cutoff, and whether an approved extension (延期)
    # had moved it by then.
    deadline = models.DateField("整改时限", null=True, blank=True)
    extended = models.BooleanField("已延期", default=False)

    class Meta:
        verbose_name = "通知所列问题"
        verbose_name_plural = "通知所列问题"
        ordering = ["notice", "-days_overdue", "finding__deadline", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "finding"], name="noticeitem_unique")
        ]

    def __str__(self) -> str:
        return str(self.finding)
