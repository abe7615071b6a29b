"""贫困村出列 and 贫困县摘帽: the standards (退出标准) a province or county sets per year, the
readings of their recorded indicators with evidence, and the exit procedure's steps.

Each indicator is either computed from the registry (贫困发生率: the exit statistics' own
incidence rate) or recorded per village or county with who, when and evidence; readings are
added, never edited, and the latest counts (exits.selectors.evaluate). The procedure's steps are
rows like a household's exit records: who, when, evidence; a step taken stays taken.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from poverty.common.areacodes import prefix_of
from poverty.common.links import object_url
from poverty.common.models import UPLOAD_EXTENSIONS, recorded_by_field
from poverty.common.scoping import ScopedModel
from poverty.common.uploads import stamped_name, validate_evidence
from villages.choices import AreaLevel
from villages.models import YEAR_VALIDATORS, Area

from .choices import (
    LEVEL_OF_AREA,
    RECORDED,
    ExitLevel,
    ItemKind,
    RehearsalStatus,
    Step,
    Stratum,
    Verdict,
)

AMOUNT = {"max_digits": 12, "decimal_places": 2}


def _evidence_path(instance: models.Model, filename: str) -> str:
    return stamped_name("exits", filename)


def _evidence_field() -> models.FileField:
    return models.FileField(
        "佐证材料",
        upload_to=_evidence_path,
        blank=True,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS), validate_evidence],
    )


class Standard(ScopedModel):
    """退出标准: the indicators a village must meet to 出列, or a county to 摘帽, in a year. Set by
    a province (the national rule as it applies there) or by a county for its villages (its own
    beats its province's)."""

    scope_path = "area__code"
    # The villages and counties under it read the standard they are judged by.
    scope_ancestors = True

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="exit_standards", verbose_name="制定地区"
    )
    level = models.CharField("适用于", max_length=10, choices=ExitLevel.choices)
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    title = models.CharField("名称", max_length=100)
    note = models.TextField("依据与说明", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "退出标准"
        verbose_name_plural = "退出标准"
        ordering = ["-year", "area__code", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "level", "year"],
                name="exits_standard_one_per_area_year",
                violation_error_message="该地区该年度已有此类退出标准。",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("exits:standard_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if not self.area_id or not self.level:
            return
        allowed = (
            (AreaLevel.PROVINCE,)
            if self.level == ExitLevel.COUNTY
            else (AreaLevel.PROVINCE, AreaLevel.COUNTY)
        )
        if self.area.level not in allowed:
            raise ValidationError(
                {
                    "area": "贫困县摘帽标准由省制定。"
                    if self.level == ExitLevel.COUNTY
                    else "贫困村出列标准由省或县制定。"
                }
            )


class Item(ScopedModel):
    """One indicator of a standard, and how it is judged."""

    scope_path = "standard__area__code"
    scope_ancestors = True

    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="items", verbose_name="退出标准"
    )
    name = models.CharField("指标", max_length=60)
    kind = models.CharField("判断方式", max_length=20, choices=ItemKind.choices)
    threshold = models.DecimalField("标准值", **AMOUNT, null=True, blank=True)
    unit = models.CharField("单位", max_length=10, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "退出指标"
        verbose_name_plural = "退出指标"
        ordering = ["standard", "sort", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.standard.get_absolute_url()

    @property
    def is_recorded(self) -> bool:
        return self.kind in RECORDED

    @property
    def rule_text(self) -> str:
        unit = self.unit or ""
        return {
            ItemKind.POVERTY_RATE: f"贫困发生率低于{self.threshold}%",
            ItemKind.YES: "达到",
            ItemKind.AT_LEAST: f"不低于{self.threshold}{unit}",
            ItemKind.BELOW: f"低于{self.threshold}{unit}",
            ItemKind.WRONG_EXIT_RATE: f"错退率低于{self.threshold}%",
            ItemKind.MISSED_RATE: f"漏评率低于{self.threshold}%",
            ItemKind.SATISFACTION: f"认可度不低于{self.threshold}%",
        }[ItemKind(self.kind)]

    def clean(self) -> None:
        super().clean()
        if self.kind and self.kind != ItemKind.YES and self.threshold is None:
            raise ValidationError({"threshold": "请填写标准值。"})


class Reading(ScopedModel):
    """A recorded indicator of one village or county, with evidence: who, when, what. Added,
    never edited (a correction is a new reading); the latest counts."""

    scope_path = "area__code"

    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="readings", verbose_name="指标"
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="exit_readings", verbose_name="村（县）"
    )
    met = models.BooleanField("是否达到", null=True, blank=True)
    value = models.DecimalField("数值", **AMOUNT, null=True, blank=True)
    note = models.TextField("情况说明", blank=True)
    evidence = _evidence_field()
    recorded_by = recorded_by_field()
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "指标记录"
        verbose_name_plural = "指标记录"
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["area", "item", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.area} {self.item}"

    def get_absolute_url(self) -> str:
        return object_url("exits:reading_detail", self.pk)

    @property
    def shown(self) -> str:
        if self.item.kind == ItemKind.YES:
            return {True: "是", False: "否"}.get(self.met, "")
        return f"{self.value}{self.item.unit}" if self.value is not None else ""

    def locked_reason(self) -> str:
        if self.pk:
            return "指标记录不能修改；如有变化请新增一条记录（以最新一条为准）。"
        return ""

    def clean(self) -> None:
        super().clean()
        if not self.item_id or not self.area_id:
            return
        item = self.item
        if not item.is_recorded:
            raise ValidationError({"item": "该指标按建档立卡数据自动计算，无需记录。"})
        if LEVEL_OF_AREA.get(self.area.level) != item.standard.level:
            raise ValidationError(
                {
                    "area": f"该指标属于“{item.standard.get_level_display()}”标准，请选择相应的村或县。"
                }
            )
        if not self.area.code.startswith(prefix_of(item.standard.area.code)):
            raise ValidationError({"area": f"所选地区不在“{item.standard.area.name}”之内。"})
        if item.kind == ItemKind.YES and self.met is None:
            raise ValidationError({"met": "请选择是否达到。"})
        if item.kind != ItemKind.YES and self.value is None:
            raise ValidationError({"value": "请填写数值。"})


class ExitStep(ScopedModel):
    """One step of a village's 出列 or a county's 摘帽: who, when, evidence. Taken once, never
    edited (exits.services)."""

    scope_path = "area__code"

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="exit_steps", verbose_name="村（县）"
    )
    year = models.PositiveSmallIntegerField("退出年度", validators=YEAR_VALIDATORS)
    step = models.CharField("步骤", max_length=20, choices=Step.choices)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="经办人",
    )
    taken_at = models.DateTimeField("办理时间", auto_now_add=True)
    note = models.TextField("意见与依据", blank=True)
    evidence = _evidence_field()
    override_reason = models.TextField("未全部达标仍申请的理由", blank=True)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示结束", null=True, blank=True)
    publicity_place = models.CharField("公示地点", max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "出列摘帽程序"
        verbose_name_plural = "出列摘帽程序"
        permissions = [
            ("override_standard", "可在退出指标未全部达到时批准申请（须说明理由）"),
        ]
        ordering = ["area__code", "year", "taken_at", "pk"]

    def __str__(self) -> str:
        return f"{self.area} {self.year}年 {self.get_step_display()}"

    def get_absolute_url(self) -> str:
        return reverse("exits:area", args=[self.area_id]) + f"?year={self.year}"

    def locked_reason(self) -> str:
        return "已办理的程序步骤不能修改或删除。" if self.pk else ""


class Rehearsal(ScopedModel):
    """第三方评估预评估: a county's rehearsal of the national assessment. A sample drawn the
    published way from a recorded seed (exits.rehearsal.draw), questionnaires filled at each
    sampled home, and on completion the rates kept as they were found, the errors turned into
    findings, and the rehearsal locked."""

    scope_path = "area__code"

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="rehearsals", verbose_name="县"
    )
    year = models.PositiveSmallIntegerField("评估年度", validators=YEAR_VALIDATORS)
    title = models.CharField("名称", max_length=100)
    villages_wanted = models.PositiveSmallIntegerField(
        "抽取行政村数", default=10, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    exited_per_village = models.PositiveSmallIntegerField(
        "每村抽查已脱贫户", default=5, validators=[MaxValueValidator(50)]
    )
    remaining_per_village = models.PositiveSmallIntegerField(
        "每村抽查未脱贫户", default=3, validators=[MaxValueValidator(50)]
    )
    others_per_village = models.PositiveSmallIntegerField(
        "每村调查非建档立卡户", default=5, validators=[MaxValueValidator(50)]
    )
    seed = models.PositiveIntegerField(
        "抽样种子", null=True, blank=True, help_text="留空则抽样时随机生成；同一种子重抽结果相同。"
    )
    note = models.TextField("说明", blank=True)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=RehearsalStatus.choices,
        default=RehearsalStatus.DRAFT,
        editable=False,
    )
    drawn_at = models.DateTimeField("抽样时间", null=True, blank=True, editable=False)
    closed_at = models.DateTimeField("完成时间", null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name="完成人",
    )
    # The rates as they were on completion (exits.rehearsal.Results.as_dict): what was found
    # stays what was found.
    results = models.JSONField("评估结果", null=True, blank=True, editable=False)
    inspection = models.ForeignKey(
        "inspections.Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="问题所属督查",
    )
    version = models.PositiveIntegerField(default=0, editable=False)

    # The results are written once, on completion, and locked with the rehearsal: the row keeps
    # them; the history says when it was completed and by whom.
    history = HistoricalRecords(excluded_fields=["results"])

    class Meta:
        verbose_name = "第三方评估预评估"
        verbose_name_plural = "第三方评估预评估"
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("exits:rehearsal_detail", self.pk)

    def locked_reason(self) -> str:
        if self.status == RehearsalStatus.CLOSED:
            return "该预评估已完成，结果已存档，不能再修改。"
        if self.status == RehearsalStatus.DRAWN:
            return "已经抽样，抽样参数不能再修改。"
        return ""

    def clean(self) -> None:
        super().clean()
        if self.area_id and self.area.level != AreaLevel.COUNTY:
            raise ValidationError({"area": "预评估以县为单位开展。"})


