"""The 建档立卡 registry: households, members, income, assessments, measures, pairings, visits,
the exit procedure's records, the yearly exit standard and the data-quality worklist."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Aggregate, Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_init, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords

from poverty.common.areacodes import digits_of, level_of
from poverty.common.geo import distance_m, latitude_field, longitude_field
from poverty.common.links import object_url
from poverty.common.models import (
    IMPORT_RUNNING,
    UPLOAD_EXTENSIONS,
    DatedModel,
    DatedQuerySet,
    IdNumberModel,
    ImportStatus,
    recorded_by_field,
)
from poverty.common.scoping import ScopedModel, ScopedQuerySet, user_area_codes
from poverty.common.uploads import stamped_name, validate_evidence, validate_photo
from poverty.personal import crypto, idnumber
from villages.choices import AreaLevel
from villages.models import YEAR_VALIDATORS, Area, Cadre, phone_validator

from .choices import (
    MEASURE_TERMS,
    Category,
    Cause,
    Education,
    Ethnicity,
    ExitStep,
    Gender,
    Health,
    HouseholdStatus,
    LabourSkill,
    MeasureStatus,
    MeasureType,
    MonitoringType,
    PoliticalStatus,
    QualityStatus,
    Relation,
    Schooling,
    WorkStatus,
)

MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}


def head_name_of(household: str) -> Subquery:
    """The head's name of the household at `household` (a field path of the outer query)."""
    # One head per household (member_one_head): no ordering, so no join to sort by.
    heads = Member.objects.filter(household=OuterRef(household), relation="head").order_by()
    return Subquery(heads.values("name")[:1])


class JoinedNames(Aggregate):
    """The values joined by spaces: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    output_field = models.TextField()

    def __init__(self, expression, **extra) -> None:
        super().__init__(expression, Value(" "), **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def _of_members(household: str, aggregate, empty) -> Coalesce:
    members = (
        Member.objects.filter(household=OuterRef(household))
        .order_by()
        .values("household")
        .annotate(value=aggregate)
        .values("value")
    )
    return Coalesce(Subquery(members), empty)


def persons_of(household: str) -> Coalesce:
    """The number of members of the household at `household` (0 when it has none)."""
    return _of_members(household, Count("pk"), 0)


def member_names_of(household: str) -> Coalesce:
    """The names of the members of the household at `household`, joined by spaces."""
    return _of_members(household, JoinedNames("name"), Value(""))


def recount_members(households) -> int:
    """Set `persons` and `member_names` of these households (a queryset, or ids) from their
    members."""
    from .periods import follow

    kept = {"persons": persons_of("pk"), "member_names": member_names_of("pk")}
    if hasattr(households, "values"):
        households = households.values_list("pk", flat=True)
    ids = list(households)
    counted = sum(
        Household.objects.filter(pk__in=ids[i : i + 2000]).update(**kept)
        for i in range(0, len(ids), 2000)
    )
    # A new size is a counted fact: recorded from this year on in the household's periods.
    follow(ids)
    return counted


class HouseholdQuerySet(ScopedQuerySet):
    def with_cause(self, cause: str) -> HouseholdQuerySet:
        """Households with the cause as primary or other cause."""
        # Codes are never substrings of one another, so a contains match is exact.
        return self.filter(Q(primary_cause=cause) | Q(other_causes__contains=cause))

    def with_head(self) -> HouseholdQuerySet:
        """The head's name, so a household reads as "户编号 户主" in lists and choices."""
        return self.annotate(head_name=head_name_of("pk"))

    def with_summary(self) -> HouseholdQuerySet:
        """Head's name and the paired cadre as subqueries (no N+1); `persons` is a kept field."""
        today = timezone.localdate()
        pairing = (
            HouseholdPairing.objects.filter(household=OuterRef("pk"), start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .order_by("-start_date")
        )
        return (
            self.with_head()
            .select_related("village")
            .annotate(cadre_name=Subquery(pairing.values("cadre__name")[:1]))
        )

    # Each rule below is a condition first (`*_condition`), so a page can count several of
    # them in one grouped query (the work page), and a filter second.

    @staticmethod
    def overdue_condition(year: int | None = None) -> Q:
        """Past their 脱贫时限 and still poor in `year` (this year by default), by the rule the
        statistics count (households.periods.overdue)."""
        from .periods import of_household, overdue

        return Q(of_household(overdue(year or timezone.localdate().year)))

    def overdue(self, year: int | None = None) -> HouseholdQuerySet:
        return self.filter(self.overdue_condition(year))

    @staticmethod
    def near_deadline_condition(year: int | None = None) -> Q:
        """Due to exit in `year` (this year by default: their 脱贫时限 is its last day) and not
        yet exited; past years' are overdue()."""
        year = year or timezone.localdate().year
        return Q(planned_exit_year=year) & ~Q(status=HouseholdStatus.EXITED)

    def near_deadline(self, year: int | None = None) -> HouseholdQuerySet:
        return self.filter(self.near_deadline_condition(year))

    @staticmethod
    def unvisited_condition(day: datetime.date) -> Q:
        """Households with no visit (入户走访) on or after `day`."""
        return ~Q(Exists(Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=day)))

    def unvisited_since(self, day: datetime.date) -> HouseholdQuerySet:
        return self.filter(self.unvisited_condition(day))


