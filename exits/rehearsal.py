"""第三方评估预评估: the sample, the questionnaire's verdict, the rates, and closing.

**The draw** (`rehearsal_draw`), repeatable from its recorded seed: the county's villages are
split among its townships in proportion to their number of villages (largest remainders, at
least one each while the number allows); each township's share among its poor and non-poor
villages in proportion (a poor one first, where it has any); then, in each sampled village,
`exited_per_village` households exited by the year, `remaining_per_village` not exited, and
`others_per_village` slots for the non-registered households the assessors meet. Candidates
are ordered by code before drawing, so the same seed draws the same sample.

**The verdict** of a questionnaire (`survey_record`): poor when the per-capita income is below
the year's line (PovertyLine) or any of 两不愁三保障 and 饮水 fails. An exited household found poor
is 错退; a non-registered household found poor is 漏评.

**The rates** (`results`), with their counts and the 95 % margin of each proportion
(1.96·√(p(1−p)/n)):
- 错退率 = persons of wrongly exited households / persons of exited households surveyed;
- 漏评率 = persons of missed households / persons of non-registered households surveyed;
- 认可度 = households satisfied / registered households that answered;
- 综合贫困发生率 = (remaining persons at the year's end + 漏评率 × the non-registered rural
  population + 错退率 × the exited persons) / rural population (the exit statistics' figures).

**Closing** (`rehearsal_close`) keeps the results as found, turns every 错退 and 漏评 into a
督查问题 of the village's responsible unit and cadre (the household's paired cadre, else the
village's first secretary), in one 第三方评估 inspection, so they flow into rectification and the
monthly notices; then locks the rehearsal.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from households.choices import HouseholdStatus
from households.models import Household, HouseholdPairing, PovertyLine
from inspections.choices import Category, InspectionKind, Severity, Subject
from inspections.models import Finding, Inspection
from poverty.common.models import save_versioned
from poverty.common.scoping import in_scope
from poverty.dashboard.stats import exit_statistics
from villages.choices import AreaLevel, PostingRole
from villages.models import Area, Unit, UnitPairing, VillagePosting

from .choices import GUARANTEES, RehearsalStatus, Stratum, Verdict
from .models import Rehearsal, Survey

CHANGE_PERMISSION = "exits.change_rehearsal"
# The questionnaire's income items (the last one subtracted), in 元 for the household's year.
INCOME_ITEMS = ("wage", "business", "property_income", "transfer", "business_costs")
RECORD_PERMISSION = "exits.change_survey"
FINDING_DAYS = 30  # time given to rectify a finding of the rehearsal


def _shares(total: int, sizes: dict[object, int]) -> dict[object, int]:
    """`total` split in proportion to `sizes` by largest remainders (ties in the order the
    keys are given), none above its size."""
    whole = sum(sizes.values())
    if not whole:
        return dict.fromkeys(sizes, 0)
    total = min(total, whole)
    exact = {k: total * n / whole for k, n in sizes.items()}
    shares = {k: min(int(v), sizes[k]) for k, v in exact.items()}
    # A stable sort: equal remainders keep the caller's order. (Ties once went by str(key):
    # keys were township ids, so the same seed drew another sample once ids had moved on.)
    order = sorted(sizes, key=lambda k: -(exact[k] - int(exact[k])))
    while sum(shares.values()) < total:
        for k in order:
            if sum(shares.values()) >= total:
                break
            if shares[k] < sizes[k]:
                shares[k] += 1
    return shares


def draw_villages(rehearsal: Rehearsal, rng: random.Random) -> list[Area]:
    villages = list(
        Area.objects.under([rehearsal.area.code]).filter(level=AreaLevel.VILLAGE).order_by("code")
    )
    by_township: dict[int, list[Area]] = {}
    for v in villages:
        by_township.setdefault(v.parent_id, []).append(v)
    townships = sorted(by_township, key=lambda t: by_township[t][0].code)
    sizes = {t: len(by_township[t]) for t in townships}
    shares = _shares(rehearsal.villages_wanted, sizes)
    drawn = []
    for t in townships:
        share = shares[t]
        if not share:
            continue
        poor = [v for v in by_township[t] if v.is_poor]
        other = [v for v in by_township[t] if not v.is_poor]
        # "other" first: on equal remainders it rounds up first, as in samples already drawn.
        split = _shares(share, {"other": len(other), "poor": len(poor)})
        if poor and not split["poor"]:
            split = {"poor": 1, "other": share - 1}
        drawn += rng.sample(poor, split["poor"]) + rng.sample(other, split["other"])
    return sorted(drawn, key=lambda v: v.code)


@transaction.atomic
def rehearsal_draw(*, rehearsal: Rehearsal, by) -> int:
    """Draw the sample (see the module's docstring); returns the number of questionnaires."""
    if not by.has_perm(CHANGE_PERMISSION) or not in_scope(rehearsal, by, "change"):
        raise ValidationError("您没有为该县预评估抽样的权限。")
    rehearsal = Rehearsal.objects.select_for_update().get(pk=rehearsal.pk)
    if rehearsal.status != RehearsalStatus.DRAFT:
        raise ValidationError("该预评估已经抽样。")
    seed = rehearsal.seed if rehearsal.seed is not None else random.SystemRandom().randrange(10**9)
    rng = random.Random(seed)  # noqa: S311 -- a sample, repeatable from its seed by design
    surveys = []
    for village in draw_villages(rehearsal, rng):
        registered = Household.objects.filter(
            village=village, identified_year__lte=rehearsal.year
        ).order_by("code")
        exited = list(
            registered.filter(status=HouseholdStatus.EXITED, exit_year__lte=rehearsal.year)
        )
        remaining = list(registered.exclude(status=HouseholdStatus.EXITED))
        for stratum, pool, wanted in (
            (Stratum.EXITED, exited, rehearsal.exited_per_village),
            (Stratum.REMAINING, remaining, rehearsal.remaining_per_village),
        ):
            picked = rng.sample(pool, min(wanted, len(pool)))
            for slot, household in enumerate(sorted(picked, key=lambda h: h.code), 1):
                surveys.append(
                    Survey(
                        rehearsal=rehearsal,
                        village=village,
                        village_poor=village.is_poor,
                        stratum=stratum,
                        household=household,
                        slot=slot,
                        persons=household.persons or None,
                        address=household.address,
                    )
                )
        for slot in range(1, rehearsal.others_per_village + 1):
            surveys.append(
                Survey(
                    rehearsal=rehearsal,
                    village=village,
                    village_poor=village.is_poor,
                    stratum=Stratum.OTHER,
                    slot=slot,
                )
            )
    if not surveys:
        raise ValidationError("该县没有可抽取的行政村。")
    Survey.objects.bulk_create(surveys)
    save_versioned(rehearsal, by, seed=seed, status=RehearsalStatus.DRAWN, drawn_at=timezone.now())
    return len(surveys)


def verdict_of(survey: Survey, line: Decimal | None) -> str:
    """错退, 漏评 or 无误 from the answers (see the module's docstring)."""
    if line is None:
        raise ValidationError(f"尚未设置{survey.rehearsal.year}年的脱贫标准（人均纯收入线）。")
    poor = survey.income < line or not all(getattr(survey, f) for f in GUARANTEES)
    if poor and survey.stratum == Stratum.EXITED:
        return Verdict.WRONGLY_EXITED
    if poor and survey.stratum == Stratum.OTHER:
        return Verdict.MISSED
    return Verdict.CORRECT


@transaction.atomic
def survey_record(*, survey: Survey, by, **answers) -> Survey:
    """A questionnaire filled at the door: every answer given, the verdict worked out."""
    if not by.has_perm(RECORD_PERMISSION) or not in_scope(survey, by, "change"):
        raise ValidationError("您没有填写该户问卷的权限。")
    survey = Survey.objects.select_for_update().select_related("rehearsal").get(pk=survey.pk)
    if survey.rehearsal.status != RehearsalStatus.DRAWN:
        raise ValidationError("该预评估不在调查阶段，问卷不能填写或修改。")
    allowed = {"head_name", "address", "persons", "surveyed_on", "income", "satisfied", "note"}
    allowed |= set(INCOME_ITEMS)
    unknown = set(answers) - allowed - set(GUARANTEES)
    if unknown:
        raise TypeError(f"not a questionnaire answer: {sorted(unknown)}")
    if survey.household_id:
        answers.pop("head_name", None)  # a registered household's head is the registry's
    for name, value in answers.items():
        setattr(survey, name, value)
    if any(getattr(survey, item) is not None for item in INCOME_ITEMS) and survey.persons:
        # Asked by item: the per-capita net income follows from them (as IncomeRecord does).
        for item in INCOME_ITEMS:
            answers[item] = getattr(survey, item) or Decimal(0)
        net = sum(answers[item] for item in INCOME_ITEMS[:-1]) - answers["business_costs"]
        answers["income"] = survey.income = (net / survey.persons).quantize(Decimal("0.01"))
    missing = [
        str(Survey._meta.get_field(f).verbose_name)
        for f in ("surveyed_on", "persons", "income", *GUARANTEES)
        if getattr(survey, f) is None
    ]
    if survey.stratum != Stratum.OTHER and survey.satisfied is None:
        missing.append("认可帮扶工作和退出结果")
    if survey.stratum == Stratum.OTHER and not survey.head_name.strip():
        missing.append("户主姓名")
    if missing:
        raise ValidationError(f"请填写：{'、'.join(missing)}。")
    if survey.persons < 1:
        raise ValidationError("家庭人口至少为1人。")
    if survey.surveyed_on > timezone.localdate():
        raise ValidationError("调查日期不能晚于今天。")
    line = (
        PovertyLine.objects.filter(year=survey.rehearsal.year)
        .values_list("income_line", flat=True)
        .first()
    )
    answers["verdict"] = verdict_of(survey, line)
    answers["surveyor"] = by
    survey.full_clean()
    save_versioned(survey, by, **answers)
    return survey


@dataclass
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def margin(self) -> float | None:
        """The 95 % margin of the proportion (normal approximation)."""
        p = self.value
        if p is None:
            return None
        return 1.96 * math.sqrt(p * (1 - p) / self.denominator)


@dataclass
class Results:
    surveyed: int
    planned: int
    wrong_exit: Rate
    missed: Rate
    satisfaction: Rate
    composite: float | None
    remaining_persons: int
    rural_population: int | None

    def as_dict(self) -> dict:
        data = asdict(self)
        for name in ("wrong_exit", "missed", "satisfaction"):
            rate = getattr(self, name)
            data[name].update(value=rate.value, margin=rate.margin)
        return data


def results(rehearsal: Rehearsal) -> Results:
    """The rates of the questionnaires recorded so far (see the module's docstring)."""
    rows = list(
        Survey.objects.filter(rehearsal=rehearsal).values(
            "stratum", "verdict", "persons", "satisfied", "head_name"
        )
    )
    done = [r for r in rows if r["verdict"]]
    exited = [r for r in done if r["stratum"] == Stratum.EXITED]
    others = [r for r in done if r["stratum"] == Stratum.OTHER]
    answered = [r for r in done if r["satisfied"] is not None]

    def persons(rs) -> int:
        return sum(r["persons"] or 0 for r in rs)

    wrong = Rate(
        persons(r for r in exited if r["verdict"] == Verdict.WRONGLY_EXITED), persons(exited)
    )
    missed = Rate(persons(r for r in others if r["verdict"] == Verdict.MISSED), persons(others))
    satisfaction = Rate(sum(1 for r in answered if r["satisfied"]), len(answered))
    figures = exit_statistics(rehearsal.area, rehearsal.year, children=[])
    rural = figures["rural_population"]
    remaining = figures["remaining"]["persons"]
    composite = None
    if rural:
        outside = max(rural - figures["registered"]["persons"], 0)
        estimate = (
            remaining
            + (missed.value or 0) * outside
            + (wrong.value or 0) * figures["exited_cumulative"]["persons"]
        )
        composite = estimate / rural
    planned = sum(1 for r in rows if r["stratum"] != Stratum.OTHER or r["head_name"])
    return Results(len(done), planned, wrong, missed, satisfaction, composite, remaining, rural)


def _responsible(village: Area, household: Household | None):
    """The unit and cadre a finding about the village goes to: the household's paired cadre
    (and their unit), else the village's first secretary, else its paired unit, else a unit of
    its township."""
    today = timezone.localdate()
    if household is not None:
        pairing = (
            HouseholdPairing.objects.active(today)
            .filter(household=household)
            .select_related("cadre__unit")
            .order_by("-start_date")
            .first()
        )
        if pairing is not None:
            return pairing.cadre.unit, pairing.cadre
    posting = (
        VillagePosting.objects.active(today)
        .filter(village=village, role=PostingRole.FIRST_SECRETARY)
        .select_related("cadre__unit")
        .first()
    )
    if posting is not None:
        return posting.cadre.unit, posting.cadre
    pairing = (
        UnitPairing.objects.active(today).filter(village=village).select_related("unit").first()
    )
    if pairing is not None:
        return pairing.unit, None
    unit = Unit.objects.filter(area=village.parent).order_by("pk").first()
    if unit is None:
        raise ValidationError(f"{village.name}没有帮扶单位或驻村第一书记，无法确定问题的责任单位。")
    return unit, None


@transaction.atomic
def rehearsal_close(*, rehearsal: Rehearsal, by, today: datetime.date | None = None) -> Results:
    """Keep the results, turn errors into findings, lock (see the module's docstring)."""
    today = today or timezone.localdate()
    if not by.has_perm(CHANGE_PERMISSION) or not in_scope(rehearsal, by, "change"):
        raise ValidationError("您没有完成该预评估的权限。")
    rehearsal = Rehearsal.objects.select_for_update().get(pk=rehearsal.pk)
    if rehearsal.status != RehearsalStatus.DRAWN:
        raise ValidationError("只有调查中的预评估可以完成。")
    pending = Survey.objects.filter(rehearsal=rehearsal, verdict="").exclude(
        stratum=Stratum.OTHER, head_name=""
    )
    if pending.exists():
        names = "、".join(str(s) for s in pending.select_related("village", "household")[:5])
        raise ValidationError(f"还有{pending.count()}户问卷未填写：{names}。")
    found = results(rehearsal)
    errors = list(
        Survey.objects.filter(
            rehearsal=rehearsal, verdict__in=[Verdict.WRONGLY_EXITED, Verdict.MISSED]
        ).select_related("village__parent", "household")
    )
    inspection = None
    if errors:
        surveyed = [s.surveyed_on for s in errors if s.surveyed_on]
        inspection = Inspection.objects.create(
            kind=InspectionKind.THIRD_PARTY,
            title=f"{rehearsal.title}发现问题",
            area=rehearsal.area,
            start_date=min(surveyed, default=today),
            end_date=today,
            recorded_by=by,
        )
    for survey in errors:
        unit, person = _responsible(survey.village, survey.household)
        failed = "、".join(
            str(Survey._meta.get_field(f).verbose_name)
            for f in GUARANTEES
            if not getattr(survey, f)
        )
        why = f"人均纯收入{survey.income}元" + (f"，{failed}未保障" if failed else "")
        if survey.verdict == Verdict.WRONGLY_EXITED:
            finding = Finding(
                inspection=inspection,
                category=Category.EXIT,
                severity=Severity.SERIOUS,
                subject=Subject.HOUSEHOLD,
                household=survey.household,
                description=f"预评估抽查发现错退：{survey.household.code}（{survey.persons}人）{why}。",
                requirement="核实后纳入返贫监测或重新识别，落实帮扶措施，举一反三排查同类问题。",
            )
        else:
            finding = Finding(
                inspection=inspection,
                category=Category.IDENTIFICATION,
                severity=Severity.SERIOUS,
                subject=Subject.VILLAGE,
                area=survey.village,
                description=(
                    f"预评估调查发现漏评：{survey.village.name}{survey.head_name}户"
                    f"（{survey.address or '住址未记'}，{survey.persons}人）{why}。"
                ),
                requirement="按程序开展识别，符合条件的及时纳入，举一反三排查同类问题。",
            )
        finding.unit, finding.person = unit, person
        finding.found_on = survey.surveyed_on or today
        finding.deadline = today + datetime.timedelta(days=FINDING_DAYS)
        finding.recorded_by = by
        finding.full_clean()
        finding.save()
        survey.finding = finding
        survey.save(update_fields=["finding"])
    save_versioned(
        rehearsal,
        by,
        status=RehearsalStatus.CLOSED,
        closed_at=timezone.now(),
        closed_by=by,
        results=found.as_dict(),
        inspection=inspection,
    )
    return found


def latest_results(area: Area, year: int) -> dict | None:
    """The kept results of the county's latest completed rehearsal of `year` (三率一度 for
    摘帽: exits.selectors)."""
    return (
        Rehearsal.objects.filter(area=area, year=year, status=RehearsalStatus.CLOSED)
        .order_by("-closed_at", "-pk")
        .values_list("results", flat=True)
        .first()
    )
