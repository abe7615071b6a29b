"""考核考评: a county's half-yearly or yearly assessment of its townships or of its units.

An app of its own: it reads every other app (pledges, findings, visits, key tasks, projects) to
compute its indicators (assessments.indicators), and nothing reads it. A scheme names the period,
whom it assesses and its indicators with their weights; assessment groups (考评小组) are assigned
townships or units and only their members score the indicators that are not computed and record
deductions and bonus points (扣分, 加分), each with a reason and evidence. Scores and results are
kept as rows; a published scheme is locked, its history kept.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from poverty.common.links import object_url
from poverty.common.models import UPLOAD_EXTENSIONS, recorded_by_field
from poverty.common.scoping import ScopedModel
from poverty.common.uploads import stamped_name, validate_evidence
from villages.choices import AreaLevel
from villages.models import Area, Unit

from .choices import APPLICABLE, AdjustmentKind, AssesseeKind, SchemeStatus, Source

POINTS = {"max_digits": 6, "decimal_places": 2}
# Who may assess whom: a county its townships and units, a city its counties and units (晋中's
# 积分制 assessment of its counties).
ORGANISERS = {
    (AreaLevel.COUNTY, AssesseeKind.TOWNSHIP),
    (AreaLevel.COUNTY, AssesseeKind.UNIT),
    (AreaLevel.CITY, AssesseeKind.COUNTY),
    (AreaLevel.CITY, AssesseeKind.UNIT),
}


def _evidence_path(instance: models.Model, filename: str) -> str:
    return stamped_name("assessments", filename)


def _evidence_field() -> models.FileField:
    return models.FileField(
        "佐证材料",
        upload_to=_evidence_path,
        blank=True,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS), validate_evidence],
    )


class Scheme(ScopedModel):
    """考核方案: the period, whom it assesses, its indicators; published once, then locked."""

    scope_path = "area__code"
    # The townships and units it assesses read the scheme that assesses them.
    scope_ancestors = True

    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="assessment_schemes",
        verbose_name="组织考核的县",
    )
    title = models.CharField("方案名称", max_length=100)
    assessee = models.CharField("考核对象", max_length=10, choices=AssesseeKind.choices)
    start = models.DateField("考核期起")
    end = models.DateField("考核期止")
    note = models.TextField("考核办法", blank=True)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=SchemeStatus.choices,
        default=SchemeStatus.DRAFT,
        editable=False,
    )
    published_on = models.DateField("公布日期", null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name="公布人",
    )
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-end", "area__code", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("assessments:scheme_detail", self.pk)

    @property
    def is_published(self) -> bool:
        return self.status == SchemeStatus.PUBLISHED

    def locked_reason(self) -> str:
        if self.is_published:
            return f"该考核已于{self.published_on:%Y-%m-%d}公布，不能再修改。"
        return ""

    def clean(self) -> None:
        super().clean()
        if self.area_id and self.assessee and (self.area.level, self.assessee) not in ORGANISERS:
            raise ValidationError(
                {
                    "assessee": f"{self.area.get_level_display()}不能考核{self.get_assessee_display()}。"
                }
            )
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "考核期止不能早于考核期起。"})
        if self.start and self.end and (self.end - self.start).days > 366:
            raise ValidationError({"end": "考核期不能超过一年（半年或一年）。"})

    def assessees(self) -> models.QuerySet:
        """Whom the scheme assesses: the areas directly below its own (a county's townships, a
        city's counties), or the units of its area."""
        if self.assessee == AssesseeKind.UNIT:
            return Unit.objects.filter(area=self.area).order_by("name")
        return Area.objects.filter(parent=self.area).order_by("code")


class Indicator(ScopedModel):
    """考核指标: a weight (its full points) and where its score comes from. A computed one
    scores weight × rate / full_at (full points from `full_at` up); a manual one is scored by
    the group between 0 and the weight."""

    scope_path = "scheme__area__code"
    scope_ancestors = True

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="indicators", verbose_name="考核方案"
    )
    name = models.CharField("指标", max_length=60)
    source = models.CharField("计分方式", max_length=30, choices=Source.choices)
    weight = models.DecimalField("分值", **POINTS, validators=[MinValueValidator(Decimal("0.5"))])
    full_at = models.PositiveSmallIntegerField(
        "满分线(%)",
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="自动计分指标：完成率达到此值即得满分，低于按比例计分。",
    )
    rule = models.CharField("评分标准", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["scheme", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}分）"

    def get_absolute_url(self) -> str:
        return self.scheme.get_absolute_url()

    @property
    def is_manual(self) -> bool:
        return self.source == Source.MANUAL

    def clean(self) -> None:
        super().clean()
        if self.scheme_id and self.source and self.source not in APPLICABLE[self.scheme.assessee]:
            raise ValidationError(
                {
                    "source": f"“{Source(self.source).label}”不适用于考核{self.scheme.get_assessee_display()}。"
                }
            )


class Group(ScopedModel):
    """考评小组: its members (accounts) score the townships or units assigned to it."""

    scope_path = "scheme__area__code"

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="groups", verbose_name="考核方案"
    )
    name = models.CharField("小组名称", max_length=60)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="assessment_groups", verbose_name="小组成员"
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="+", verbose_name="负责考评的乡镇（县）"
    )
    units = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name="负责考评的单位"
    )

    history = HistoricalRecords(m2m_fields=[members, areas, units])

    class Meta:
        verbose_name = "考评小组"
        verbose_name_plural = "考评小组"
        ordering = ["scheme", "name"]

    def __str__(self) -> str:
        return f"{self.scheme.title} · {self.name}"

    def get_absolute_url(self) -> str:
        return object_url("assessments:group_detail", self.pk)

    def locked_reason(self) -> str:
        return self.scheme.locked_reason() if self.scheme_id else ""