class Household(ScopedModel):
    """建档立卡贫困户, one per 户编号."""

    scope_path = "village__code"
    # Forms pick a household by searching (poverty.common.widgets): a county has tens of
    # thousands.
    picker = "households:household_pick"

    code = models.CharField(
        "户编号",
        max_length=30,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z\-]{4,30}$", "户编号只能包含数字、字母和短横线。")],
    )
    # Indexed by household_search_idx below, which leads with it.
    village = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name="行政村",
        db_index=False,
    )
    group = models.CharField("自然村(组)", max_length=50, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[phone_validator])
    category = models.CharField("贫困户属性", max_length=20, choices=Category.choices)
    primary_cause = models.CharField("主要致贫原因", max_length=20, choices=Cause.choices)
    # Up to two codes of Cause, joined with commas.
    other_causes = models.CharField("其他致贫原因", max_length=50, blank=True)
    identified_year = models.PositiveSmallIntegerField("识别年度", validators=YEAR_VALIDATORS)
    planned_exit_year = models.PositiveSmallIntegerField(
        "计划脱贫年度", validators=YEAR_VALIDATORS, help_text="脱贫时限"
    )
    status = models.CharField(
        "脱贫状态",
        max_length=20,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.ASSISTED,
        editable=False,
    )
    exit_year = models.PositiveSmallIntegerField(
        "脱贫年度", null=True, blank=True, editable=False, validators=YEAR_VALIDATORS
    )
    returned_year = models.PositiveSmallIntegerField(
        "返贫年度", null=True, blank=True, editable=False, validators=YEAR_VALIDATORS
    )
    monitoring_type = models.CharField(
        "监测对象类型", max_length=20, choices=MonitoringType.choices, blank=True, editable=False
    )
    monitored_since = models.DateField("纳入监测日期", null=True, blank=True, editable=False)
    # Housing and water as the national form records them; None where nobody has said.
    dilapidated_house = models.BooleanField("危房户", null=True, blank=True)
    safe_water = models.BooleanField("饮水安全", null=True, blank=True)
    # Optimistic concurrency: every save through a form must name the version it started from.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The number of members, kept by recount_members() on every member change: statistics sum
    # it over a million households instead of counting three million member rows.
    persons = models.PositiveIntegerField("家庭人口", default=0, editable=False)
    # The members' names, kept alongside `persons`: a name search reads the user's own
    # households only, instead of every member row of the province.
    member_names = models.TextField(
        "成员姓名", blank=True, default="", db_default="", editable=False
    )

    # History is read by household (its id); the copies of the code's and village's indexes
    # only slowed every write (a roster import writes a history row per household).
    history = HistoricalRecords(
        excluded_fields=["version", "updated_at", "persons", "member_names"],
        no_db_index=["code", "village"],
    )
    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "贫困户"
        verbose_name_plural = "贫困户"
        ordering = ["village__code", "code"]
        permissions = [
            ("override_exit_standard", "可在未达到脱贫标准时批准退出（须说明理由）"),
        ]
        indexes = [
            # The exit statistics read every household of an area by village: an index-only
            # scan on PostgreSQL with what they count alongside.
            models.Index(
                fields=["village", "identified_year"],
                include=["status", "exit_year", "persons"],
                name="household_tally_idx",
            ),
            # The search by 户编号 or name (HouseholdSearchFilter) reads the user's villages'
            # entries of this index only, never the province's rows (and it is the village
            # foreign key's index).
            models.Index(
                fields=["village"],
                include=["id", "code", "member_names"],
                name="household_search_idx",
            ),
            models.Index(fields=["status", "planned_exit_year"]),
            models.Index(fields=["primary_cause"]),
        ]

    def __str__(self) -> str:
        head = getattr(self, "head_name", None)
        return f"{self.code} {head}" if head else self.code

    def get_absolute_url(self) -> str:
        return object_url("households:household_detail", self.pk)

    @property
    def causes(self) -> list[str]:
        return [self.primary_cause, *self.other_cause_list]

    @property
    def other_cause_list(self) -> list[str]:
        return [c for c in self.other_causes.split(",") if c]

    def get_other_causes_display(self) -> str:
        labels = dict(Cause.choices)
        return "、".join(labels.get(c, c) for c in self.other_cause_list)

    @property
    def is_exited(self) -> bool:
        return self.status == HouseholdStatus.EXITED

    @property
    def is_overdue(self) -> bool:
        """overdue() for this year, read off the household itself: its current period holds its
        current facts (tested to agree), so a list row needs no query."""
        return not self.is_exited and self.planned_exit_year < timezone.localdate().year

    def clean(self) -> None:
        super().clean()
        if self.village_id and self.village.level != AreaLevel.VILLAGE:
            raise ValidationError({"village": "请选择行政村。"})
        others = self.other_cause_list
        if len(others) > 2:
            raise ValidationError({"other_causes": "其他致贫原因最多两项。"})
        if self.primary_cause and self.primary_cause in others:
            raise ValidationError({"other_causes": "其他致贫原因不能与主要致贫原因重复。"})
        if set(others) - set(Cause.values):
            raise ValidationError({"other_causes": "其他致贫原因不在国家代码表中。"})
        if (
            self.identified_year
            and self.planned_exit_year
            and self.planned_exit_year < self.identified_year
        ):
            raise ValidationError({"planned_exit_year": "计划脱贫年度不能早于识别年度。"})


