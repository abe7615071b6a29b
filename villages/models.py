"""Areas keyed by 统计用区划代码, and the people and units paired with them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from poverty.common.areacodes import ancestor_codes, is_valid_code, level_of, parent_code, prefix_of
from poverty.common.geo import latitude_field, longitude_field
from poverty.common.links import object_url
from poverty.common.models import IMPORT_RUNNING, DatedModel, IdNumberModel, ImportStatus
from poverty.common.scoping import ScopedModel, ScopedQuerySet

from .choices import AreaLevel, PostingRole, UnitKind

YEAR_VALIDATORS = [MinValueValidator(2013), MaxValueValidator(2035)]
phone_validator = RegexValidator(r"^[0-9+\-() ]{5,20}$", "请输入有效的电话号码。")


class Area(ScopedModel):
    """Province, city, county, township or administrative village (行政村)."""

    scope_path = "code"

    code = models.CharField(
        "区划代码",
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", "区划代码须为12位数字。")],
    )
    name = models.CharField("名称", max_length=50)
    level = models.CharField("层级", max_length=10, choices=AreaLevel.choices, editable=False)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级",
        editable=False,
    )
    is_poor = models.BooleanField("贫困村", default=False)
    planned_exit_year = models.PositiveSmallIntegerField(
        "计划退出年度", null=True, blank=True, validators=YEAR_VALIDATORS
    )
    actual_exit_year = models.PositiveSmallIntegerField(
        "实际退出年度", null=True, blank=True, validators=YEAR_VALIDATORS
    )
    rural_population = models.PositiveIntegerField(
        "农业户籍人口", null=True, blank=True, help_text="用于计算贫困发生率。"
    )
    # How long a paired household may go unvisited before its cadre's work page lists it: the
    # county's own rule (households.models.visit_interval); empty: settings.VISIT_INTERVAL_DAYS.
    visit_interval_days = models.PositiveSmallIntegerField(
        "走访周期(天)",
        null=True,
        blank=True,
        validators=[MinValueValidator(7), MaxValueValidator(180)],
        help_text="县级填写：结对户超过这么多天未走访，即列入帮扶干部的工作台；不填按30天。",
    )
    # A village's reference point (its committee's office): visits recorded far from it are
    # listed as 疑点 (households.quality).
    latitude = latitude_field(
        "村委会纬度", help_text="如 30.864521；在村委会门口用手机定位后填写。"
    )
    longitude = longitude_field("村委会经度", help_text="如 116.358702。")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("villages:area_detail", self.pk)

    @property
    def prefix(self) -> str:
        return prefix_of(self.code)

    @property
    def is_village(self) -> bool:
        return self.level == AreaLevel.VILLAGE

    def full_name(self) -> str:
        """Names from the county down, for breadcrumbs and printouts (one query)."""
        names = dict(
            Area.objects.filter(code__in=ancestor_codes(self.code)).values_list("code", "name")
        )
        chain = [names[c] for c in ancestor_codes(self.code) if c in names]
        return "".join([*chain[-2:], self.name])

    def nearest_existing_ancestor(self) -> Area | None:
        return Area.objects.filter(code__in=ancestor_codes(self.code)).order_by("-code").first()

    def clean(self) -> None:
        super().clean()
        if not is_valid_code(self.code):
            return  # the field validator reports it
        self.level = level_of(self.code)
        self.parent = self.nearest_existing_ancestor()
        # A county may stand alone (a county-only deployment); townships and villages need
        # the area directly above them.
        if self.level in (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE) and (
            self.parent is None or self.parent.code != parent_code(self.code)
        ):
            raise ValidationError({"code": "找不到上级区划，请先建立所属的县和乡镇。"})
        if self.level != AreaLevel.VILLAGE and (self.is_poor or self.planned_exit_year):
            raise ValidationError({"is_poor": "只有行政村可以标记为贫困村。"})
        if self.actual_exit_year and not self.is_poor:
            raise ValidationError({"actual_exit_year": "非贫困村没有退出年度。"})
        if self.is_poor and not self.planned_exit_year:
            raise ValidationError({"planned_exit_year": "贫困村须填写计划退出年度。"})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": "村委会位置须同时填写纬度和经度。"})
        if self.visit_interval_days is not None and self.level != AreaLevel.COUNTY:
            raise ValidationError(
                {"visit_interval_days": "走访周期由县级设置，乡镇和村不单独设置。"}
            )
        if self.latitude is not None and self.level != AreaLevel.VILLAGE:
            raise ValidationError({"latitude": "只有行政村需要填写村委会位置。"})

    def save(self, *args, **kwargs) -> None:
        # Level and parent follow from the code, whoever writes the row.
        if is_valid_code(self.code):
            self.level = level_of(self.code)
            if self.parent_id is None:
                self.parent = self.nearest_existing_ancestor()
        super().save(*args, **kwargs)


class Unit(ScopedModel):
    """A unit that assists villages (帮扶单位): county departments, township governments."""

    scope_path = "area__code"
    scope_ancestors = True

    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField(
        "单位性质", max_length=30, choices=UnitKind.choices, default=UnitKind.PARTY_GOVERNMENT
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="units", verbose_name="所属区域"
    )
    contact_person = models.CharField("联系人", max_length=30, blank=True)
    contact_phone = models.CharField(
        "联系电话", max_length=20, blank=True, validators=[phone_validator]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "帮扶单位"
        verbose_name_plural = "帮扶单位"
        ordering = ["area__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="unit_unique_name_in_area")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("villages:unit_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.area_id and self.area.level == AreaLevel.VILLAGE:
            raise ValidationError({"area": "帮扶单位应属于县或乡镇，而不是行政村。"})


class Cadre(IdNumberModel, ScopedModel):
    """A cadre (干部) of a unit; may be posted to villages and paired with households."""

    scope_path = "unit__area__code"
    scope_ancestors = True
    # Forms and filter bars pick a cadre by searching (poverty.common.widgets): a county has
    # hundreds, and a filter bar listing them all was a fifth of a list page's time.
    picker = "villages:cadre_pick"
    picker_placeholder = "输入干部姓名、职务或单位搜索"

    name = models.CharField("姓名", max_length=30)
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[phone_validator])
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="cadres", verbose_name="所在单位"
    )
    position = models.CharField("职务", max_length=50, blank=True)
    is_leader = models.BooleanField(
        "领导干部", default=False, help_text="县/乡领导，可包联乡镇或村。"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "干部"
        verbose_name_plural = "干部"
        ordering = ["unit__area__code", "unit__name", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.position}）" if self.position else self.name

    def get_absolute_url(self) -> str:
        return object_url("villages:cadre_detail", self.pk)


def _require_village(area: Area | None, field: str) -> None:
    if area is not None and area.level != AreaLevel.VILLAGE:
        raise ValidationError({field: "请选择行政村。"})


class VillagePosting(DatedModel):
    """A cadre posted to a village: 第一书记, 驻村工作队, 包村干部."""

    scope_path = "village__code"
    overlap_fields = ("cadre", "village", "role")

    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="postings", verbose_name="干部"
    )
    village = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="postings", verbose_name="村"
    )
    role = models.CharField("驻村身份", max_length=20, choices=PostingRole.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "驻村任职"
        verbose_name_plural = "驻村任职"
        ordering = ["village__code", "role", "-start_date"]

    def __str__(self) -> str:
        return f"{self.cadre.name} · {self.village.name} · {self.get_role_display()}"

    def get_absolute_url(self) -> str:
        return object_url("villages:villageposting_detail", self.pk)

    def clean(self) -> None:
        _require_village(self.village if self.village_id else None, "village")
        super().clean()
        if (
            self.role == PostingRole.FIRST_SECRETARY
            and self.village_id
            and self.start_date
            and VillagePosting.objects.active(self.start_date)
            .filter(village_id=self.village_id, role=PostingRole.FIRST_SECRETARY)
            .exclude(pk=self.pk)
            .exclude(cadre_id=self.cadre_id)
            .exists()
        ):
            raise ValidationError({"role": "该村已有在任第一书记，请先填写其结束日期。"})


class UnitPairing(DatedModel):
    """A unit paired with a village (包村)."""

    scope_path = "village__code"
    overlap_fields = ("unit", "village")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="pairings", verbose_name="帮扶单位"
    )
    village = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="unit_pairings", verbose_name="村"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位包村"
        verbose_name_plural = "单位包村"
        ordering = ["village__code", "-start_date"]

    def __str__(self) -> str:
        return f"{self.unit.name} 包 {self.village.name}"

    def get_absolute_url(self) -> str:
        return object_url("villages:unitpairing_detail", self.pk)

    def clean(self) -> None:
        _require_village(self.village if self.village_id else None, "village")
        super().clean()


class LeaderPairing(DatedModel):
    """A leader responsible for a township or village (包联)."""

    scope_path = "area__code"
    overlap_fields = ("leader", "area")

    leader = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="leader_pairings", verbose_name="包联领导"
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="leader_pairings", verbose_name="包联乡镇/村"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "领导包联"
        verbose_name_plural = "领导包联"
        ordering = ["area__code", "-start_date"]

    def __str__(self) -> str:
        return f"{self.leader.name} 包联 {self.area.name}"

    def get_absolute_url(self) -> str:
        return object_url("villages:leaderpairing_detail", self.pk)

    def clean(self) -> None:
        if self.area_id and self.area.level not in (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE):
            raise ValidationError({"area": "包联对象应为乡镇或行政村。"})
        if self.leader_id and not self.leader.is_leader:
            raise ValidationError({"leader": "只有领导干部可以包联乡镇或村。"})
        super().clean()


def sheet_upload_path(instance: SheetImportJob, filename: str) -> str:
    """A name of our making: the user's file name is kept on the job, never in the path."""
    from django.utils import timezone

    suffix = filename.rsplit(".", 1)[-1].lower()[:4] if "." in filename else "xlsx"
    return f"imports/sheets/{timezone.localdate():%Y/%m}/{timezone.now():%H%M%S%f}.{suffix}"


