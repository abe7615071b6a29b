"""Poverty-alleviation projects (项目化管理): six stages with a timetable, funds by source,
beneficiary households, joint review (联审联批) and public disclosure (公告公示).

A project belongs to one area (`area`: the county, township or village that manages it; its
scope) and serves areas below it (`areas`). Every row below a project is scoped through it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from households.models import AssistanceMeasure, Household
from poverty.common.areacodes import prefix_of
from poverty.common.links import object_url
from poverty.common.models import UPLOAD_EXTENSIONS, recorded_by_field
from poverty.common.scoping import Reach, ScopedModel, ScopedQuerySet
from poverty.common.uploads import stamped_name, validate_evidence
from villages.models import YEAR_VALIDATORS, Area, Cadre, Unit

from .choices import (
    NOT_LISTED,
    PAIRING_FUND_SHARE,
    PROGRESS_CHOICES,
    Decision,
    Deliverable,
    FundKind,
    FundSource,
    ProjectType,
    Stage,
    TeamRole,
)

# 公告公示期一般不少于10天 (国务院扶贫办《关于完善扶贫资金项目公告公示制度的指导意见》).
DISCLOSURE_MIN_DAYS = 10
ZERO = Decimal("0.00")


def _fund_total(kind: str) -> Coalesce:
    """One project's total of a fund kind, as a correlated subquery (no GROUP BY on the list)."""
    total = (
        FundEntry.objects.filter(project=OuterRef("pk"), kind=kind)
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total), ZERO, output_field=models.DecimalField())


class ProjectQuerySet(ScopedQuerySet):
    def with_progress(self) -> ProjectQuerySet:
        """Fund totals and the planned date of the first unfinished stage, per row, in SQL."""
        next_due = (
            ProjectStage.objects.filter(
                project=OuterRef("pk"), actual_date__isnull=True, planned_date__isnull=False
            )
            .order_by("planned_date")
            .values("planned_date")[:1]
        )
        return self.annotate(
            planned_total=_fund_total(FundKind.PLANNED),
            allocated_total=_fund_total(FundKind.ALLOCATED),
            disbursed_total=_fund_total(FundKind.DISBURSED),
            next_due=Subquery(next_due, output_field=models.DateField()),
        )

    @staticmethod
    def overdue_condition(today: datetime.date | None = None) -> models.Exists:
        """A stage whose planned date has passed and that is not done. Also for counting inside
        an aggregate (Count(..., filter=...))."""
        late = ProjectStage.objects.filter(
            project=OuterRef("pk"),
            actual_date__isnull=True,
            planned_date__lt=today or timezone.localdate(),
        )
        return models.Exists(late)

    def overdue(self, today: datetime.date | None = None) -> ProjectQuerySet:
        """Projects with a stage past its planned date and not done (overdue_condition)."""
        return self.filter(self.overdue_condition(today))

    def funded_by(self, source: str) -> ProjectQuerySet:
        return self.filter(
            models.Exists(FundEntry.objects.filter(project=OuterRef("pk"), source=source))
        )