# A person registered in a household the user may not see: that the number is taken is all the
# message may say (not the household, its village or the person's name), and whom to ask.
ID_TAKEN_ELSEWHERE = "该证件号码已在其他地区登记，一人只能属于一户；如有疑问请与县扶贫办核实。"


# The national form's person columns beyond ours, in the order forms, the API, the roster's
# matching and its export list them (kept so an export gives them back).
NATIONAL_MEMBER_FIELDS = (
    "person_code",
    "ethnicity",
    "political_status",
    "work_months",
    "basic_medical",
    "critical_illness",
    "basic_pension",
)


class MemberQuerySet(ScopedQuerySet):
    def with_id_number(self, number: str) -> MemberQuerySet:
        return self.filter(id_number_hash=crypto.keyed_hash(idnumber.normalize(number)))


class Member(IdNumberModel, ScopedModel):
    """家庭成员. The ID number is stored encrypted, with a keyed hash for lookup and a masked copy."""

    scope_path = "household__village__code"
    historic_dates = ("birth_date",)

    # The unique constraint below is the lookup index. IdNumberModel's db_index would add two
    # more (plain and LIKE), and copy both into the history table: four random-key b-trees every
    # insert pays for (a 100,000-household roster import wrote 8 s slower with them).
    id_number_hash = models.CharField("证件号码(检索码)", max_length=64, blank=True, editable=False)
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", verbose_name="贫困户"
    )
    name = models.CharField("姓名", max_length=30)
    gender = models.CharField("性别", max_length=10, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    relation = models.CharField("与户主关系", max_length=20, choices=Relation.choices)
    education = models.CharField("文化程度", max_length=20, choices=Education.choices, blank=True)
    schooling = models.CharField("在校生状况", max_length=20, choices=Schooling.choices, blank=True)
    health = models.CharField(
        "健康状况", max_length=20, choices=Health.choices, default=Health.HEALTHY
    )
    labour_skill = models.CharField(
        "劳动技能", max_length=20, choices=LabourSkill.choices, blank=True
    )
    work_status = models.CharField(
        "务工状况", max_length=20, choices=WorkStatus.choices, blank=True
    )
    # What else the national form carries for a person (kept so an export gives it back).
    # With a database default too: rows written in SQL (benches, bulk loads) need not name them.
    person_code = models.CharField("人编号", max_length=30, blank=True, default="", db_default="")
    ethnicity = models.CharField(
        "民族", max_length=2, choices=Ethnicity.choices, blank=True, default="", db_default=""
    )
    political_status = models.CharField(
        "政治面貌",
        max_length=20,
        choices=PoliticalStatus.choices,
        blank=True,
        default="",
        db_default="",
    )
    work_months = models.PositiveSmallIntegerField(
        "务工时间（月）", null=True, blank=True, validators=[MaxValueValidator(12)]
    )
    # Insurance: None where nobody has said (unknown is not "no").
    basic_medical = models.BooleanField("参加城乡居民基本医疗保险", null=True, blank=True)
    critical_illness = models.BooleanField("参加大病保险", null=True, blank=True)
    basic_pension = models.BooleanField("参加城乡居民基本养老保险", null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household", "relation", "birth_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="head"),
                name="member_one_head",
                violation_error_message="每户只能有一名户主。",
            ),
            # One person appears in at most one household (and once in it).
            models.UniqueConstraint(
                fields=["id_number_hash"],
                name="member_unique_id_number",
                violation_error_message=ID_TAKEN_ELSEWHERE,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.household.get_absolute_url()

    def age_on(self, day: datetime.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    def check_against_id(self, number: str) -> None:
        """ValidationError unless gender and birth date agree with the ID number."""
        info = idnumber.parse(number)
        errors = {}
        if self.gender and self.gender != info.gender:
            errors["gender"] = "性别与身份证号码不符（第17位奇数为男、偶数为女）。"
        if self.birth_date and self.birth_date != info.birth_date:
            errors["birth_date"] = (
                f"出生日期与身份证号码不符（号码中为{info.birth_date:%Y-%m-%d}）。"
            )
        if errors:
            raise ValidationError(errors)


class IncomeRecord(ScopedModel):
    """A year's income of a household; the per-capita net income follows from it."""

    scope_path = "household__village__code"

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="incomes", verbose_name="贫困户"
    )
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    persons = models.PositiveSmallIntegerField(
        "家庭人口", validators=[MinValueValidator(1)], help_text="留空则按当前家庭成员数计算。"
    )
    wage = models.DecimalField("工资性收入", **MONEY)
    business = models.DecimalField("生产经营性收入", **MONEY)
    property_income = models.DecimalField("财产性收入", **MONEY)
    transfer = models.DecimalField("转移性收入", **MONEY)
    business_costs = models.DecimalField("生产经营性支出", **MONEY)
    per_capita_net = models.DecimalField(
        "年人均纯收入", max_digits=12, decimal_places=2, editable=False, default=Decimal("0")
    )
    # A figure a roster file gave (the national form's 人均纯收入), its makeup not known: kept as
    # given, never recomputed from the (zero) items above, until someone records the items.
    reported = models.BooleanField(
        "花名册填报",
        default=False,
        editable=False,
        help_text="人均纯收入取自导入的花名册，收入构成不详",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "年度收入"
        verbose_name_plural = "年度收入"
        ordering = ["household", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="income_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.household.code} {self.year}年收入"

    def get_absolute_url(self) -> str:
        return self.household.get_absolute_url()

    @property
    def net(self) -> Decimal:
        return (
            self.wage + self.business + self.property_income + self.transfer - self.business_costs
        )

    def settle(self) -> None:
        """The per-capita figure from the items and the persons, unless the record carries a
        file's figure without its items (`reported`, the roster import's). Saved by
        households.services.income_record_save."""
        if self.reported and not self.net:
            return
        self.reported = False
        self.per_capita_net = (self.net / self.persons).quantize(Decimal("0.01"))


ASSESSMENT_FLAGS = ("food", "clothing", "education", "medical", "housing", "water")


class Assessment(ScopedModel):
    """两不愁三保障 and safe drinking water, as assessed at home on a date."""

    scope_path = "household__village__code"

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="assessments", verbose_name="贫困户"
    )
    assessed_on = models.DateField("评估日期", default=timezone.localdate)
    assessor = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name="评估干部",
    )
    recorded_by = recorded_by_field()
    food = models.BooleanField("不愁吃", default=False)
    clothing = models.BooleanField("不愁穿", default=False)
    education = models.BooleanField("义务教育有保障", default=False)
    medical = models.BooleanField("基本医疗有保障", default=False)
    housing = models.BooleanField("住房安全有保障", default=False)
    water = models.BooleanField("饮水安全有保障", default=False)
    note = models.TextField("说明", blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "两不愁三保障评估"
        verbose_name_plural = "两不愁三保障评估"
        ordering = ["household", "-assessed_on", "-pk"]
        get_latest_by = ["assessed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.household.code} {self.assessed_on:%Y-%m-%d} 评估"

    def get_absolute_url(self) -> str:
        return self.household.get_absolute_url()

    @property
    def passed(self) -> bool:
        return all(getattr(self, f) for f in ASSESSMENT_FLAGS)

    def failed_labels(self) -> list[str]:
        return [
            str(self._meta.get_field(f).verbose_name)
            for f in ASSESSMENT_FLAGS
            if not getattr(self, f)
        ]


class AssistanceMeasureQuerySet(ScopedQuerySet):
    def live(self):
        """The measures that count for a household: planned, under way or done. A stopped
        measure answers nothing (the 疑点 rule, the dashboard's gaps and its measure counts)."""
        return self.exclude(status=MeasureStatus.STOPPED)

    @staticmethod
    def running_condition() -> Q:
        """Planned or under way: a measure someone still has to see through."""
        return Q(status__in=(MeasureStatus.PLANNED, MeasureStatus.ONGOING))

    def running(self):
        return self.filter(self.running_condition())

    @staticmethod
    def ending_within_condition(days: int, today: datetime.date | None = None) -> Q:
        """Still running and ending from today (Asia/Shanghai) to `days` days on."""
        today = today or timezone.localdate()
        return AssistanceMeasureQuerySet.running_condition() & Q(
            end_date__gte=today, end_date__lte=today + datetime.timedelta(days=days)
        )

    def ending_within(self, days: int, today: datetime.date | None = None):
        return self.filter(self.ending_within_condition(days, today))

    @staticmethod
    def ended_but_running_condition(today: datetime.date | None = None) -> Q:
        """Past their end date and still marked planned or under way: to close or extend."""
        return AssistanceMeasureQuerySet.running_condition() & Q(
            end_date__lt=today or timezone.localdate()
        )

    def ended_but_running(self, today: datetime.date | None = None):
        return self.filter(self.ended_but_running_condition(today))


class AssistanceMeasure(ScopedModel):
    """帮扶措施 for a household."""

    scope_path = "household__village__code"

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="measures", verbose_name="贫困户"
    )
    measure_type = models.CharField("措施类别", max_length=20, choices=MeasureType.choices)
    description = models.CharField("措施内容", max_length=200)
    amount = models.DecimalField("金额(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    start_date = models.DateField("开始日期", default=timezone.localdate)
    end_date = models.DateField("结束日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.ONGOING
    )
    cadre = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name="责任人",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AssistanceMeasureQuerySet.as_manager()

    class Meta:
        verbose_name = "帮扶措施"
        verbose_name_plural = "帮扶措施"
        ordering = ["household", "-start_date", "pk"]
        indexes = [
            # Ending soon or ended while still running (ending_within, ended_but_running, the
            # dashboard's 到期提醒): few rows of many, found by date.
            models.Index(
                fields=["end_date"],
                condition=Q(status__in=["planned", "ongoing"]),
                name="measure_running_end_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_type_display()}：{self.description}"

    def get_absolute_url(self) -> str:
        return object_url("households:assistancemeasure_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "结束日期不能早于开始日期。"})

    @property
    def usual_end_date(self) -> datetime.date | None:
        """The start plus the type's usual term (MEASURE_TERMS), None for open-ended types."""
        months = MEASURE_TERMS.get(self.measure_type)
        if months is None or self.start_date is None:
            return None
        from dateutil.relativedelta import relativedelta

        return self.start_date + relativedelta(months=months) - datetime.timedelta(days=1)


class HouseholdPairing(DatedModel):
    """结对帮扶: the cadre responsible for a household (one at a time)."""

    scope_path = "household__village__code"
    overlap_fields = ("household",)
    overlap_message = "该户在这段时间已有帮扶责任人，请先填写原结对的结束日期。"

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="pairings", verbose_name="贫困户"
    )
    cadre = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        related_name="household_pairings",
        verbose_name="帮扶责任人",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = "结对帮扶"
        verbose_name_plural = "结对帮扶"
        ordering = ["household", "-start_date"]

    def __str__(self) -> str:
        return f"{self.cadre.name} 帮扶 {self.household.code}"

    def get_absolute_url(self) -> str:
        return object_url("households:householdpairing_detail", self.pk)


def visit_interval(user=None) -> int:
    """Days a paired household may go unvisited: the county's own setting for a user whose
    areas lie in one county (Area.visit_interval_days), else settings.VISIT_INTERVAL_DAYS
    (30). Read once per user object (one query)."""
    if user is None:
        return settings.VISIT_INTERVAL_DAYS
    cached = getattr(user, "_visit_interval", None)
    if cached is None:
        counties = {
            code[: digits_of(AreaLevel.COUNTY)].ljust(len(code), "0")
            for code in user_area_codes(user)
            if level_of(code) in (AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
        }
        own = None
        if len(counties) == 1:
            own = (
                Area.objects.filter(code__in=counties)
                .values_list("visit_interval_days", flat=True)
                .first()
            )
        cached = own or settings.VISIT_INTERVAL_DAYS
        user._visit_interval = cached
    return cached


def visit_cutoff(today: datetime.date | None = None, user=None) -> datetime.date:
    """The earliest visit date that still counts as recent for the user's county: a paired
    household is due a visit when it has none since (visit_interval)."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=visit_interval(user))


def visit_photo_path(instance: Visit, filename: str) -> str:
    return stamped_name("visits", filename, str(instance.household_id))


class VisitQuerySet(ScopedQuerySet):
    def follow_ups_open(self) -> VisitQuerySet:
        """Visits that set a follow-up (跟进事项 with a 期限) not yet answered: a later visit to
        the same household answers it."""
        later = Visit.objects.filter(
            household=OuterRef("household"), visited_on__gt=OuterRef("visited_on")
        )
        return self.filter(follow_up_due__isnull=False).exclude(Exists(later))

    def due_by(self, day: datetime.date) -> VisitQuerySet:
        """Follow-ups due on or before `day`."""
        return self.filter(follow_up_due__lte=day)


class Visit(ScopedModel):
    """入户走访."""

    scope_path = "household__village__code"

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="visits", verbose_name="贫困户"
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="visits", verbose_name="走访干部"
    )
    visited_on = models.DateField("走访日期", default=timezone.localdate)
    findings = models.TextField("走访情况")
    problems = models.TextField("发现的问题", blank=True)
    follow_up = models.TextField("跟进事项", blank=True)
    follow_up_due = models.DateField("跟进期限", null=True, blank=True)
    photo = models.ImageField(
        "照片",
        upload_to=visit_photo_path,
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png"]), validate_photo],
    )
    # Where and when the cadre recorded it, from the phone (the position only if allowed);
    # checked against the village's reference point by the quality rules.
    latitude = latitude_field("纬度")
    longitude = longitude_field("经度")
    accuracy = models.PositiveIntegerField("定位精度(米)", null=True, blank=True)
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True, default=timezone.now)
    # A visit recorded offline (households/field.py) carries the id its phone gave it, so a
    # resend never makes a second row; and is flagged when the household changed meanwhile.
    client_id = models.UUIDField("离线记录编号", null=True, blank=True, unique=True, editable=False)
    needs_review = models.BooleanField(
        "待核对",
        default=False,
        editable=False,
        help_text="离线记录期间该户信息已被他人修改，请核对走访内容与现状是否相符。",
    )
    recorded_by = recorded_by_field()

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = "入户走访"
        verbose_name_plural = "入户走访"
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["household", "-visited_on"])]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.cadre.name} 走访 {self.household.code}"

    def get_absolute_url(self) -> str:
        return object_url("households:visit_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.visited_on and self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": "走访日期不能晚于今天。"})
        identified = self.household.identified_year if self.household_id else None
        if self.visited_on and identified and self.visited_on.year < identified:
            raise ValidationError(
                {"visited_on": f"走访日期不能早于该户的识别年度（{identified}年）。"}
            )
        if self.follow_up_due and self.visited_on and self.follow_up_due < self.visited_on:
            raise ValidationError({"follow_up_due": "跟进期限不能早于走访日期。"})
        if (self.latitude is None) != (self.longitude is None):
            # Not a field's error: the phone fills both hidden fields, the cadre sees neither.
            raise ValidationError(
                "走访位置不完整（须同时有纬度和经度），请刷新页面重新定位后再保存。"
            )

    @property
    def distance_from_village(self) -> float | None:
        """Metres between where it was recorded and the village's reference point (None when
        either is unknown)."""
        village = self.household.village
        if self.latitude is None or village.latitude is None:
            return None
        return distance_m(self.latitude, self.longitude, village.latitude, village.longitude)


class PovertyLine(ScopedModel):
    """The exit standard's income line of a year (现行农村贫困标准, current prices)."""

    scope_path = None  # a national table: no area

    year = models.PositiveSmallIntegerField("年度", unique=True, validators=YEAR_VALIDATORS)
    income_line = models.DecimalField(
        "人均纯收入标准(元)", max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    note = models.CharField("依据", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "脱贫标准"
        verbose_name_plural = "脱贫标准"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.income_line}元"

    def get_absolute_url(self) -> str:
        return object_url("households:povertyline_detail", self.pk)


class HouseholdPeriod(models.Model):
    """A stretch of years over which a household's counted facts held: its village, whether it
    had exited (and in which year), its size and its 脱贫时限. Rows are written by
    households.periods as the household changes and are never rewritten once their years have
    passed: a later exit, return to poverty, member or move starts a new period from the year it
    happened, so the statistics of every earlier year (poverty.dashboard.stats, which reads only
    these rows) stay what they were.

    A period covers the years from_year ≤ Y < until_year (open-ended while until_year is empty);
    each registered household has exactly one period covering each year from its identification.
    """

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="periods", verbose_name="贫困户"
    )
    village = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name="行政村", db_index=False
    )
    from_year = models.PositiveSmallIntegerField("起始年度")
    until_year = models.PositiveSmallIntegerField("截止年度（不含）", null=True, blank=True)
    exit_year = models.PositiveSmallIntegerField("脱贫年度", null=True, blank=True)
    persons = models.PositiveIntegerField("家庭人口", default=0)
    planned_exit_year = models.PositiveSmallIntegerField("计划脱贫年度")

    class Meta:
        verbose_name = "贫困户年度状态"
        verbose_name_plural = "贫困户年度状态"
        ordering = ["household", "from_year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "from_year"], name="period_start_unique"),
        ]
        indexes = [
            # The exit statistics count every period of an area's villages: an index-only scan
            # on PostgreSQL with what they count alongside.
            models.Index(
                fields=["village", "from_year"],
                include=["until_year", "exit_year", "persons", "planned_exit_year"],
                name="period_tally_idx",
            ),
        ]

    def __str__(self) -> str:
        until = f"{self.until_year - 1}" if self.until_year else "今"
        return f"{self.household_id} {self.from_year}–{until}"

    @property
    def last_year(self) -> int | None:
        return self.until_year - 1 if self.until_year else None


class RecountDue(models.Model):
    """A village whose periods changed after the counts kept of them (the dashboard's village
    tallies) were made: written in the same transaction as the change (households.periods), so
    whoever reads kept counts knows, at once and whatever became of the recount job, which
    villages to count live instead. The recount deletes the rows it saw when it began; a change
    committed meanwhile leaves its own row (one per change, not one per village)."""

    village = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField("标记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "待重新统计的村"

    def __str__(self) -> str:
        return f"{self.village_id} {self.marked_at:%Y-%m-%d %H:%M}"


def evidence_path(instance: ExitRecord, filename: str) -> str:
    return stamped_name("exit", filename, f"{instance.household_id}-{instance.step}")


class ExitRecord(ScopedModel):
    """One step of the exit procedure (or return to poverty, monitoring), as it was taken."""

    scope_path = "household__village__code"

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="exit_records", verbose_name="贫困户"
    )
    step = models.CharField("步骤", max_length=20, choices=ExitStep.choices)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    taken_at = models.DateTimeField("办理时间", default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="经办人",
    )
    evidence = models.TextField("依据/说明", blank=True)
    evidence_file = models.FileField(
        "附件",
        upload_to=evidence_path,
        blank=True,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS), validate_evidence],
    )
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示结束", null=True, blank=True)
    publicity_place = models.CharField("公示地点", max_length=100, blank=True)
    objection_upheld = models.BooleanField("异议成立", null=True, blank=True)
    override_reason = models.TextField("未达标准仍批准的理由", blank=True)
    monitoring_type = models.CharField(
        "监测对象类型", max_length=20, choices=MonitoringType.choices, blank=True
    )

    class Meta:
        verbose_name = "退出程序记录"
        verbose_name_plural = "退出程序记录"
        ordering = ["household", "taken_at", "pk"]

    def __str__(self) -> str:
        return f"{self.household.code} {self.get_step_display()}"

    def get_absolute_url(self) -> str:
        return self.household.get_absolute_url()


class SensitiveAccess(models.Model):
    """A view or export that showed full ID numbers, phones or health status (PIPL access
    log): of a household, of a cadre (their phone and number), or of many at once (neither)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="用户"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        related_name="sensitive_accesses",
        verbose_name="贫困户",
    )
    cadre = models.ForeignKey(
        Cadre,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sensitive_accesses",
        verbose_name="干部",
    )
    what = models.CharField("内容", max_length=50)

    class Meta:
        verbose_name = "敏感信息查看记录"
        verbose_name_plural = "敏感信息查看记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M} {self.what}"


class QualityIssue(ScopedModel):
    """A 疑点 found by a data-quality rule, and what was done about it."""

    scope_path = "household__village__code"

    rule = models.CharField("规则", max_length=40, db_index=True)
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="quality_issues", verbose_name="贫困户"
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quality_issues",
        verbose_name="成员",
    )
    detail = models.CharField("疑点说明", max_length=300)
    status = models.CharField(
        "处理状态", max_length=20, choices=QualityStatus.choices, default=QualityStatus.OPEN
    )
    explanation = models.TextField("说明", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="处理人",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True, editable=False)
    last_seen = models.DateTimeField("最近发现", default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", "last_seen"])

    class Meta:
        verbose_name = "疑点数据"
        verbose_name_plural = "疑点数据"
        ordering = ["household__village__code", "household__code", "rule"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "household"],
                condition=Q(member__isnull=True),
                name="quality_issue_unique_household",
            ),
            models.UniqueConstraint(
                fields=["rule", "household", "member"],
                condition=Q(member__isnull=False),
                name="quality_issue_unique_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.code} {self.detail}"

    def get_absolute_url(self) -> str:
        return object_url("households:qualityissue_detail", self.pk)


def previous_year() -> int:
    """The year a roster's 人均纯收入 is for unless it says: the last full year."""
    return timezone.localdate().year - 1


def roster_upload_path(instance: RosterImport, filename: str) -> str:
    return f"imports/{timezone.localdate():%Y/%m}/{timezone.now():%H%M%S%f}.xlsx"


class RosterJob(ScopedModel):
    """What a roster import and a roster export share: a Celery job run for a user, kept in the
    user's area, with its progress and outcome on the row (households/job_progress.html).
    Each kind names its own `Status` (the import's failure reads 有错误，未导入) and `status`."""

    scope_path = "area__code"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name="操作人",
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name="操作人所辖区域",
    )
    total_rows = models.PositiveIntegerField("总行数", default=0, editable=False)
    message = models.CharField("说明", max_length=300, blank=True, editable=False)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def is_running(self) -> bool:
        """Queued or at work: its page polls for progress."""
        return not self.is_done

    @staticmethod
    def area_of(user) -> Area | None:
        """The area a user's job is kept in: the first of the user's areas (a superuser without
        any: the top of the tree)."""
        return user.areas.order_by("code").first() or Area.objects.order_by("code").first()


class RosterImportQuerySet(ScopedQuerySet):
    def listed(self):
        """Without what only the import's own page reads: the preview, the column mapping and
        the errors (up to 5,000 of them, every member a file would remove). A list or the work
        page shows a job's file, status and counts, and would otherwise decode megabytes of
        JSON for every row."""
        return self.defer(*RosterImport.PAYLOAD)


class RosterImport(RosterJob):
    """An upload of the 花名册 and the background jobs that import it (who, when, counts, errors).

    The first job checks the file and previews what it would change (nothing written); the
    uploader reads the preview, confirms any removal it lists, and a second job writes it."""

    Status = ImportStatus
    PAYLOAD = (
        "changes",
        "removals",
        "column_map",
        "samples",
        "errors",
        "unknown_columns",
        "skipped_rows",
    )

    objects = RosterImportQuerySet.as_manager()

    file = models.FileField(
        "文件",
        upload_to=roster_upload_path,
        validators=[FileExtensionValidator(["xlsx", "xls", "csv"])],
    )
    file_name = models.CharField("文件名", max_length=200, editable=False)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.PENDING, editable=False
    )
    confirmed_at = models.DateTimeField("确认导入时间", null=True, blank=True, editable=False)
    # The preview: the first changes by row, and every member the file would remove (with
    # whether that removal needed confirming; the write removes only those shown here).
    changes = models.JSONField("预览的变化", default=list, editable=False)
    removals = models.JSONField("将移出的成员", default=list, editable=False)
    exported_at = models.DateTimeField(
        "文件导出时间", null=True, blank=True, editable=False, help_text="本系统导出的花名册"
    )
    # The mapping step: the file's columns (normalised) -> roster column keys ("" to leave one
    # out), chosen on the page or taken from a saved template (mapping_name).
    column_map = models.JSONField("列名对应", default=dict, editable=False)
    mapping_name = models.CharField("列名对应模板", max_length=50, blank=True, editable=False)
    # A few values under each column the header did not name, shown on the mapping step.
    samples = models.JSONField("未识别列的示例", default=dict, editable=False)
    income_year = models.PositiveSmallIntegerField(
        "收入年度",
        validators=YEAR_VALIDATORS,
        default=previous_year,
        help_text="表中“人均纯收入”所属的年度（表中有“收入年度”列时按该列）。",
    )
    phase = models.CharField("阶段", max_length=20, blank=True, editable=False)
    rows_read = models.PositiveIntegerField("已读取", default=0, editable=False)
    rows_validated = models.PositiveIntegerField("已校验", default=0, editable=False)
    rows_written = models.PositiveIntegerField("已写入", default=0, editable=False)
    rows_marked = models.PositiveIntegerField("已标注", default=0, editable=False)
    counts = models.JSONField("结果统计", default=dict, editable=False)
    errors = models.JSONField("错误", default=list, editable=False)
    error_count = models.PositiveIntegerField("错误数", default=0, editable=False)
    unknown_columns = models.JSONField("未识别的列", default=list, editable=False)
    # [row, why]: the title and 填报单位 lines, a column-number row and the footer read past.
    skipped_rows = models.JSONField("跳过的行", default=list, editable=False)
    header_row = models.PositiveIntegerField("列名所在行", default=1, editable=False)
    error_file = models.FileField("错误标注文件", blank=True, editable=False)

    class Meta(RosterJob.Meta):
        verbose_name = "花名册导入"
        verbose_name_plural = "花名册导入"

    def __str__(self) -> str:
        return (
            f"{self.file_name}（{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}）"
            if self.created_at
            else self.file_name
        )

    def get_absolute_url(self) -> str:
        return object_url("households:rosterimport_detail", self.pk)

    def progress_bars(self) -> list[tuple[str, int, int, str]]:
        """(label, rows, percent, colour) for reading, validating and writing; for a file with
        errors, the copy with the errors marked in place of writing."""
        total = self.total_rows or 0
        order = ["read", "validate", "mark", "write", "done"]
        reached = order.index(self.phase) if self.phase in order else -1

        def percent(rows: int, stage: int) -> int:
            if reached > stage or not self.is_running:
                return 100
            return min(100, round(100 * rows / total)) if total else 0

        bars = [
            ("读取", self.rows_read, percent(self.rows_read, 0), "bg-primary"),
            ("校验", self.rows_validated, percent(self.rows_validated, 1), "bg-info"),
        ]
        if self.phase == "mark" or self.error_file:
            return [
                *bars,
                ("标注错误", self.rows_marked, percent(self.rows_marked, 2), "bg-danger"),
            ]
        written = self.rows_written if self.status == self.Status.SUCCEEDED else 0
        if self.status == self.Status.SUCCEEDED:
            done = 100  # every change written, however many rows that was (none: unchanged)
        else:
            done = percent(written, 3) if self.is_running and self.confirmed_at else 0
        return [*bars, ("写入", written, done, "bg-success")]

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def is_running(self) -> bool:
        return self.status in IMPORT_RUNNING

    @property
    def removals_to_confirm(self) -> list[dict]:
        return [r for r in self.removals if r.get("needs_confirm")]