class AssesseeRow(ScopedModel):
    """A row about one assessee of a scheme (a township or a unit), placed in its area."""

    scope_path = "place__code"

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="+", verbose_name="考核方案"
    )
    # The assessed area (a township of a county's scheme, a county of a city's), or unit.
    assessed = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="考核对象（地区）",
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="单位"
    )
    # Where the row may be read: the assessed area, or the unit's area.
    place = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name="所在区域"
    )
    recorded_by = recorded_by_field()

    class Meta:
        abstract = True

    @property
    def assessee(self):
        return self.assessed if self.assessed_id else self.unit

    def clean(self) -> None:
        super().clean()
        if not self.scheme_id:
            return
        label = self.scheme.get_assessee_display()
        if self.scheme.assessee == AssesseeKind.UNIT:
            if not self.unit_id or self.assessed_id:
                raise ValidationError({"unit": "该考核的对象是单位，请选择单位。"})
            if self.unit.area_id != self.scheme.area_id:
                raise ValidationError({"unit": "所选单位不属于组织考核的地区。"})
        else:
            if not self.assessed_id or self.unit_id:
                raise ValidationError({"assessed": f"该考核的对象是{label}，请选择{label}。"})
            if self.assessed.parent_id != self.scheme.area_id:
                raise ValidationError({"assessed": f"所选{label}不属于组织考核的地区。"})
        self.place = self.assessed if self.assessed_id else self.unit.area

    def save(self, *args, **kwargs) -> None:
        self.place = self.assessed if self.assessed_id else self.unit.area
        super().save(*args, **kwargs)


class Score(AssesseeRow):
    """One indicator's score for one assessee: computed from live data when the scheme is
    counted (with the rate and how it was reached), or given by the group with evidence."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="scores", verbose_name="指标"
    )
    rate = models.DecimalField("完成率", max_digits=8, decimal_places=4, null=True, blank=True)
    points = models.DecimalField("得分", **POINTS)
    basis = models.TextField("计分依据")
    evidence = _evidence_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "指标得分"
        verbose_name_plural = "指标得分"
        ordering = ["scheme", "place__code", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "assessed"],
                condition=models.Q(assessed__isnull=False),
                name="assessments_score_once_area",
            ),
            models.UniqueConstraint(
                fields=["indicator", "unit"],
                condition=models.Q(unit__isnull=False),
                name="assessments_score_once_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessee} · {self.indicator.name}：{self.points}分"

    def get_absolute_url(self) -> str:
        return object_url("assessments:score_detail", self.pk)

    def locked_reason(self) -> str:
        return self.scheme.locked_reason() if self.scheme_id else ""


class Adjustment(AssesseeRow):
    """扣分 or 加分 (积分) outside the indicators, each with its reason and evidence."""

    kind = models.CharField("类别", max_length=10, choices=AdjustmentKind.choices)
    points = models.DecimalField("分数", **POINTS, validators=[MinValueValidator(Decimal("0.1"))])
    reason = models.CharField("事由", max_length=200)
    evidence = _evidence_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "加减分"
        verbose_name_plural = "加减分"
        ordering = ["scheme", "place__code", "pk"]

    def __str__(self) -> str:
        return f"{self.assessee} {self.get_kind_display()}{self.points}分：{self.reason}"

    @property
    def signed(self) -> Decimal:
        """The points as they count in the total: a deduction below zero."""
        return -self.points if self.kind == AdjustmentKind.DEDUCT else self.points

    def get_absolute_url(self) -> str:
        return object_url("assessments:adjustment_detail", self.pk)

    def locked_reason(self) -> str:
        return self.scheme.locked_reason() if self.scheme_id else ""
