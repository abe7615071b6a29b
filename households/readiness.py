"""Exit readiness (退出条件): whether a household meets the exit standard of a year, criterion
by criterion, and what is missing where it cannot be told.

The standard (2016 《关于建立贫困退出机制的意见》): per-capita net income steadily above the
year's line, and 两不愁三保障 with safe drinking water. Each criterion has its sources:

- income: the household's income record of the year against the year's line (PovertyLine);
- 不愁吃, 不愁穿: the latest 两不愁三保障 assessment made in the year or later;
- 义务教育: that assessment and every child of compulsory-school age in school;
- 基本医疗: that assessment and every member in the basic medical insurance;
- 住房安全: that assessment and the household not a 危房户;
- 饮水安全: that assessment and the household's water safe.

A criterion is not met when any source says no, unknown (待核实) when a source has said nothing
(no record, a blank field: missing data is never taken for "yes"), and met otherwise.

This is the one home of the rule, as SQL expressions (`annotations`) so a list filters and a
county counts in one query: the exit procedure's check, the household page, the 作战卡, the
battle map, the household list's filter, the count per blocking reason and the 疑点 rule for
exited households all read it. `explain` puts words to one household's states.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear, Least

from .choices import HouseholdStatus, Schooling


class State(models.IntegerChoices):
    """Ordered so that a criterion with several sources is the least of them."""

    NOT_MET = 0, "未达标"
    UNKNOWN = 1, "待核实"
    MET = 2, "达标"


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str

    @property
    def field(self) -> str:
        """The annotation holding the criterion's State."""
        return f"exit_{self.key}"


CRITERIA = (
    Criterion("income", "收入超过当年标准"),
    Criterion("food", "不愁吃"),
    Criterion("clothing", "不愁穿"),
    Criterion("education", "义务教育有保障"),
    Criterion("medical", "基本医疗有保障"),
    Criterion("housing", "住房安全有保障"),
    Criterion("water", "饮水安全有保障"),
)
BY_KEY = {c.key: c for c in CRITERIA}
NOT_MET, UNKNOWN, MET = int(State.NOT_MET), int(State.UNKNOWN), int(State.MET)
READY = "exit_ready"  # the filter's alias: the least of the criteria's states

# Not in school, for a child of compulsory-school age.
OUT_OF_SCHOOL = (Schooling.NONE, Schooling.DROPOUT)

# The year a household is judged for: a year, or the name of one of its fields.
Year = int | str


def _year_here(year: Year):
    return Value(year) if isinstance(year, int) else F(year)


def _year_outer(year: Year):
    """The year inside a subquery of the household."""
    return Value(year) if isinstance(year, int) else OuterRef(year)


def with_school_age(members: QuerySet, year: Year, *, outer: bool = True) -> QuerySet:
    """The members with `school_age`: of compulsory-school age in the autumn term of `year`
    (义务教育: grade 1 to 9, born from 1 September fifteen years before to 31 August six years
    before). `outer`: the year is the outer household's field."""
    y = _year_outer(year) if outer else _year_here(year)
    born = ExtractYear("birth_date") * 100 + ExtractMonth("birth_date")
    condition = Q(_born__gte=(y - 15) * 100 + 9, _born__lte=(y - 6) * 100 + 8)
    return members.alias(_born=born).annotate(
        school_age=ExpressionWrapper(condition, output_field=BooleanField())
    )


def school_age(members: QuerySet, year: Year) -> QuerySet:
    return with_school_age(members, year).filter(school_age=True)


def current_assessments(year: Year) -> QuerySet:
    """The household's 两不愁三保障 assessments made in `year` or later, latest first: an exit
    is judged on the household as seen in its year."""
    from .models import Assessment

    return Assessment.objects.filter(
        household=OuterRef("pk"), assessed_on__year__gte=_year_outer(year)
    ).order_by("-assessed_on", "-pk")


def _assessed(flag: str, year: Year):
    said = Subquery(current_assessments(year).values(flag)[:1])
    return Coalesce(Cast(said, IntegerField()) * 2, Value(UNKNOWN))


def _fact(name: str, good: bool):
    return Case(
        When(**{name: good}, then=Value(MET)),
        When(**{name: not good}, then=Value(NOT_MET)),
        default=Value(UNKNOWN),
    )


def _members():
    from .models import Member

    return Member.objects.filter(household=OuterRef("pk"))