class RosterMapping(ScopedModel):
    """列名对应模板: how a county's own roster sheets name columns the importer does not know,
    saved from an upload's mapping step, so the next file of that kind maps itself."""

    scope_path = "area__code"
    # Kept for the county; its townships' uploads use it too.
    scope_ancestors = True

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name="所属区域"
    )
    name = models.CharField("模板名称", max_length=50)
    # The file's header, normalised (tabular.normalise_header) -> a roster column key, or ""
    # for a column to leave out (忽略).
    columns = models.JSONField("列名对应", default=dict)
    created_by = recorded_by_field()

    class Meta:
        verbose_name = "列名对应模板"
        verbose_name_plural = "列名对应模板"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="roster_mapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("households:rostermapping_detail", self.pk)

    def described(self) -> list[tuple[str, str]]:
        """(the file's column, what it is read as), for the page."""
        from .excel import BY_KEY

        return [
            (header, BY_KEY[key].header if key in BY_KEY else "忽略")
            for header, key in sorted(self.columns.items())
        ]


class RosterExport(RosterJob):
    """A roster export too large to make while the browser waits: the household list's filter,
    written by a background job with progress, then downloaded by the user who asked for it."""

    class Status(models.TextChoices):
        PENDING = "pending", "等待处理"
        RUNNING = "running", "处理中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    query = models.CharField("筛选条件", max_length=2000, blank=True, editable=False)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.PENDING, editable=False
    )
    rows_written = models.PositiveIntegerField("已写出", default=0, editable=False)
    file = models.FileField("文件", blank=True, editable=False)

    class Meta(RosterJob.Meta):
        verbose_name = "花名册导出"
        verbose_name_plural = "花名册导出"

    def __str__(self) -> str:
        return f"花名册导出（{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}）"

    @property
    def file_name(self) -> str:
        return f"花名册-{timezone.localtime(self.created_at):%Y%m%d-%H%M}.xlsx"

    def get_absolute_url(self) -> str:
        return object_url("households:rosterexport_detail", self.pk)

    @property
    def download_url(self) -> str:
        done = self.status == self.Status.SUCCEEDED and self.file
        return f"{self.get_absolute_url()}?download=1" if done else ""

    def progress_bars(self) -> list[tuple[str, int, int, str]]:
        """(label, rows, percent, colour), as the import's (households/job_progress.html)."""
        total = self.total_rows or 0
        done = self.status == self.Status.SUCCEEDED
        percent = (
            100 if done else (min(100, round(100 * self.rows_written / total)) if total else 0)
        )
        return [("写出", self.rows_written, percent, "bg-success")]


