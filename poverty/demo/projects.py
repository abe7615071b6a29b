"""Demo projects for the fictional county: every stage, some behind plan, with funds, joint
review, beneficiaries and disclosures. Built through the services, so the demo obeys the rules.

Finished projects belong to the campaign years (2016–2020); the ones still under way run this
year, planned backwards from a deadline so that some are on time and some have slipped.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from households.models import Household
from poverty.demo.villages import COUNTY
from projects import services
from projects.choices import (
    DEFAULT_DURATIONS,
    Decision,
    Deliverable,
    FundKind,
    FundSource,
    ProjectType,
    Stage,
    TeamRole,
)
from projects.models import (
    Disclosure,
    FundEntry,
    HelpPairing,
    HelpTeamMember,
    HelpYear,
    Objection,
    Project,
    ProjectApproval,
)
from villages.choices import AreaLevel
from villages.models import Area, Cadre, Unit, UnitPairing

PROJECTS_PER_TOWNSHIP = 4
REVIEWERS = ["县发展和改革局", "县财政局", "县自然资源局", "县扶贫开发办公室"]
KINDS = [
    (
        ProjectType.INDUSTRY,
        "{v}肉羊养殖项目",
        "新建标准化羊舍，购进基础母羊，合作社统一饲养、贫困户入股分红。",
    ),
    (ProjectType.INDUSTRY, "{v}食用菌大棚项目", "建设食用菌大棚20座，吸纳贫困劳动力务工。"),
    (ProjectType.INFRASTRUCTURE, "{v}通组道路硬化项目", "硬化通组道路3.5公里。"),
    (ProjectType.INFRASTRUCTURE, "{v}安全饮水巩固提升项目", "新建蓄水池2座，铺设管网6公里。"),
    (
        ProjectType.PHOTOVOLTAIC,
        "{v}村级光伏电站项目",
        "建设村级光伏电站300千瓦，收益用于公益岗位和奖补。",
    ),
    (ProjectType.EMPLOYMENT, "{v}扶贫车间项目", "建设扶贫车间1处，就近吸纳贫困劳动力。"),
    (ProjectType.PUBLIC_SERVICE, "{v}村卫生室标准化建设项目", "改建村卫生室，配齐基本设备。"),
    (ProjectType.EDUCATION, "{v}雨露计划职业教育补助项目", "对贫困家庭中职、高职在校生发放补助。"),
]


@dataclass
class ProjectCounts:
    projects: int = 0
    funds: int = 0
    beneficiaries: int = 0
    overdue: int = 0


@transaction.atomic
def seed_projects(*, seed: int = 2017, by_user) -> ProjectCounts:
    rng = random.Random(seed * 104729)
    today = timezone.localdate()
    county = Area.objects.get(code=COUNTY[0])
    if Project.objects.filter(area__code__startswith=county.prefix).exists():
        return ProjectCounts()  # idempotent: the demo projects are there already
    townships = list(Area.objects.filter(parent=county, level=AreaLevel.TOWNSHIP).order_by("code"))
    reviewers = list(Unit.objects.filter(area=county, name__in=REVIEWERS).order_by("name"))
    paired_unit = dict(UnitPairing.objects.values_list("village_id", "unit_id"))
    counts = ProjectCounts()
    serial = 0
    for township in townships:
        villages = list(township.children.order_by("-is_poor", "code"))
        for _ in range(PROJECTS_PER_TOWNSHIP):
            served = (
                villages[: rng.randint(1, 3)]
                if rng.random() < 0.5
                else rng.sample(villages, min(len(villages), rng.randint(1, 3)))
            )
            served.sort(key=lambda a: a.code)
            kind, name, description = KINDS[serial % len(KINDS)]
            # Every stage is represented: 未入库 … 见效, cycling through the projects.
            target = serial % 7
            serial += 1
            unit_id = paired_unit.get(served[0].pk) or reviewers[0].pk
            manager = Cadre.objects.filter(unit_id=unit_id).order_by("pk").first()
            finished = target == Stage.EFFECTIVE
            year = rng.randint(2016, 2020) if finished else today.year
            project = Project(
                name=name.format(v=served[0].name),
                project_type=kind,
                year=year,
                area=township,
                implementer=rng.choice(
                    [f"{township.name}人民政府", f"{served[0].name}股份经济合作社", "县城投公司"]
                ),
                unit_id=unit_id,
                manager=manager,
                description=description,
                expected_households=rng.randint(15, 60),
                expected_income_increase=Decimal(rng.randrange(600, 3000, 100)),
            )
            project.expected_persons = project.expected_households * 3
            project._history_user = by_user
            services.project_create(project=project, by=by_user)
            project.areas.set(served)
            if manager is not None:
                project.team.set(Cadre.objects.filter(unit_id=unit_id).order_by("pk")[1:3])
            overdue = _progress(project, rng, target, finished, today, reviewers, by_user)
            counts.overdue += overdue
            counts.funds += _funds(project, rng, target, by_user)
            counts.beneficiaries += _beneficiaries(project, rng, served, target, by_user)
            _disclosure(project, rng, target)
            counts.projects += 1
    return counts


def _deadline(rng, target: int, finished: bool, year: int, today: datetime.date) -> datetime.date:
    if finished:
        return datetime.date(year, 11, 30)
    # Place the next stage's planned date around today: a negative offset means it has slipped.
    ahead = sum(DEFAULT_DURATIONS.get(s, 0) for s in range(target + 2, Stage.EFFECTIVE + 1))
    offset = rng.choice([-35, -12, 20, 45, 75])
    return today + datetime.timedelta(days=ahead + offset)


def _progress(project, rng, target, finished, today, reviewers, by) -> int:
    deadline = _deadline(rng, target, finished, project.year, today)
    plan = services.backward_plan(deadline)
    services.project_plan_set(project=project, by=by, plan=plan)
    chosen = rng.sample(reviewers, 2)
    previous = None
    for stage in range(1, target + 1):
        day = plan[stage] + datetime.timedelta(days=rng.randint(-6, 12))
        day = min(max(day, previous or day), today)
        if stage == Stage.APPROVED:
            for unit in chosen:
                ProjectApproval.objects.create(
                    project=project,
                    unit=unit,
                    decision=Decision.APPROVED,
                    decided_on=max(previous, day - datetime.timedelta(days=3)),
                    comment="同意实施。",
                    recorded_by=by,
                )
        services.project_stage_complete(
            project=project,
            by=by,
            stage=stage,
            actual_date=day,
            evidence=f"{Stage(stage).label}：相关文件和现场照片已归档。",
            today=today,
        )
        previous = day
    if target < Stage.APPROVED:
        # Under review: one unit has agreed, the other has not decided yet.
        ProjectApproval.objects.create(
            project=project,
            unit=chosen[0],
            decision=Decision.APPROVED if target else Decision.PENDING,
            decided_on=today if target else None,
            recorded_by=by,
        )
        ProjectApproval.objects.create(project=project, unit=chosen[1], recorded_by=by)
    next_due = plan.get(target + 1)
    return int(bool(next_due and next_due < today))


def _funds(project, rng, target, by) -> int:
    started = project.stages.exclude(actual_date=None).order_by("stage").first()
    day = started.actual_date if started else min(timezone.localdate(), project.created_at.date())
    sources = rng.sample(
        [FundSource.CENTRAL, FundSource.PROVINCE, FundSource.COUNTY, FundSource.PAIRING],
        rng.randint(1, 3),
    )
    entries = []
    for source in sources:
        planned = Decimal(rng.randrange(100_000, 1_500_000, 10_000))
        entries.append((source, FundKind.PLANNED, planned))
        if target >= Stage.APPROVED:
            allocated = (planned * Decimal(rng.choice([60, 80, 100])) / 100).quantize(Decimal(1))
            entries.append((source, FundKind.ALLOCATED, allocated))
            share = Decimal(min(target, 5)) / 5
            paid = (allocated * share).quantize(Decimal(1))
            # Two payments, as the treasury pays in instalments.
            if paid:
                first = (paid * Decimal("0.6")).quantize(Decimal(1))
                entries += [
                    (source, FundKind.DISBURSED, first),
                    (source, FundKind.DISBURSED, paid - first),
                ]
    rows = [
        FundEntry(
            project=project,
            source=source,
            kind=kind,
            amount=amount,
            date=day,
            document=f"青财农〔{day.year}〕{rng.randint(1, 99)}号"
            if kind != FundKind.PLANNED
            else "",
            recorded_by=by,
        )
        for source, kind, amount in entries
        if amount > 0
    ]
    FundEntry.objects.bulk_create(rows)
    return len(rows)


def _beneficiaries(project, rng, served, target, by) -> int:
    if target < Stage.LISTED:
        return 0
    households = list(
        Household.objects.filter(village__in=served).order_by("code")[: project.expected_households]
    )
    if not households:
        return 0
    started = project.stages.get(stage=Stage.LISTED).actual_date
    links = services.project_beneficiaries_add(
        project=project,
        by=by,
        households=households,
        note=rng.choice(["入股分红", "务工收入", "受益于基础设施", "公益岗位"]),
        with_measure=project.project_type != ProjectType.INFRASTRUCTURE,
        today=started,
    )
    return len(links)


def _disclosure(project, rng, target) -> None:
    if target < Stage.LISTED:
        return
    start = project.stages.get(stage=Stage.LISTED).actual_date + datetime.timedelta(days=1)
    disclosure = Disclosure.objects.create(
        project=project,
        title="项目计划及受益户",
        content="项目建设内容、资金安排和受益贫困户名单。",
        location=f"{project.areas.order_by('code').first().name}委会公示栏",
        start_date=start,
        end_date=start + datetime.timedelta(days=9),
        phone="0354-12317",
    )
    if rng.random() < 0.3:
        received = start + datetime.timedelta(days=3)
        Objection.objects.create(
            disclosure=disclosure,
            received_on=received,
            raised_by="村民（匿名）",
            content="询问受益户确定方式。",
            answer="受益户经村民代表会议评议确定，已当面解释。",
            answered_on=received + datetime.timedelta(days=2),
        )


HELPER = "东湖区（省城）"


def seed_help_pairing(*, by_user) -> int:
    """One 对口帮扶 pairing (一帮三出) of the county's first township, last year and this: a
    six-person team led by a county-level leader; last year's commitment at 1 % of the
    helper's revenue and met, this year's short of it; three projects (样板村, 产业, 民生)
    carrying its money as 对口帮扶 fund entries. Returns the number of projects linked."""
    county = Area.objects.get(code=COUNTY[0])
    township = Area.objects.filter(parent=county, level=AreaLevel.TOWNSHIP).order_by("code").first()
    if township is None or HelpPairing.objects.filter(township=township).exists():
        return 0
    today = timezone.localdate()
    first, second = today.year - 1, today.year
    pairing = HelpPairing.objects.create(
        helper=HELPER,
        township=township,
        start=datetime.date(first, 1, 1),
        end=datetime.date(second, 12, 31),
        agreement="出人：选派6人工作队，区级领导任队长；出钱：每年不少于本区上年一般公共预算收入的1%；"
        "出成果：每村建成样板村，培育一个主导产业。",
    )
    for n, (name, role, position, leader) in enumerate(
        [
            ("钱振华", TeamRole.LEADER, "东湖区人民政府副区长", True),
            ("孙立新", TeamRole.MEMBER, "东湖区发改局副局长", False),
            ("李慧敏", TeamRole.MEMBER, "东湖区农业农村局干部", False),
            ("周志强", TeamRole.MEMBER, "东湖区卫健局干部", False),
            ("吴晓东", TeamRole.MEMBER, "东湖区教育局干部", False),
            ("郑海燕", TeamRole.MEMBER, "东湖区人社局干部", False),
        ]
    ):
        HelpTeamMember.objects.create(
            pairing=pairing,
            name=name,
            role=role,
            position=position,
            county_leader=leader,
            on_site_from=datetime.date(first, 3, 1 + n),
        )
    HelpYear.objects.create(pairing=pairing, year=first, revenue=380000, committed=3800)
    HelpYear.objects.create(pairing=pairing, year=second, revenue=400000, committed=3500)
    village = township.children.order_by("-is_poor", "code").first()
    unit_id = (
        UnitPairing.objects.filter(village=village).values_list("unit_id", flat=True).first()
        or Unit.objects.filter(area=county).order_by("pk").values_list("pk", flat=True).first()
    )
    manager = Cadre.objects.filter(unit_id=unit_id).order_by("pk").first()
    # (name, type, deliverable, 万元 in place last year, this year)
    plan = [
        (
            f"东湖区援建{village.name}样板村",
            ProjectType.INFRASTRUCTURE,
            Deliverable.MODEL_VILLAGE,
            1500,
            800,
        ),
        (
            f"东湖区帮扶{township.name}食用菌产业园",
            ProjectType.INDUSTRY,
            Deliverable.INDUSTRY,
            1800,
            900,
        ),
        (
            f"东湖区援建{township.name}村卫生室",
            ProjectType.PUBLIC_SERVICE,
            Deliverable.LIVELIHOOD,
            500,
            300,
        ),
    ]
    this_year = min(today, datetime.date(second, 6, 1))
    for name, kind, deliverable, last, now in plan:
        project = Project(
            name=name,
            project_type=kind,
            year=first,
            area=township,
            implementer=f"{township.name}人民政府",
            unit_id=unit_id,
            manager=manager,
            description="对口帮扶援建项目。",
            help_pairing=pairing,
            help_deliverable=deliverable,
        )
        project._history_user = by_user
        services.project_create(project=project, by=by_user)
        project.areas.set([village])
        FundEntry.objects.bulk_create(
            [
                FundEntry(
                    project=project,
                    source=FundSource.PAIRING,
                    kind=kind_,
                    amount=amount * 10000,
                    date=day,
                    recorded_by=by_user,
                )
                for kind_, amount, day in (
                    (FundKind.PLANNED, last + now, datetime.date(first, 3, 1)),
                    (FundKind.ALLOCATED, last, datetime.date(first, 6, 1)),
                    (FundKind.DISBURSED, last * 4 // 5, datetime.date(first, 11, 1)),
                    (FundKind.ALLOCATED, now, this_year),
                )
            ]
        )
    return len(plan)
