"""Demo registry for the fictional county: households, members, income, assessments, measures,
pairings, visits and exit records with realistic proportions, generated from a seed.

Everything is built in memory from one random stream and written with bulk inserts; a
household whose 户编号 already exists is skipped with everything that belongs to it, so a
second run with the same seed adds nothing.
"""

from __future__ import annotations

import datetime
import random
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from households.choices import (
    CAUSE_MEASURES,
    Category,
    Cause,
    Education,
    ExitStep,
    Gender,
    Health,
    HouseholdStatus,
    LabourSkill,
    MeasureStatus,
    MeasureType,
    MonitoringType,
    Relation,
    Schooling,
    WorkStatus,
)
from households.models import (
    Assessment,
    AssistanceMeasure,
    ExitRecord,
    Household,
    HouseholdPairing,
    IncomeRecord,
    Member,
    PovertyLine,
    Visit,
    recount_members,
)
from poverty.demo.names import SURNAMES, person_name
from poverty.demo.villages import COUNTY
from poverty.personal import crypto, idnumber
from villages.choices import AreaLevel, PostingRole
from villages.models import Area, Cadre, UnitPairing, VillagePosting

CAUSE_WEIGHTS = {
    Cause.ILLNESS: 30,
    Cause.NO_LABOUR: 16,
    Cause.NO_SKILLS: 15,
    Cause.NO_CAPITAL: 14,
    Cause.DISABILITY: 6,
    Cause.SCHOOLING: 5,
    Cause.NO_DRIVE: 4,
    Cause.DISASTER: 3,
    Cause.POOR_TRANSPORT: 3,
    Cause.NO_LAND: 2,
    Cause.NO_WATER: 1,
    Cause.MARRIAGE: 0.5,
    Cause.OTHER: 0.5,
}
CATEGORY_WEIGHTS = {
    Category.GENERAL: 62,
    Category.DIBAO: 28,
    Category.TEKUN: 7,
    Category.WUBAO: 3,
}
IDENTIFIED_WEIGHTS = {2014: 65, 2015: 10, 2016: 10, 2017: 8, 2018: 5, 2019: 2}
SIZE_WEIGHTS = {1: 16, 2: 23, 3: 26, 4: 19, 5: 11, 6: 5}  # ≈ 3.1 with the pupils 因学 adds
MEASURE_TEXT = {
    MeasureType.INDUSTRY: [
        "发展养殖产业（生猪）",
        "种植中药材",
        "入股村集体合作社分红",
        "发展核桃种植",
    ],
    MeasureType.EMPLOYMENT: ["转移就业，县外务工", "扶贫车间就业", "就近就业岗位"],
    MeasureType.RELOCATION: ["易地扶贫搬迁至县城安置点"],
    MeasureType.EDUCATION: ["雨露计划助学补助", "义务教育阶段“两免一补”", "高中免学费及助学金"],
    MeasureType.HEALTH: [
        "家庭医生签约服务",
        "大病专项救治",
        "慢性病门诊报销",
        "医疗救助“一站式”结算",
    ],
    MeasureType.HOUSING: ["农村危房改造"],
    MeasureType.MICROCREDIT: ["扶贫小额信贷5万元"],
    MeasureType.ECOLOGY: ["生态护林员岗位"],
    MeasureType.PHOTOVOLTAIC: ["村级光伏电站收益分配"],
    MeasureType.SOCIAL_SECURITY: ["纳入农村低保", "特困人员供养"],
    MeasureType.WELFARE_JOB: ["村级公益岗位（保洁员）", "公益性岗位（护路员）"],
    MeasureType.TRAINING: ["技能培训（电焊）", "家政服务培训", "种养殖技术培训"],
    MeasureType.INFRASTRUCTURE: ["安全饮水工程入户"],
}
MEASURE_AMOUNT = {
    MeasureType.MICROCREDIT: 50000,
    MeasureType.RELOCATION: 60000,
    MeasureType.HOUSING: 35000,
    MeasureType.INDUSTRY: 3000,
    MeasureType.EDUCATION: 2000,
    MeasureType.ECOLOGY: 10000,
    MeasureType.WELFARE_JOB: 6000,
}
VISIT_FINDINGS = [
    "家中生活正常，吃穿不愁，饮水安全。",
    "户主在家务农，养殖情况良好。",
    "子女在校就读，已享受教育资助。",
    "患病成员按时服药，已签约家庭医生。",
    "住房安全，已完成危房改造。",
    "务工成员春节后返岗，收入稳定。",
]
VISIT_PROBLEMS = [
    "",
    "",
    "",
    "医疗费用报销进度慢。",
    "希望提供技能培训机会。",
    "产业资金尚未到位。",
    "房屋漏雨需维修。",
]