def _income(year: Year):
    from .models import IncomeRecord, PovertyLine

    line = PovertyLine.objects.filter(year=OuterRef("year")).values("income_line")[:1]
    of_year = IncomeRecord.objects.filter(household=OuterRef("pk"), year=_year_outer(year))
    line_set = PovertyLine.objects.filter(year=_year_outer(year))
    return Case(
        When(Exists(of_year.filter(per_capita_net__gte=Subquery(line))), then=Value(MET)),
        When(Exists(of_year) & Exists(line_set), then=Value(NOT_MET)),
        default=Value(UNKNOWN),
        output_field=IntegerField(),
    )


def _schooling(year: Year):
    children = school_age(_members(), year)
    return Case(
        When(Exists(children.filter(schooling__in=OUT_OF_SCHOOL)), then=Value(NOT_MET)),
        When(Exists(children.filter(schooling="")), then=Value(UNKNOWN)),
        default=Value(MET),
    )


def _insurance():
    members = _members()
    return Case(
        When(Exists(members.filter(basic_medical=False)), then=Value(NOT_MET)),
        When(
            Exists(members.filter(basic_medical__isnull=True)) | ~Exists(members),
            then=Value(UNKNOWN),
        ),
        default=Value(MET),
    )


def expressions(year: Year) -> dict[str, object]:
    """Each criterion's State for a household judged for `year` (a year, or "planned_exit_year"
    / "exit_year" for each household's own)."""
    sources = {
        "income": [_income(year)],
        "food": [_assessed("food", year)],
        "clothing": [_assessed("clothing", year)],
        "education": [_assessed("education", year), _schooling(year)],
        "medical": [_assessed("medical", year), _insurance()],
        "housing": [_assessed("housing", year), _fact("dilapidated_house", False)],
        "water": [_assessed("water", year), _fact("safe_water", True)],
    }
    return {BY_KEY[key].field: _least(found) for key, found in sources.items()}


def _least(found):
    found = list(found)
    return Least(*found, output_field=IntegerField()) if len(found) > 1 else found[0]


def annotate(households: QuerySet, year: Year = "planned_exit_year") -> QuerySet:
    """The households with each criterion's State (the household is ready when all are MET:
    `ready_of`). Each subquery is written once in the SELECT."""
    return households.annotate(**expressions(year))


def ready_of(states: dict[str, int]) -> int:
    """The household's State: the least of its criteria's."""
    return min(states[c.field] for c in CRITERIA)


def remaining(households: QuerySet) -> QuerySet:
    """The households whose exit is still to come (not exited)."""
    return households.exclude(status=HouseholdStatus.EXITED)


# The household list's filter: ready, not met on one criterion, or something to verify.
FILTER_CHOICES = [
    ("ready", "具备退出条件"),
    *((c.key, f"未达标：{c.label}") for c in CRITERIA),
    ("unknown", "有待核实项（缺数据）"),
]


def filter_by(households: QuerySet, choice: str) -> QuerySet:
    """Remaining households that are ready to exit in their planned year (`ready`), blocked by a
    criterion (its key), or with something unknown (`unknown`)."""
    # Aliased under names of their own, so a page may annotate the states as well.
    criteria = {f"{name}_filter": e for name, e in expressions("planned_exit_year").items()}
    if choice == "ready":
        return (
            remaining(households).alias(**{READY: _least(criteria.values())}).filter(**{READY: MET})
        )
    if choice == "unknown":
        condition = Q()
        for name in criteria:
            condition |= Q(**{name: UNKNOWN})
        return remaining(households).alias(**criteria).filter(condition)
    if choice in BY_KEY:
        name = f"{BY_KEY[choice].field}_filter"
        return remaining(households).alias(**{name: criteria[name]}).filter(**{name: NOT_MET})
    return households.none()


# The rows of a count for an area of each level: its children (a village's: itself).
BREAKDOWN = {
    "province": "village__parent__parent__parent_id",
    "city": "village__parent__parent_id",
    "county": "village__parent_id",
    "township": "village_id",
    "village": "village_id",
}


@dataclass
class Tally:
    """Counts of remaining households by readiness, for one area."""

    households: int = 0
    ready: int = 0
    not_met: dict[str, int] = field(default_factory=lambda: {c.key: 0 for c in CRITERIA})
    unknown: dict[str, int] = field(default_factory=lambda: {c.key: 0 for c in CRITERIA})
    with_unknown: int = 0

    def add(self, states: dict[str, int]) -> None:
        self.households += 1
        if ready_of(states) == State.MET:
            self.ready += 1
        some_unknown = False
        for c in CRITERIA:
            if states[c.field] == State.NOT_MET:
                self.not_met[c.key] += 1
            elif states[c.field] == State.UNKNOWN:
                self.unknown[c.key] += 1
                some_unknown = True
        self.with_unknown += some_unknown