def rate(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part / whole as a fraction, None when there is nothing to divide by."""
    if not whole:
        return None
    return (part or ZERO) / whole


class Project(ScopedModel):
    """一个项目、一套班子、一个实施主体、一个时间表."""

    scope_path = "area__code"

    name = models.CharField("项目名称", max_length=100)
    project_type = models.CharField("项目类型", max_length=20, choices=ProjectType.choices)
    year = models.PositiveSmallIntegerField("项目年度", validators=YEAR_VALIDATORS)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name="所属区域",
        help_text="管理该项目的县、乡镇或村；受益区域须在其范围内。",
    )
    areas = models.ManyToManyField(
        Area,
        related_name="served_projects",
        verbose_name="受益区域",
        help_text="项目覆盖的乡镇或行政村。",
    )
    implementer = models.CharField("实施主体", max_length=100)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="projects", verbose_name="责任单位"
    )
    manager = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="managed_projects", verbose_name="责任人"
    )
    team = models.ManyToManyField(
        Cadre, blank=True, related_name="project_teams", verbose_name="项目班子成员"
    )
    description = models.TextField("建设内容", blank=True)
    # A project a 对口帮扶 helper delivers (出成果): its 对口帮扶 fund entries are the helper's money.
    help_pairing = models.ForeignKey(
        "HelpPairing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name="对口帮扶",
    )
    help_deliverable = models.CharField(
        "帮扶成果类别", max_length=20, choices=Deliverable.choices, blank=True
    )
    expected_households = models.PositiveIntegerField("预计带动贫困户(户)", default=0)
    expected_persons = models.PositiveIntegerField("预计带动贫困人口(人)", default=0)
    expected_income_increase = models.DecimalField(
        "预计人均增收(元)", max_digits=10, decimal_places=2, default=ZERO
    )
    stage = models.PositiveSmallIntegerField(
        "当前进度", choices=PROGRESS_CHOICES, default=NOT_LISTED, editable=False
    )
    # Optimistic concurrency (ScopedModelForm), also bumped by every stage step.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version", "updated_at"])

    class Meta:
        verbose_name = "扶贫项目"
        verbose_name_plural = "扶贫项目"
        ordering = ["-year", "area__code", "name"]
        indexes = [models.Index(fields=["year", "stage"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("projects:project_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.expected_households and self.expected_persons < self.expected_households:
            raise ValidationError({"expected_persons": "带动人数不能少于带动户数。"})
        if bool(self.help_pairing_id) != bool(self.help_deliverable):
            raise ValidationError(
                {"help_deliverable": "对口帮扶项目须同时选择对口帮扶和帮扶成果类别。"}
            )

    @property
    def next_stage(self) -> int | None:
        return self.stage + 1 if self.stage < Stage.EFFECTIVE else None

    @property
    def next_stage_label(self) -> str:
        return Stage(self.next_stage).label if self.next_stage else ""

    def days_overdue(self, today: datetime.date | None = None) -> int:
        """Days since the earliest planned date of an unfinished stage (0 if none has passed).

        Reads the `next_due` annotation (with_progress) when present, else the stages.
        """
        today = today or timezone.localdate()
        if hasattr(self, "next_due"):
            due = self.next_due
        else:
            dates = [s.planned_date for s in self.stages.all() if s.is_open and s.planned_date]
            due = min(dates, default=None)
        return max((today - due).days, 0) if due else 0

    def served_codes(self) -> list[str]:
        """The area codes the project serves (its own area when none is named)."""
        return [a.code for a in self.areas.all()] or [self.area.code]

    @property
    def approvals_complete(self) -> bool:
        return not approval_problems(list(self.approvals.select_related("unit")))


def areas_outside(area: Area, served) -> list[str]:
    """Names of the served areas that do not lie inside the managing area."""
    return [a.name for a in served if not Reach.under([area.code]).admits(a.code)]


def outside_message(area: Area, outside: list[str]) -> str:
    return f"受益区域须在所属区域“{area.name}”内：{'、'.join(outside)}。"


def approval_problems(approvals: list[ProjectApproval]) -> list[str]:
    """Why the joint review (联审联批) does not yet let a project pass 落地 (empty: it does)."""
    if not approvals:
        return ["项目须经联审联批后才能落地：请先添加联审单位。"]
    waiting = [a for a in approvals if a.decision != Decision.APPROVED]
    if waiting:
        names = "、".join(f"{a.unit.name}（{a.get_decision_display()}）" for a in waiting)
        return [f"联审联批尚未全部同意，不能落地：{names}。"]
    return []


def stage_evidence_path(instance: ProjectStage, filename: str) -> str:
    return stamped_name("projects", filename, f"{instance.project_id}-{instance.stage}")


class ProjectStageQuerySet(ScopedQuerySet):
    def planned_between(self, start: datetime.date, end: datetime.date) -> ProjectStageQuerySet:
        return self.filter(planned_date__gte=start, planned_date__lte=end)

    def reached_on_time(self) -> ProjectStageQuerySet:
        """Reached on or before the planned date (倒排工期 kept)."""
        return self.filter(actual_date__isnull=False, actual_date__lte=models.F("planned_date"))

    def due_within(self, days: int, today: datetime.date | None = None) -> ProjectStageQuerySet:
        """Stages not reached whose planned date falls in the next `days` days (from today)."""
        today = today or timezone.localdate()
        return self.filter(
            actual_date__isnull=True,
            planned_date__gte=today,
            planned_date__lte=today + datetime.timedelta(days=days),
        )


class ProjectStage(ScopedModel):
    """One of the six stages: planned date (倒排工期), actual date and evidence when reached."""

    scope_path = "project__area__code"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="stages", verbose_name="项目"
    )
    stage = models.PositiveSmallIntegerField("阶段", choices=Stage.choices)
    planned_date = models.DateField("计划日期", null=True, blank=True)
    actual_date = models.DateField("实际日期", null=True, blank=True, editable=False)
    evidence = models.TextField("完成情况/依据", blank=True, editable=False)
    evidence_file = models.FileField(
        "附件",
        upload_to=stage_evidence_path,
        blank=True,
        editable=False,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS), validate_evidence],
    )
    recorded_by = recorded_by_field()

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ProjectStageQuerySet.as_manager()

    class Meta:
        verbose_name = "项目阶段"
        verbose_name_plural = "项目阶段"
        ordering = ["project", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["project", "stage"], name="projectstage_unique_stage")
        ]
        indexes = [models.Index(fields=["actual_date", "planned_date"])]

    def __str__(self) -> str:
        return f"{self.project.name} · {self.get_stage_display()}"

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url()

    @property
    def is_open(self) -> bool:
        return self.actual_date is None

    def days_overdue(self, today: datetime.date | None = None) -> int:
        """Days past the planned date without an actual date (0 when on time or done)."""
        if not self.is_open or self.planned_date is None:
            return 0
        today = today or timezone.localdate()
        return max((today - self.planned_date).days, 0)

    def days_late(self) -> int | None:
        """For a done stage: days it finished after plan (negative = early)."""
        if self.actual_date and self.planned_date:
            return (self.actual_date - self.planned_date).days
        return None


class FundEntry(ScopedModel):
    """One dated amount of one source: planned, put in place (下达到位) or paid out (拨付)."""

    scope_path = "project__area__code"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="funds", verbose_name="项目"
    )
    source = models.CharField("资金来源", max_length=20, choices=FundSource.choices)
    kind = models.CharField("类别", max_length=20, choices=FundKind.choices)
    amount = models.DecimalField(
        "金额(元)",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), "金额须大于0。")],
    )
    date = models.DateField("日期", default=timezone.localdate)
    document = models.CharField("文号/凭证号", max_length=100, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = recorded_by_field()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "项目资金"
        verbose_name_plural = "项目资金"
        ordering = ["project", "date", "pk"]
        indexes = [models.Index(fields=["project", "kind", "source"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()}{self.get_kind_display()} {self.amount}元"

    def get_absolute_url(self) -> str:
        return object_url("projects:fundentry_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "日期不能晚于今天。"})
        if self.kind == FundKind.DISBURSED and self.project_id and self.source and self.amount:
            self._check_disbursement()

    def _check_disbursement(self) -> None:
        others = FundEntry.objects.filter(project_id=self.project_id, source=self.source).exclude(
            pk=self.pk
        )
        totals = others.aggregate(
            allocated=Sum("amount", filter=Q(kind=FundKind.ALLOCATED)),
            disbursed=Sum("amount", filter=Q(kind=FundKind.DISBURSED)),
        )
        allocated = totals["allocated"] or ZERO
        disbursed = totals["disbursed"] or ZERO
        if disbursed + self.amount > allocated:
            raise ValidationError(
                {
                    "amount": f"拨付不能超过已到位资金：{self.get_source_display()}资金已到位{allocated:.2f}元，"
                    f"已拨付{disbursed:.2f}元，本次最多可拨付{max(allocated - disbursed, ZERO):.2f}元。"
                }
            )


class Beneficiary(ScopedModel):
    """A registered household the project lifts (带贫户), optionally through one of its measures."""

    scope_path = "project__area__code"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="beneficiaries", verbose_name="项目"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="project_links", verbose_name="受益户"
    )
    measure = models.ForeignKey(
        AssistanceMeasure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_links",
        verbose_name="对应帮扶措施",
        help_text="该户因本项目而享受的帮扶措施。",
    )
    note = models.CharField(
        "受益方式", max_length=200, blank=True, help_text="如：入股分红、务工。"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "项目受益户"
        verbose_name_plural = "项目受益户"
        ordering = ["project", "household__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "household"], name="beneficiary_unique_household"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.name} · {self.household}"

    def get_absolute_url(self) -> str:
        return object_url("projects:beneficiary_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if not (self.project_id and self.household_id):
            return
        code = self.household.village.code
        if not Reach.under(self.project.served_codes()).admits(code):
            raise ValidationError({"household": "该户不在本项目的受益区域内。"})
        if self.measure_id and self.measure.household_id != self.household_id:
            raise ValidationError({"measure": "所选帮扶措施不属于该户。"})


class ProjectApproval(ScopedModel):
    """联审联批: one unit's decision on a project; the project cannot pass 落地 until all approve."""

    scope_path = "project__area__code"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="approvals", verbose_name="项目"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="project_approvals", verbose_name="联审单位"
    )
    decision = models.CharField(
        "审查意见", max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    decided_on = models.DateField("审查日期", null=True, blank=True)
    comment = models.TextField("意见说明", blank=True)
    recorded_by = recorded_by_field()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "联审联批"
        verbose_name_plural = "联审联批"
        ordering = ["project", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "unit"], name="approval_unique_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit.name}：{self.get_decision_display()}"

    def get_absolute_url(self) -> str:
        return object_url("projects:projectapproval_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.decision == Decision.PENDING:
            if self.decided_on:
                raise ValidationError({"decided_on": "尚未审查的单位不填审查日期。"})
            return
        if not self.decided_on:
            raise ValidationError({"decided_on": "请填写审查日期。"})
        if self.decided_on > timezone.localdate():
            raise ValidationError({"decided_on": "审查日期不能晚于今天。"})
        if self.decision == Decision.REJECTED and not self.comment.strip():
            raise ValidationError({"comment": "不同意时须说明理由。"})


class Disclosure(ScopedModel):
    """公告公示: what was posted, where, from when to when; objections hang below it."""

    scope_path = "project__area__code"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="disclosures", verbose_name="项目"
    )
    title = models.CharField(
        "公示事项", max_length=100, help_text="如：项目计划、资金使用、受益户名单。"
    )
    content = models.TextField("公示内容", blank=True)
    location = models.CharField("公示地点", max_length=100, default="村委会公示栏")
    start_date = models.DateField("公示开始")
    end_date = models.DateField("公示结束")
    phone = models.CharField(
        "监督电话", max_length=20, blank=True, help_text="公示期内受理异议的电话（公开）。"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "公告公示"
        verbose_name_plural = "公告公示"
        ordering = ["project", "-start_date", "pk"]

    def __str__(self) -> str:
        return f"{self.project.name}：{self.title}"

    def get_absolute_url(self) -> str:
        return object_url("projects:disclosure_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date:
            days = (self.end_date - self.start_date).days + 1
            if days < DISCLOSURE_MIN_DAYS:
                raise ValidationError(
                    {"end_date": f"公示期不少于{DISCLOSURE_MIN_DAYS}天（当前{days}天）。"}
                )

    @property
    def is_running(self) -> bool:
        return self.start_date <= timezone.localdate() <= self.end_date


class Objection(ScopedModel):
    """An objection raised during a disclosure, and how it was answered."""

    scope_path = "disclosure__project__area__code"

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="objections", verbose_name="公示"
    )
    received_on = models.DateField("受理日期", default=timezone.localdate)
    raised_by = models.CharField("反映人", max_length=50, blank=True, help_text="可匿名。")
    content = models.TextField("异议内容")
    answer = models.TextField("核查及答复", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["disclosure", "received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.received_on:%Y-%m-%d} {self.content[:20]}"

    def get_absolute_url(self) -> str:
        return self.disclosure.get_absolute_url()

    def clean(self) -> None:
        super().clean()
        if self.answer.strip() and not self.answered_on:
            raise ValidationError({"answered_on": "请填写答复日期。"})
        if self.answered_on and not self.answer.strip():
            raise ValidationError({"answer": "请填写答复内容。"})
        if self.answered_on and self.received_on and self.answered_on < self.received_on:
            raise ValidationError({"answered_on": "答复日期不能早于受理日期。"})


class HelpPairing(ScopedModel):
    """对口帮扶 (一帮三出): a helping county or district, inside our tree or outside it, paired
    with a township for a period. Its team (出人), its yearly revenue and commitment against the
    1 % rule (出钱) and the projects it delivers (出成果, linked by Project.help_pairing); its
    money is those projects' fund entries of source 对口帮扶, so nothing is counted twice
    (projects.selectors.pairing_funds)."""

    scope_path = "township__code"

    helper = models.CharField("帮扶方", max_length=60, help_text="如：晋中市榆次区")
    helper_area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="帮扶方（本系统内）",
        help_text="帮扶方在本系统的区划内时选择。",
    )
    township = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="help_pairings", verbose_name="受帮扶乡镇"
    )
    start = models.DateField("帮扶期起")
    end = models.DateField("帮扶期止")
    agreement = models.TextField("帮扶协议要点", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "对口帮扶"
        verbose_name_plural = "对口帮扶"
        ordering = ["township__code", "-start"]

    def __str__(self) -> str:
        return f"{self.helper}—{self.township.name}"

    def get_absolute_url(self) -> str:
        return object_url("projects:helppairing_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.township_id and self.township.level != "township":
            raise ValidationError({"township": "请选择乡镇。"})
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "帮扶期止不能早于帮扶期起。"})
        if (
            self.helper_area_id
            and self.township_id
            and self.township.code.startswith(prefix_of(self.helper_area.code))
        ):
            raise ValidationError({"helper_area": "帮扶方不能是受帮扶乡镇本身或其上级。"})


class HelpTeamMember(ScopedModel):
    """A member of the helper's team on site (出人)."""

    scope_path = "pairing__township__code"

    pairing = models.ForeignKey(
        HelpPairing, on_delete=models.CASCADE, related_name="team", verbose_name="对口帮扶"
    )
    name = models.CharField("姓名", max_length=30)
    role = models.CharField("队内职务", max_length=10, choices=TeamRole.choices)
    position = models.CharField("原单位及职务", max_length=100, blank=True)
    county_leader = models.BooleanField("县级领导", default=False)
    on_site_from = models.DateField("到岗日期")
    on_site_until = models.DateField("离岗日期", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "帮扶工作队员"
        verbose_name_plural = "帮扶工作队员"
        ordering = ["pairing", "role", "on_site_from"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.pairing.get_absolute_url()

    def on_site(self, day: datetime.date) -> bool:
        return self.on_site_from <= day and (
            self.on_site_until is None or day <= self.on_site_until
        )

    def clean(self) -> None:
        super().clean()
        if self.on_site_until and self.on_site_from and self.on_site_until < self.on_site_from:
            raise ValidationError({"on_site_until": "离岗日期不能早于到岗日期。"})


class HelpYear(ScopedModel):
    """A year of a pairing: the helper's stated 一般公共预算收入 and its commitment (出钱)."""

    scope_path = "pairing__township__code"

    pairing = models.ForeignKey(
        HelpPairing, on_delete=models.CASCADE, related_name="years", verbose_name="对口帮扶"
    )
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    revenue = models.DecimalField("帮扶方一般公共预算收入（万元）", max_digits=12, decimal_places=2)
    committed = models.DecimalField("承诺帮扶资金（万元）", max_digits=12, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "对口帮扶年度资金"
        verbose_name_plural = "对口帮扶年度资金"
        ordering = ["pairing", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "year"],
                name="projects_helpyear_once",
                violation_error_message="该年度已登记。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pairing} {self.year}年"

    def get_absolute_url(self) -> str:
        return self.pairing.get_absolute_url()

    @property
    def required(self) -> Decimal:
        """The least the helper must put in (1 % of its revenue), in 万元."""
        return (self.revenue * PAIRING_FUND_SHARE).quantize(Decimal("0.01"))