@dataclass
class RegistryCounts:
    households: int = 0
    members: int = 0
    measures: int = 0
    visits: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class People:
    """Made-up names and unique, valid ID numbers."""

    def __init__(self, rng: random.Random, taken: set[str]) -> None:
        self.rng = rng
        self.taken = taken

    def name(self, surname: str | None = None) -> str:
        return person_name(self.rng, double=0.75, surname=surname)

    def id_number(self, region: str, birth: datetime.date, gender: str) -> str:
        parity = 1 if gender == Gender.MALE else 0
        for _ in range(500):
            seq = self.rng.randrange(0, 500) * 2 + parity
            number = idnumber.make(region, birth, seq)
            if number not in self.taken:
                self.taken.add(number)
                return number
        raise RuntimeError("ran out of ID sequence numbers")  # pragma: no cover


def _birth(rng: random.Random, age: int, today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=age * 365 + rng.randrange(0, 365))


def _schooling_for(age: int) -> tuple[str, str]:
    """(schooling, education) plausible for a child's age."""
    if age < 3:
        return "", Education.PRESCHOOL
    if age < 6:
        return Schooling.PRESCHOOL, Education.PRESCHOOL
    if age < 12:
        return Schooling.PRIMARY, Education.PRIMARY
    if age < 15:
        return Schooling.JUNIOR, Education.PRIMARY
    if age < 18:
        return Schooling.SENIOR, Education.JUNIOR
    if age < 22:
        return Schooling.COLLEGE, Education.SENIOR
    return Schooling.NONE, Education.SENIOR