def tally(households: QuerySet, key: str) -> dict[object, Tally]:
    """Remaining households counted per `key` (a field path, e.g. the village's township) by
    readiness in their planned exit year: one query, counted here (a county's few thousand rows
    are read as small tuples; counting in SQL would repeat every criterion's subqueries)."""
    fields = [c.field for c in CRITERIA]
    rows = annotate(remaining(households)).values_list(key, *fields)
    tallies: dict[object, Tally] = {}
    for row in rows.iterator(chunk_size=5000):
        states = dict(zip(fields, row[1:], strict=True))
        tallies.setdefault(row[0], Tally()).add(states)
    return tallies


# --- words for one household -------------------------------------------------------------


@dataclass
class Line:
    criterion: Criterion
    state: int
    sources: list[str] = field(default_factory=list)  # what the judgement rests on
    gaps: list[str] = field(default_factory=list)  # what fails, or is missing

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def css(self) -> str:
        return {MET: "success", NOT_MET: "danger"}.get(self.state, "warning")


@dataclass
class Readiness:
    year: int
    lines: list[Line]
    # The household's members as judged, each with `school_age` for the year.
    members: list = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(line.state == State.MET for line in self.lines)

    @property
    def blockers(self) -> list[Line]:
        return [line for line in self.lines if line.state != State.MET]

    @property
    def problems(self) -> list[str]:
        """One sentence per criterion not met or unknown (the exit procedure's refusal)."""
        return [
            f"{line.criterion.label}{line.state_label}：{'；'.join(line.gaps)}。"
            for line in self.blockers
        ]


# One household's states: the statement as annotate() writes it, compiled once per database
# and year with a stand-in id and then run with the household's (compiling the criteria's
# subqueries took 10 ms of CPU a household page, running them well under 1).
_STATEMENTS: dict[tuple[str, int], tuple[str, tuple, int]] = {}
_STAND_IN = -7_357_001


def states_of(pk: int, year: int) -> dict[str, int]:
    """Each criterion's State for the household `pk` judged for `year`, as annotate() gives."""
    from django.db import connections, router

    from .models import Household

    fields = [c.field for c in CRITERIA]
    alias = router.db_for_read(Household)
    key = (alias, year)
    if key not in _STATEMENTS:
        query = annotate(Household.objects.filter(pk=_STAND_IN), year).values(*fields).query
        sql, params = query.get_compiler(alias).as_sql()
        slots = [n for n, value in enumerate(params) if value == _STAND_IN]
        if len(slots) != 1:  # not as compiled before: no shortcut
            states = annotate(Household.objects.filter(pk=pk), year).values(*fields).first()
            return states or dict.fromkeys(fields, UNKNOWN)
        _STATEMENTS[key] = (sql, tuple(params), slots[0])
    sql, params, slot = _STATEMENTS[key]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, (*params[:slot], pk, *params[slot + 1 :]))
        row = cursor.fetchone()
    return dict(zip(fields, row, strict=True)) if row else dict.fromkeys(fields, UNKNOWN)