@receiver(post_save, sender=Member)
@receiver(post_delete, sender=Member)
def _member_changed(sender, instance: Member, **kwargs) -> None:
    """A member added, changed, moved or removed: recount the household(s) concerned."""
    ids = {instance.household_id, getattr(instance, "_household_before", None)} - {None}
    origin = kwargs.get("origin")
    if isinstance(origin, Household) or getattr(origin, "model", None) is Household:
        return  # the households themselves are being deleted, members with them
    if ids:
        recount_members(ids)


@receiver(post_save, sender=Household)
def _household_saved(sender, instance: Household, raw=False, **kwargs) -> None:
    """Every saved household's counted facts go into its periods (households.periods), as
    django-simple-history records its history rows."""
    if not raw:
        from .periods import follow

        follow([instance.pk])


@receiver(pre_delete, sender=Household)
def _household_deleting(sender, instance: Household, **kwargs) -> None:
    """Its periods go with it (CASCADE, past households.periods): their villages' kept counts
    are due for a recount from this transaction on."""
    from .periods import recount_due

    recount_due(instance.periods.values_list("village_id", flat=True).distinct())


@receiver(post_init, sender=Member)
def _remember_household(sender, instance: Member, **kwargs) -> None:
    instance._household_before = instance.__dict__.get("household_id")