@transaction.atomic
def seed_registry(*, seed: int = 2017, households: int = 5000, by_user=None) -> RegistryCounts:
    rng = random.Random(seed * 7919 + households)
    today = timezone.localdate()
    county = Area.objects.get(code=COUNTY[0])
    villages = list(
        Area.objects.filter(level=AreaLevel.VILLAGE, code__startswith=county.prefix).order_by(
            "code"
        )
    )
    # Poor villages hold most registered households.
    weights = [4 if v.is_poor else 1 for v in villages]
    existing_codes = set(
        Household.objects.filter(village__in=villages).values_list("code", flat=True)
    )
    lines = dict(PovertyLine.objects.values_list("year", "income_line"))
    existing_people = (
        set(Member.objects.values_list("id_number_hash", flat=True)) if existing_codes else set()
    )

    unit_of_village = dict(
        UnitPairing.objects.filter(village__in=villages).values_list("village_id", "unit_id")
    )
    cadres_by_unit: dict[int, list[int]] = defaultdict(list)
    for cadre_id, unit_id, is_leader in (
        Cadre.objects.filter(unit__area__code__startswith=county.prefix)
        .values_list("pk", "unit_id", "is_leader")
        .order_by("pk")
    ):
        if not is_leader:
            cadres_by_unit[unit_id].append(cadre_id)
    township_units = dict(
        Cadre.objects.filter(unit__area__level=AreaLevel.TOWNSHIP)
        .values_list("unit__area_id", "unit_id")
        .distinct()
    )
    secretaries = dict(
        VillagePosting.objects.filter(
            village__in=villages, role=PostingRole.FIRST_SECRETARY
        ).values_list("village_id", "cadre_id")
    )

    people = People(rng, taken=set())
    counts = RegistryCounts()
    per_village_seq: dict[int, int] = defaultdict(int)
    plan = []  # (household, members, extras)
    for _ in range(households):
        village = rng.choices(villages, weights=weights)[0]
        per_village_seq[village.pk] += 1
        code = f"{village.code}{per_village_seq[village.pk]:04d}"
        primary = _weighted(rng, CAUSE_WEIGHTS)
        others = []
        if rng.random() < 0.55:
            others = rng.sample([c for c in CAUSE_WEIGHTS if c != primary], k=rng.choice([1, 1, 2]))
            others.sort(
                key=list(Cause.values).index
            )  # the national list's order, as imports keep it
        identified = _weighted(rng, IDENTIFIED_WEIGHTS)
        planned = max(identified + rng.choice([1, 2, 2, 3, 4]), 2016)
        planned = min(planned, 2020)
        status, exit_year = HouseholdStatus.ASSISTED, None
        roll = rng.random()
        if planned <= 2019 and roll < 0.93:
            status, exit_year = HouseholdStatus.EXITED, planned if roll < 0.85 else planned + 1
        elif planned == 2020 and roll < 0.8:
            status, exit_year = HouseholdStatus.EXITED, 2020
        elif roll < 0.97:
            status = rng.choice(
                [
                    HouseholdStatus.ASSISTED,
                    HouseholdStatus.ASSISTED,
                    HouseholdStatus.PROPOSED,
                    HouseholdStatus.VERIFIED,
                    HouseholdStatus.PUBLICISED,
                ]
            )
        monitoring = ""
        if status == HouseholdStatus.EXITED and rng.random() < 0.04:
            monitoring = rng.choice([MonitoringType.UNSTABLE, MonitoringType.SUDDEN])
        elif status != HouseholdStatus.EXITED and rng.random() < 0.03:
            monitoring = MonitoringType.MARGINAL
        size = _weighted(rng, SIZE_WEIGHTS)
        region = village.code[:6]
        surname = rng.choice(SURNAMES)
        head_gender = Gender.MALE if rng.random() < 0.82 else Gender.FEMALE
        head_age = rng.randint(28, 78) if size > 1 else rng.randint(55, 85)
        members = []

        def person(relation, gender, age, surname=surname, region=region):
            birth = _birth(rng, age, today)
            return {
                "name": people.name(surname),
                "relation": relation,
                "gender": gender,
                "birth_date": birth,
                "id_number": people.id_number(region, birth, gender),
                "age": age,
            }

        members.append(person(Relation.HEAD, head_gender, head_age))
        if size >= 2 and rng.random() < 0.85:
            other = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
            members.append(
                person(Relation.SPOUSE, other, max(20, head_age + rng.randint(-5, 3)), surname=None)
            )
        while len(members) < size:
            if head_age > 60 and rng.random() < 0.5:
                age = max(0, head_age - rng.randint(24, 34))
                members.append(person(Relation.CHILD, rng.choice(list(Gender)), age))
            elif head_age < 50 and rng.random() < 0.25:
                members.append(
                    person(
                        Relation.PARENT,
                        rng.choice(list(Gender)),
                        min(95, head_age + rng.randint(22, 30)),
                    )
                )
            else:
                age = max(0, head_age - rng.randint(20, 38))
                members.append(person(Relation.CHILD, rng.choice(list(Gender)), age))
        causes = {primary, *others}
        for m in members:
            age = m["age"]
            m["health"] = Health.HEALTHY
            if age >= 60 and rng.random() < 0.35:
                m["health"] = Health.CHRONIC
            m["schooling"], m["education"] = (
                _schooling_for(age)
                if age <= 22 and m["relation"] != Relation.HEAD
                else (
                    "" if age > 23 else Schooling.NONE,
                    rng.choice([Education.PRIMARY, Education.JUNIOR, Education.ILLITERATE]),
                )
            )
            if 6 <= age <= 23 and not m["schooling"]:
                m["schooling"] = Schooling.NONE
            if 16 <= age <= 65:
                m["labour_skill"] = (
                    LabourSkill.ORDINARY
                    if m["schooling"] in ("", Schooling.NONE)
                    else LabourSkill.NONE
                )
                m["work_status"] = (
                    rng.choice(list(WorkStatus))
                    if m["labour_skill"] == LabourSkill.ORDINARY
                    else ""
                )
            else:
                m["labour_skill"] = LabourSkill.NONE if age < 16 else LabourSkill.WEAK
                m["work_status"] = ""
        adults = [m for m in members if m["age"] >= 16]
        if Cause.ILLNESS in causes:
            rng.choice(adults or members)["health"] = rng.choice([Health.CHRONIC, Health.SERIOUS])
        if Cause.DISABILITY in causes:
            victim = rng.choice(members)
            victim["health"] = Health.DISABLED
            if victim["age"] >= 16:
                victim["labour_skill"] = LabourSkill.UNABLE
        if Cause.SCHOOLING in causes and not any(
            m["schooling"] not in ("", Schooling.NONE, Schooling.DROPOUT) for m in members
        ):
            # A 因学 household has a student; older households get a grandchild at school.
            age = rng.randint(8, 17)
            child = person(
                Relation.GRANDCHILD if head_age > 55 else Relation.CHILD,
                rng.choice(list(Gender)),
                age,
            )
            child.update(
                health=Health.HEALTHY,
                labour_skill=LabourSkill.NONE,
                work_status="",
            )
            child["schooling"], child["education"] = _schooling_for(age)
            members.append(child)
        if Cause.NO_LABOUR in causes:
            for m in members:
                if m["relation"] == Relation.HEAD and m["age"] < 60:
                    m["labour_skill"] = LabourSkill.WEAK
        # A few records carry the mistakes the quality rules exist to catch.
        if rng.random() < 0.015:
            members[0]["schooling"] = ""
            members[0]["labour_skill"] = ""
        household = Household(
            code=code,
            village=village,
            group=f"{rng.randint(1, 9)}组",
            address=f"{village.name}{rng.randint(1, 9)}组{rng.randint(1, 120)}号",
            phone=people_phone(rng),
            category=_weighted(rng, CATEGORY_WEIGHTS),
            primary_cause=primary,
            other_causes=",".join(others),
            identified_year=identified,
            planned_exit_year=planned,
            status=status,
            exit_year=exit_year,
            monitoring_type=monitoring,
            monitored_since=today - datetime.timedelta(days=rng.randint(10, 400))
            if monitoring
            else None,
        )
        if code in existing_codes or any(
            crypto.keyed_hash(m["id_number"]) in existing_people for m in members
        ):
            continue  # seeded before, or (rarely) a number some other household holds
        if (
            status == HouseholdStatus.EXITED
            and exit_year <= 2018
            and zlib.crc32(code.encode()) % 30 == 0
        ):
            # One in thirty early exits fell back (返贫) a few years later: the periods keep it
            # among its exit year's exits (households.periods), its page shows both.
            household.status, household.exit_year = HouseholdStatus.ASSISTED, None
            household.returned_year = min(exit_year + 3, 2021)
            household.exited_in = exit_year
        _exit_facts(household, members)
        plan.append((household, members))

    Household.objects.bulk_create([h for h, _ in plan], batch_size=2000)
    by_code = dict(
        Household.objects.filter(code__in=[h.code for h, _ in plan]).values_list("code", "pk")
    )
    member_rows, income_rows, assessment_rows = [], [], []
    measure_rows, pairing_rows, visit_rows, exit_rows = [], [], [], []
    by = by_user
    for household, members in plan:
        household.pk = by_code[household.code]
        for m in members:
            row = Member(
                household_id=household.pk,
                name=m["name"],
                gender=m["gender"],
                birth_date=m["birth_date"],
                relation=m["relation"],
                education=m["education"],
                schooling=m["schooling"],
                health=m["health"],
                labour_skill=m["labour_skill"],
                work_status=m["work_status"],
                basic_medical=m["basic_medical"],
            )
            row.id_number = m["id_number"]
            member_rows.append(row)
        village_id = household.village_id
        unit_id = unit_of_village.get(village_id) or township_units.get(household.village.parent_id)
        pool = cadres_by_unit.get(unit_id) or []
        if village_id in secretaries and rng.random() < 0.15:
            cadre_id = secretaries[village_id]
        else:
            cadre_id = rng.choice(pool) if pool else None
        start = datetime.date(max(household.identified_year, 2016), 3, 1)
        if cadre_id and rng.random() < 0.97:
            pairing_rows.append(
                HouseholdPairing(household_id=household.pk, cadre_id=cadre_id, start_date=start)
            )
        for cause in household.causes:
            kinds = sorted(CAUSE_MEASURES.get(cause, [MeasureType.INDUSTRY]))
            if rng.random() < 0.95:
                kind = rng.choice(kinds)
                measure_rows.append(
                    AssistanceMeasure(
                        household_id=household.pk,
                        measure_type=kind,
                        description=rng.choice(MEASURE_TEXT[kind]),
                        amount=MEASURE_AMOUNT.get(kind),
                        start_date=start,
                        status=MeasureStatus.DONE
                        if household.status == HouseholdStatus.EXITED
                        else MeasureStatus.ONGOING,
                        cadre_id=cadre_id,
                    )
                )
        persons = len(members)
        final_year = household.exit_year or today.year - 1
        for year in range(max(household.identified_year, 2015), min(final_year, 2020) + 1):
            line = float(lines.get(year, 3000))
            target = line * (0.7 + 0.12 * (year - household.identified_year))
            if household.exit_year == year:
                target = line * rng.uniform(1.05, 1.8) if rng.random() > 0.01 else line * 0.95
            net = max(500.0, target * rng.uniform(0.9, 1.1)) * persons
            wage = round(net * rng.uniform(0.3, 0.7), 2)
            transfer = round(net * rng.uniform(0.1, 0.3), 2)
            costs = round(net * rng.uniform(0.05, 0.15), 2)
            business = round(net - wage - transfer + costs, 2)
            income = IncomeRecord(
                household_id=household.pk,
                year=year,
                persons=persons,
                wage=Decimal(str(wage)),
                business=Decimal(str(business)),
                property_income=Decimal("0"),
                transfer=Decimal(str(transfer)),
                business_costs=Decimal(str(costs)),
            )
            income.settle()
            income_rows.append(income)
        if household.status == HouseholdStatus.ASSISTED:
            assessment_rows += _remaining_assessment(household, cadre_id, today)
        else:
            assessed = datetime.date(household.exit_year or today.year, 10, rng.randint(1, 28))
            assessment_rows.append(
                Assessment(
                    household_id=household.pk,
                    assessed_on=min(assessed, today),
                    assessor_id=cadre_id,
                    food=True,
                    clothing=True,
                    education=True,
                    medical=True,
                    housing=True,
                    water=True,
                )
            )
        if household.status != HouseholdStatus.EXITED or household.monitoring_type:
            for _ in range(rng.choice([0, 1, 2, 2, 3])):
                if cadre_id is None:
                    break
                visit_rows.append(
                    Visit(
                        household_id=household.pk,
                        cadre_id=cadre_id,
                        visited_on=today - datetime.timedelta(days=rng.randint(1, 150)),
                        findings=rng.choice(VISIT_FINDINGS),
                        problems=rng.choice(VISIT_PROBLEMS),
                    )
                )
        if by is not None:
            exit_rows += _exit_records(rng, household, by, today)
        counts.by_status[household.status] = counts.by_status.get(household.status, 0) + 1

    for model, rows in (
        (Member, member_rows),
        (HouseholdPairing, pairing_rows),
        (AssistanceMeasure, measure_rows),
        (IncomeRecord, income_rows),
        (Assessment, assessment_rows),
        (Visit, visit_rows),
        (ExitRecord, exit_rows),
    ):
        model.objects.bulk_create(rows, batch_size=2000)
    recount_members([h.pk for h, _ in plan])
    counts.households = len(plan)
    counts.members = len(member_rows)
    counts.measures = len(measure_rows)
    counts.visits = len(visit_rows)
    return counts