class SheetImportJobQuerySet(ScopedQuerySet):
    def listed(self):
        """Without the outcome (errors, the first changes) and the new accounts' passwords,
        which only the job's own page reads: a list shows a job's file and status."""
        return self.defer("result", "secrets")


class SheetImportJob(ScopedModel):
    """An upload of a sheet a county brings when it moves in (units, cadres, postings, pairings,
    accounts: poverty.sheets.KINDS) and the background jobs that check and preview it, then,
    once its uploader confirms, write it. Kept in the uploader's area."""

    scope_path = "area__code"

    Status = ImportStatus

    objects = SheetImportJobQuerySet.as_manager()

    kind = models.CharField("类别", max_length=30, editable=False)
    title = models.CharField("名称", max_length=30, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name="导入人",
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name="所属区域"
    )
    file = models.FileField("文件", upload_to=sheet_upload_path)
    file_name = models.CharField("文件名", max_length=200, editable=False)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.PENDING, editable=False
    )
    total_rows = models.PositiveIntegerField("总行数", default=0, editable=False)
    rows_done = models.PositiveIntegerField("已处理", default=0, editable=False)
    message = models.CharField("说明", max_length=300, blank=True, editable=False)
    # The runner's outcome (poverty.common.sheetimport.SheetResult.as_dict): errors, counts,
    # the first changes, skipped rows and columns not read.
    result = models.JSONField("结果", default=dict, editable=False)
    # New accounts' initial passwords, encrypted, until their uploader has seen them once.
    secrets = models.TextField(blank=True, editable=False)
    confirmed_at = models.DateTimeField("确认导入时间", null=True, blank=True, editable=False)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "表格导入"
        verbose_name_plural = "表格导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title}：{self.file_name}"

    def get_absolute_url(self) -> str:
        return object_url("sheet_job", self.pk)

    @property
    def is_running(self) -> bool:
        return self.status in IMPORT_RUNNING

    @property
    def percent(self) -> int:
        if not self.is_running:
            return 100
        return min(100, round(100 * self.rows_done / self.total_rows)) if self.total_rows else 0
