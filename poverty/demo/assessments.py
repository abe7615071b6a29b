"""The demo county's published half-year assessment of its townships (the six months that have
ended: the demo's work is dated from today): four indicators counted from the demo's own data
and one (工作作风) scored by two assessment groups, a few deductions and bonus points, and the
ranking published. Made once: a second run adds nothing."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assessments import services
from assessments.models import Group, Indicator, Scheme
from poverty.common.months import month_start
from poverty.demo.villages import COUNTY
from villages.models import Area

# The demo's registry exited its households by 2020, so its live work (findings, visits,
# milestones, project stages) is what this period's figures read; 脱贫任务完成率 is there for a
# county whose pledges set persons to exit.
INDICATORS = [
    ("督查问题整改", "findings_on_time", 30, 90, "按期销号率达90%得满分"),
    ("结对帮扶走访", "visit_coverage", 25, 90, "每月走访覆盖率达90%得满分"),
    ("重点工作推进", "key_tasks_on_time", 15, 100, "节点按期完成比例"),
    ("扶贫项目进度", "projects_on_plan", 20, 90, "项目节点按期完成率达90%得满分"),
    ("工作作风和群众满意度", "manual", 10, 100, "考评小组走访群众、查阅资料后评分"),
]
ADJUSTMENTS = [
    ("deduct", Decimal(2), "被市级暗访通报1次"),
    ("bonus", Decimal(1), "产业扶贫经验被市里推广"),
    ("deduct", Decimal(1), "扶贫资金拨付滞后"),
]


@dataclass
class AssessmentCounts:
    schemes: int = 0
    scores: int = 0


@transaction.atomic
def seed_assessment(*, seed: int = 2017, today: datetime.date | None = None) -> AssessmentCounts:
    county = Area.objects.get(code=COUNTY[0])
    if Scheme.objects.filter(area=county).exists():
        return AssessmentCounts()
    today = today or timezone.localdate()
    rng = random.Random(seed * 15485863)
    # The six months that have ended (the demo's work is dated from today).
    end = month_start(today) - datetime.timedelta(days=1)
    start = month_start(end - datetime.timedelta(days=160))
    until = f"{end.month}月" if end.year == start.year else f"{end.year}年{end.month}月"
    title = f"乡镇脱贫攻坚工作半年考核（{start.year}年{start.month}月至{until}）"
    staff = User.objects.get(username="county")
    scheme = Scheme.objects.create(
        area=county,
        title=title,
        assessee="township",
        start=start,
        end=end,
        note="实行百分制，自动计分指标按系统实时数据计算，工作作风由考评小组评分；另设加减分。",
    )
    for name, source, weight, full_at, rule in INDICATORS:
        Indicator.objects.create(
            scheme=scheme, name=name, source=source, weight=weight, full_at=full_at, rule=rule
        )
    townships = list(scheme.assessees())
    members = [User.objects.get(username="inspector"), User.objects.get(username="leader")]
    half = (len(townships) + 1) // 2
    for n, (member, share) in enumerate(
        zip(members, (townships[:half], townships[half:]), strict=True)
    ):
        group = Group.objects.create(scheme=scheme, name=f"第{'一二'[n]}考评组")
        group.members.add(member)
        group.areas.set(share)
        for township in share:
            services.score_manual(
                indicator=scheme.indicators.get(source="manual"),
                assessee=township,
                points=Decimal(rng.choice([7, 8, 8.5, 9, 9.5])).quantize(Decimal("0.1")),
                basis="走访群众20户，查阅扶贫档案，作风扎实、群众满意。",
                by=member,
            )
    for (kind, points, reason), township in zip(
        ADJUSTMENTS, rng.sample(townships, 3), strict=False
    ):
        member = next(
            m
            for m, share in zip(members, (townships[:half], townships[half:]), strict=True)
            if township in share
        )
        services.adjust(
            scheme=scheme, assessee=township, kind=kind, points=points, reason=reason, by=member
        )
    services.publish(scheme=scheme, by=staff)
    return AssessmentCounts(schemes=1, scores=scheme.indicators.count() * len(townships))