def explain(household, year: int | None = None, *, incomes=None, assessments=None) -> Readiness:
    """Each criterion's state for `household` in `year` (its planned exit year by default),
    with its sources and what fails or is missing. A fixed number of queries. A caller that has
    read all the household's `incomes` and `assessments` (in their models' order, the latest
    assessment first, with its assessor) passes them, sparing a query each; the members judged
    are kept on the result for the caller to show (`Readiness.members`)."""
    from .models import IncomeRecord, PovertyLine

    year = year or household.planned_exit_year
    states = states_of(household.pk, year)
    lines = {c.key: Line(c, states[c.field]) for c in CRITERIA}
    line = PovertyLine.objects.filter(year=year).first()
    if incomes is None:
        income = IncomeRecord.objects.filter(household=household, year=year).first()
    else:
        income = next((record for record in incomes if record.year == year), None)
    if assessments is None:
        assessments = household.assessments.select_related("assessor").order_by(
            "-assessed_on", "-pk"
        )[:1]
    latest = next(iter(assessments), None)
    members = list(
        with_school_age(household.members.all(), year, outer=False).order_by(
            "relation", "birth_date", "pk"
        )
    )

    words = lines["income"]
    if income is not None:
        words.sources.append(
            f"{year}年收入记录：人均纯收入{income.per_capita_net}元"
            + (f"，当年标准{line.income_line}元" if line else "")
        )
    if line is None:
        words.gaps.append(f"尚未设置{year}年的脱贫标准（人均纯收入线）")
    if income is None:
        words.gaps.append(f"没有{year}年的收入记录")
    elif line is not None and income.per_capita_net < line.income_line:
        words.gaps.append(f"人均纯收入{income.per_capita_net}元，低于当年标准{line.income_line}元")

    for key in ("food", "clothing", "education", "medical", "housing", "water"):
        words = lines[key]
        if latest is None:
            words.gaps.append("没有两不愁三保障入户评估")
        elif latest.assessed_on.year < year:
            words.gaps.append(
                f"最近一次评估在{latest.assessed_on:%Y-%m-%d}，早于{year}年，需重新入户评估"
            )
        else:
            said = getattr(latest, key)
            assessor = f"，{latest.assessor.name}" if latest.assessor else ""
            words.sources.append(
                f"{latest.assessed_on:%Y-%m-%d}入户评估{assessor}：{'是' if said else '否'}"
            )
            if not said:
                words.gaps.append(f"{latest.assessed_on:%Y-%m-%d}评估为“否”")

    autumn = datetime.date(year, 9, 1)
    words = lines["education"]
    children = [m for m in members if m.school_age]
    if not children:
        words.sources.append("没有义务教育阶段适龄子女")
    for m in children:
        shown = m.get_schooling_display() if m.schooling else "未填写"
        words.sources.append(f"{m.name}（{year}年秋{m.age_on(autumn)}岁）：{shown}")
        if m.schooling in OUT_OF_SCHOOL:
            words.gaps.append(f"{m.name}处于义务教育阶段，{m.get_schooling_display()}")
        elif not m.schooling:
            words.gaps.append(f"{m.name}的在校生状况未填写")

    words = lines["medical"]
    if not members:
        words.gaps.append("没有家庭成员信息")
    insured = [m.name for m in members if m.basic_medical]
    if insured:
        words.sources.append(f"参加城乡居民基本医疗保险：{'、'.join(insured)}")
    for m in members:
        if m.basic_medical is False:
            words.gaps.append(f"{m.name}未参加城乡居民基本医疗保险")
        elif m.basic_medical is None:
            words.gaps.append(f"{m.name}是否参加基本医疗保险未填写")

    for key, name, bad, good_text, bad_text, unknown_text in (
        ("housing", "dilapidated_house", True, "非危房户", "登记为危房户", "是否危房户未填写"),
        ("water", "safe_water", False, "饮水安全", "登记为饮水不安全", "饮水是否安全未填写"),
    ):
        words, value = lines[key], getattr(household, name)
        if value is None:
            words.gaps.append(unknown_text)
        elif value == bad:
            words.gaps.append(bad_text)
        else:
            words.sources.append(f"户信息：{good_text}")
    return Readiness(year, [lines[c.key] for c in CRITERIA], members)


def labels_of(states: dict[str, int]) -> list[str]:
    """Short words for the criteria a household falls short on ("收入超过当年标准未达标")."""
    return [
        f"{c.label}{State(states[c.field]).label}" for c in CRITERIA if states[c.field] != State.MET
    ]


def short(states: dict[str, int]) -> str:
    """One cell: 具备退出条件, or the criteria not met (then those to verify)."""
    if ready_of(states) == State.MET:
        return "具备退出条件"
    not_met = [c.label for c in CRITERIA if states[c.field] == State.NOT_MET]
    unknown = [c.label for c in CRITERIA if states[c.field] == State.UNKNOWN]
    parts = []
    if not_met:
        parts.append("未达标：" + "、".join(not_met))
    if unknown:
        parts.append("待核实：" + "、".join(unknown))
    return "；".join(parts)


def by_reason(tallies: Iterable[Tally]) -> Tally:
    """The sum of tallies (an area's total)."""
    total = Tally()
    for t in tallies:
        total.households += t.households
        total.ready += t.ready
        total.with_unknown += t.with_unknown
        for key in total.not_met:
            total.not_met[key] += t.not_met[key]
            total.unknown[key] += t.unknown[key]
    return total