def _facts_rng(household: Household, purpose: str) -> random.Random:
    """A stream of its own for the exit facts, so adding them left the registry's draws (and
    every figure the demo is known by) as they were."""
    return random.Random(zlib.crc32(f"{purpose} {household.code}".encode()))


def _exit_facts(household: Household, members: list[dict]) -> None:
    """Housing, water and insurance as the national form records them: the exited households
    met the standard; a few remaining ones live in a 危房, lack safe water, or have a member
    outside the medical insurance or not yet recorded (households.readiness reads them)."""
    rng = _facts_rng(household, "facts")
    exited = household.status == HouseholdStatus.EXITED
    household.dilapidated_house = False if exited else rng.random() < 0.06
    household.safe_water = True if exited or rng.random() > 0.05 else rng.choice([False, None])
    for m in members:
        m["basic_medical"] = True
    if not exited and rng.random() < 0.08:
        rng.choice(members)["basic_medical"] = rng.choice([False, None])


def _remaining_assessment(household: Household, cadre_id, today) -> list[Assessment]:
    """Most households still assisted were assessed at home this autumn (before today), one in
    ten found short on a guarantee; the others are still to be assessed."""
    rng = _facts_rng(household, "assessment")
    if rng.random() > 0.7:
        return []
    assessed = min(datetime.date(today.year, 10, rng.randint(1, 28)), today)
    flags = dict.fromkeys(("food", "clothing", "education", "medical", "housing", "water"), True)
    if rng.random() < 0.1:
        flags[rng.choice(["education", "medical", "housing", "water"])] = False
    return [
        Assessment(household_id=household.pk, assessed_on=assessed, assessor_id=cadre_id, **flags)
    ]


