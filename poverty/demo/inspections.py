"""Demo accountability for the fictional county: pledges whose targets sit near what the demo
registry achieved (some met, some not), inspections over the last months with findings in every
state (some overdue, one sanctioned) and last month's notices.

Built through the services, so the demo obeys the rules: plans before submissions, evidence
with every submission, verification by the inspector, never by the submitter.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from households.models import Household
from inspections import services
from inspections.choices import Category, InspectionKind, Metric, PledgeKind, Severity, Subject
from inspections.models import Accountability, Finding, Inspection, Pledge, PledgeTarget
from inspections.notices import make_notices
from inspections.progress import actual
from poverty.common.months import previous_month
from poverty.demo.villages import COUNTY
from projects.models import Project
from villages.choices import AreaLevel
from villages.models import Area, Cadre, UnitPairing

PLEDGE_YEARS = (2019, 2020)
# One evidence "photo" for every submission (a tiny valid JPEG header is enough for the demo).
EVIDENCE = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00demo\xff\xd9"

PROBLEMS = {
    Category.IDENTIFICATION: "{h}户家庭有在外务工收入未纳入核算，识别依据不充分。",
    Category.RESIDENT_TEAM: "{v}驻村工作队员在岗天数不足，驻村日志记录不全。",
    Category.FUNDS: "{v}产业奖补资金拨付滞后，未按时兑现到户。",
    Category.PROJECTS: "“{p}”未按倒排工期推进，进度滞后。",
    Category.MOTIVATION: "{v}“扶志”宣讲活动流于形式，群众知晓率低。",
    Category.EXIT: "{h}户退出程序资料不全，缺少户签字确认。",
    Category.RESULTS: "{v}贫困户对帮扶成效满意度偏低。",
    Category.CONDUCT: "{u}帮扶干部入户走访不实，帮扶手册填写与实际不符。",
}
TARGET_METRICS = (
    Metric.PERSONS_EXITED,
    Metric.HOUSEHOLDS_EXITED,
    Metric.VILLAGES_EXITED,
    Metric.INCIDENCE_AT_MOST,
)


@dataclass
class AccountabilityCounts:
    pledges: int = 0
    inspections: int = 0
    findings: int = 0
    overdue: int = 0
    notices: int = 0


@transaction.atomic
def seed_accountability(*, seed: int = 2017) -> AccountabilityCounts:
    county = Area.objects.get(code=COUNTY[0])
    if Inspection.objects.filter(area=county).exists():
        return AccountabilityCounts()  # idempotent: the demo is there already
    rng = random.Random(seed * 7919)
    today = timezone.localdate()
    staff = User.objects.get(username="county")
    inspector = User.objects.get(username="inspector")
    counts = AccountabilityCounts()
    townships = list(county.children.filter(level=AreaLevel.TOWNSHIP).order_by("code"))
    counts.pledges = _pledges(rng, county, townships, today)
    counts.inspections, findings = _inspections(rng, county, townships, today, staff, inspector)
    counts.findings = len(findings)
    counts.overdue = Finding.objects.filter(pk__in=[f.pk for f in findings]).overdue().count()
    results = make_notices(previous_month(today), today=today)
    counts.notices = sum(r.unit_notices + 1 for r in results if r.created)
    return counts


def _target(rng, metric: str, area: Area, year: int) -> Decimal | None:
    """A target near what the registry reached: about one pledge in three falls short."""
    reached = actual(metric, area, year)
    if reached is None:
        return None
    if metric == Metric.INCIDENCE_AT_MOST:
        return max(
            (reached * Decimal(rng.choice([0.8, 1.1, 1.5, 2]))).quantize(Decimal("0.1")),
            Decimal("0.5"),
        )
    factor = rng.choice([0.8, 0.9, 1.0, 1.0, 1.1, 1.25])
    return Decimal(max(round(float(reached) * factor), 1 if reached else 0))


def _pledges(rng, county: Area, townships: list[Area], today: datetime.date) -> int:
    made = 0
    secretaries = {t.pk: _leader(t) for t in townships}
    # The campaign years' exit targets, and this year's 巩固 pledge on projects and findings.
    for year in (*PLEDGE_YEARS, today.year):
        for township in townships:
            pledge = Pledge.objects.create(
                kind=PledgeKind.COUNTY_TOWNSHIP,
                year=year,
                area=township,
                pledger=f"{township.name}党委书记 {secretaries[township.pk]}",
                recipient=f"{county.name}委、县人民政府",
                signed_on=datetime.date(year, 1, rng.randint(8, 28)),
                content="确保年度减贫任务全面完成，贫困村按期退出，督查问题按期整改销号。",
            )
            current = year == today.year
            _targets(rng, pledge, year, metrics=() if current else TARGET_METRICS, projects=current)
            made += 1
    # 军令状 of the first township's poor villages, and one pairing pledge to a household.
    first = townships[0]
    for village in first.children.filter(is_poor=True).order_by("code"):
        year = village.actual_exit_year or village.planned_exit_year or PLEDGE_YEARS[-1]
        pledge = Pledge.objects.create(
            kind=PledgeKind.TOWNSHIP_VILLAGE,
            year=year,
            area=village,
            pledger=f"{village.name}党支部书记、第一书记",
            recipient=f"{first.name}党委、政府",
            signed_on=datetime.date(year, 2, rng.randint(1, 20)),
            content="军令状：贫困村当年退出，贫困户应退尽退。",
        )
        PledgeTarget.objects.create(pledge=pledge, metric=Metric.VILLAGES_EXITED, target=1)
        _targets(rng, pledge, year, metrics=(Metric.HOUSEHOLDS_EXITED,))
        made += 1
    household = (
        Household.objects.filter(village__parent=first, exit_year__isnull=False)
        .order_by("code")
        .first()
    )
    pairing = (
        UnitPairing.objects.filter(village=household.village).select_related("unit").first()
        if household
        else None
    )
    if pairing:
        Pledge.objects.create(
            kind=PledgeKind.UNIT_HOUSEHOLD,
            year=household.exit_year,
            area=household.village,
            household=household,
            pledger=f"{pairing.unit.name}帮扶责任人",
            pledger_unit=pairing.unit,
            recipient=f"{household.village.name}村委会",
            signed_on=datetime.date(household.exit_year, 3, 1),
            content="一对一结对帮扶，确保该户当年稳定脱贫。",
        )
        made += 1
    return made


def _targets(rng, pledge: Pledge, year: int, *, metrics=TARGET_METRICS, projects=False) -> None:
    for metric in metrics:
        target = _target(rng, metric, pledge.area, year)
        if target:  # no figure (no rural population) or nothing to do: no target
            PledgeTarget.objects.create(pledge=pledge, metric=metric, target=target)
    if projects:
        under_way = Project.objects.filter(area=pledge.area, year=year).count()
        PledgeTarget.objects.create(
            pledge=pledge, metric=Metric.PROJECTS_REACHED, target=max(under_way, 1), stage=3
        )
        PledgeTarget.objects.create(pledge=pledge, metric=Metric.FINDINGS_CLOSED, target=5)


def _leader(area: Area) -> str:
    cadre = Cadre.objects.filter(unit__area=area, is_leader=True).order_by("pk").first()
    return cadre.name if cadre else "（待定）"


INSPECTIONS = [
    # (kind, title, days ago it started, days it lasted)
    (InspectionKind.UNANNOUNCED, "脱贫攻坚“回头看”暗访", 80, 3),
    (InspectionKind.SPECIAL, "扶贫资金使用专项督查", 55, 5),
    (InspectionKind.HOME_CHECK, "贫困户入户核查", 30, 4),
    (InspectionKind.THIRD_PARTY, "第三方评估反馈问题", 12, 2),
]


def _inspections(rng, county, townships, today, staff, inspector):
    villages = list(Area.objects.filter(parent__in=townships).order_by("code"))
    paired = dict(UnitPairing.objects.values_list("village_id", "unit_id"))
    government = {t.pk: t.units.filter(kind="township_government").first() for t in townships}
    projects = list(Project.objects.filter(area__in=townships).order_by("pk"))
    cadre_user = User.objects.filter(username="cadre").select_related("cadre").first()
    findings: list[Finding] = []
    for kind, title, ago, days in INSPECTIONS:
        start = today - datetime.timedelta(days=ago)
        inspection = Inspection.objects.create(
            kind=kind,
            title=f"{start.year}年{title}",
            area=county,
            leader="县委副书记",
            team="县扶贫督查局、县纪委监委派员",
            start_date=start,
            end_date=start + datetime.timedelta(days=days),
            summary="采取不打招呼、直奔基层、直插现场的方式，随机抽查乡镇、村和贫困户。",
            recorded_by=inspector,
        )
        inspection.areas.set(rng.sample(townships, 3))
        for _ in range(rng.randint(8, 12)):
            findings.append(
                _finding(rng, inspection, villages, paired, government, projects, start, today)
            )
    _rectify(rng, findings, today, staff, inspector)
    # The demo first secretary answers for one finding due in two days (a reminder today).
    if cadre_user and cadre_user.cadre:
        village = cadre_user.areas.first()
        findings.append(
            Finding.objects.create(
                inspection=inspection,
                category=Category.RESIDENT_TEAM,
                subject=Subject.VILLAGE,
                area=village,
                description=f"{village.name}驻村工作队考勤制度未上墙，队员轮换未报备。",
                unit=cadre_user.cadre.unit,
                person=cadre_user.cadre,
                found_on=inspection.start_date,
                deadline=today + datetime.timedelta(days=2),
                recorded_by=inspector,
            )
        )
    return len(INSPECTIONS), findings


def _finding(rng, inspection, villages, paired, government, projects, start, today) -> Finding:
    village = rng.choice(villages)
    category = rng.choice(list(PROBLEMS))
    subject, extra = Subject.VILLAGE, {}
    household = None
    if category in (Category.IDENTIFICATION, Category.EXIT):
        pks = list(
            Household.objects.filter(village=village).order_by("pk").values_list("pk", flat=True)
        )
        household = Household.objects.get(pk=rng.choice(pks)) if pks else None
    if household is not None:
        subject, extra = Subject.HOUSEHOLD, {"household": household}
    project = rng.choice(projects) if category == Category.PROJECTS and projects else None
    if project is not None:
        subject, extra = Subject.PROJECT, {"project": project}
        village = project.area
    township_id = village.parent_id if village.level == AreaLevel.VILLAGE else village.pk
    # The village's paired unit answers for half the findings, the township for the rest.
    unit_id = paired.get(village.pk) if rng.random() < 0.5 else None
    unit_id = unit_id or government[township_id].pk
    person = Cadre.objects.filter(unit_id=unit_id).order_by("pk").first()
    found = start + datetime.timedelta(days=rng.randint(0, 2))
    deadline = found + datetime.timedelta(days=rng.choice([15, 30, 30, 45, 60]))
    text = PROBLEMS[category].format(
        v=village.name,
        h=household.code if household else village.name,
        p=project.name if project else "",
        u=village.name,
    )
    return Finding.objects.create(
        inspection=inspection,
        category=category,
        severity=rng.choice([Severity.MINOR] * 3 + [Severity.SERIOUS, Severity.GRAVE]),
        subject=subject,
        area=village,
        description=text,
        requirement="立行立改，举一反三，限期整改到位并报送佐证材料。",
        unit_id=unit_id,
        person=person,
        found_on=found,
        deadline=deadline,
        recorded_by=inspection.recorded_by,
        **extra,
    )


def _rectify(rng, findings: list[Finding], today, staff, inspector) -> None:
    """Move each finding to a state: about a third closed, the rest open, in hand or submitted."""
    this_month = today.replace(day=1)
    for finding in findings:
        roll = rng.random()
        if finding.deadline > today + datetime.timedelta(days=1) and roll < 0.25:
            continue  # 待整改
        services.finding_plan_record(
            finding=finding, by=staff, plan="制定整改方案，明确责任人和完成时限，逐项销号。"
        )
        if roll < 0.35:
            services.finding_progress_record(finding=finding, by=staff, note="已完成主要整改内容。")
            continue  # 整改中
        services.finding_submit(
            finding=finding,
            by=staff,
            note="整改完成，附现场照片。",
            file=ContentFile(EVIDENCE, name="整改照片.jpg"),
        )
        if roll < 0.5:
            continue  # 待验收
        if roll < 0.6:
            services.finding_reject(finding=finding, by=inspector, note="佐证材料不充分，请补充。")
            continue  # 退回后整改中
        closed = min(finding.found_on + datetime.timedelta(days=rng.randint(10, 70)), today)
        if finding.found_on < this_month <= closed:
            # Last month's notices are made as on the 1st: what they list was still open then.
            closed = this_month - datetime.timedelta(days=rng.randint(1, 5))
            closed = max(closed, finding.found_on)
        services.finding_close(
            finding=finding, by=inspector, note="经核查，整改到位，同意销号。", today=closed
        )
    late = (
        Finding.objects.filter(pk__in=[f.pk for f in findings])
        .overdue(today)
        .order_by("deadline")
        .first()
    )
    if late is not None:
        Accountability.objects.create(
            finding=late,
            kind="talk",
            person=late.person.name if late.person_id else late.unit.name,
            unit=late.unit,
            decided_on=today,
            document=f"扶督〔{today.year}〕1号",
            reason="督查问题逾期未整改到位。",
        )