class Survey(ScopedModel):
    """One sampled home's questionnaire: a registered household (exited or not) or a
    non-registered one met in the sampled village (its head and address entered at the door)."""

    scope_path = "village__code"

    rehearsal = models.ForeignKey(
        Rehearsal, on_delete=models.CASCADE, related_name="surveys", verbose_name="预评估"
    )
    village = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name="行政村"
    )
    village_poor = models.BooleanField("贫困村", default=False, editable=False)
    stratum = models.CharField("类别", max_length=10, choices=Stratum.choices, editable=False)
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="建档立卡户",
        editable=False,
    )
    slot = models.PositiveSmallIntegerField("序号", default=1, editable=False)
    head_name = models.CharField("户主姓名", max_length=30, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    persons = models.PositiveSmallIntegerField("家庭人口", null=True, blank=True)
    surveyed_on = models.DateField("调查日期", null=True, blank=True)
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="调查人",
    )
    # The household's income of the year by item, as the questionnaire asks it; the per-capita
    # figure follows from them (or is taken as told, when the items are not known).
    wage = models.DecimalField("工资性收入（元）", **AMOUNT, null=True, blank=True)
    business = models.DecimalField("生产经营性收入（元）", **AMOUNT, null=True, blank=True)
    property_income = models.DecimalField("财产性收入（元）", **AMOUNT, null=True, blank=True)
    transfer = models.DecimalField("转移性收入（元）", **AMOUNT, null=True, blank=True)
    business_costs = models.DecimalField("生产经营支出（元）", **AMOUNT, null=True, blank=True)
    income = models.DecimalField("人均纯收入（元）", **AMOUNT, null=True, blank=True)
    food = models.BooleanField("不愁吃", null=True, blank=True)
    clothing = models.BooleanField("不愁穿", null=True, blank=True)
    education = models.BooleanField("义务教育有保障", null=True, blank=True)
    medical = models.BooleanField("基本医疗有保障", null=True, blank=True)
    housing = models.BooleanField("住房安全有保障", null=True, blank=True)
    water = models.BooleanField("饮水安全有保障", null=True, blank=True)
    satisfied = models.BooleanField("认可帮扶工作和退出结果", null=True, blank=True)
    note = models.TextField("调查记录", blank=True)
    verdict = models.CharField(
        "结论", max_length=20, choices=Verdict.choices, blank=True, default="", editable=False
    )
    finding = models.ForeignKey(
        "inspections.Finding",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="转督查问题",
    )
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "抽样调查户"
        verbose_name_plural = "抽样调查户"
        ordering = ["rehearsal", "village__code", "stratum", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["rehearsal", "household"],
                condition=models.Q(household__isnull=False),
                name="exits_survey_household_once",
            )
        ]

    def __str__(self) -> str:
        who = self.household.code if self.household_id else (self.head_name or f"第{self.slot}户")
        return f"{self.village.name} {self.get_stratum_display()} {who}"

    def get_absolute_url(self) -> str:
        return object_url("exits:survey_detail", self.pk)

    def locked_reason(self) -> str:
        if self.rehearsal.status == RehearsalStatus.CLOSED:
            return "该预评估已完成，调查结果不能再修改。"
        return ""