def people_phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def _exit_records(rng, household: Household, by, today) -> list[ExitRecord]:
    """The recorded steps that brought the household to its status."""
    order = [
        HouseholdStatus.PROPOSED,
        HouseholdStatus.VERIFIED,
        HouseholdStatus.PUBLICISED,
        HouseholdStatus.ANNOUNCED,
        HouseholdStatus.EXITED,
    ]
    exited_in = getattr(household, "exited_in", None)
    status = HouseholdStatus.EXITED if exited_in else household.status
    if status not in order:
        return []
    year = exited_in or household.exit_year or today.year
    start = datetime.datetime(min(year, today.year), 11, 1, 10, tzinfo=datetime.UTC)
    if exited_in is None and household.exit_year is None:
        start = timezone.now() - datetime.timedelta(days=20)
    steps = [
        (ExitStep.PROPOSE, {"evidence": "村民代表大会民主评议通过。"}),
        (ExitStep.VERIFY, {"evidence": "村两委和驻村工作队入户核实，户主签字认可。"}),
        (
            ExitStep.PUBLICISE,
            {
                "publicity_start": (start + datetime.timedelta(days=4)).date(),
                "publicity_end": (start + datetime.timedelta(days=10)).date(),
                "publicity_place": "村委会公示栏",
            },
        ),
        (ExitStep.ANNOUNCE, {"evidence": "乡镇人民政府公告。"}),
        (ExitStep.CLOSE, {}),
    ]
    rows = []
    for i, (step, extra) in enumerate(steps[: order.index(status) + 1]):
        rows.append(
            ExitRecord(
                household_id=household.pk,
                step=step,
                year=year,
                taken_at=start + datetime.timedelta(days=i * 4 + (7 if i >= 3 else 0)),
                taken_by=by,
                **extra,
            )
        )
    if household.returned_year:
        # Fell back after its exit: 返贫 recorded, the household assisted again.
        rows.append(
            ExitRecord(
                household_id=household.pk,
                step=ExitStep.RETURN,
                year=household.returned_year,
                taken_at=datetime.datetime(household.returned_year, 6, 15, 10, tzinfo=datetime.UTC),
                taken_by=by,
                evidence="家庭成员突发重病，医疗支出大，经核实收入低于标准。",
            )
        )
    if household.monitoring_type:
        rows.append(
            ExitRecord(
                household_id=household.pk,
                step=ExitStep.MONITOR,
                year=today.year,
                monitoring_type=household.monitoring_type,
                taken_at=timezone.now() - datetime.timedelta(days=30),
                taken_by=by,
                evidence="干部排查发现风险，经入户核实、民主评议和公示，乡镇审核、县级确定。",
            )
        )
    return rows
