"""The demo county's command structure (统一指挥): a leading group over a 总指挥部 with the five
五个一批 sub-commands, four work groups and a command in every township; the year's twelve key
tasks with their leaders and milestones (three behind plan); ten weeks of each township's weekly
dispatch (one township skipped the last two), with decisions done, open and overdue, carried
forward and followed up. Dated from today, so the demo always has a live picture. Made once: a
second run adds nothing."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from command import services
from command.choices import BodyKind, MemberRole
from command.models import Body, BodyMember, Decision, DispatchMeeting, KeyTask, MeetingAttendee
from inspections.models import Finding
from poverty.demo.villages import COUNTY, DEMO_TODAY_START
from villages.choices import AreaLevel
from villages.models import Area, Cadre, LeaderPairing, Unit

SUB_COMMANDS = [
    ("发展生产脱贫一批指挥部", ["县农业农村局", "县人力资源和社会保障局", "县农村商业银行"]),
    ("易地扶贫搬迁脱贫一批指挥部", ["县发展和改革局", "县住房和城乡建设局", "县自然资源局"]),
    ("生态补偿脱贫一批指挥部", ["县林业局", "县水利局"]),
    ("发展教育脱贫一批指挥部", ["县教育局", "县第一中学"]),
    ("社会保障兜底一批指挥部", ["县民政局", "县卫生健康局", "县医疗保障局", "县残疾人联合会"]),
]
WORK_GROUPS = ["综合协调组", "督查考核组", "资金项目组", "宣传报道组"]
# (title, the sub-command that owns it, the lead unit, milestones)
KEY_TASKS = [
    ("产业扶贫全覆盖", 0, "县农业农村局", ["制定产业到户规划", "产业项目全部开工", "产业奖补兑现"]),
    (
        "扶贫小额信贷应贷尽贷",
        0,
        "县农村商业银行",
        ["摸清贷款需求", "完成年度放贷", "到期贷款续贷收回"],
    ),
    (
        "就业扶贫和公益岗位",
        0,
        "县人力资源和社会保障局",
        ["技能培训开班", "公益岗位全部上岗", "转移就业台账核实"],
    ),
    (
        "易地扶贫搬迁后续扶持",
        1,
        "县发展和改革局",
        ["安置点配套设施完工", "搬迁户就业帮扶", "旧房拆除复垦"],
    ),
    ("农村危房改造清零", 1, "县住房和城乡建设局", ["危房鉴定复核", "改造全部开工", "竣工验收"]),
    ("农村饮水安全巩固提升", 2, "县水利局", ["水源工程开工", "管网延伸到户", "水质检测达标"]),
    ("生态护林员选聘", 2, "县林业局", ["选聘名额下达", "护林员培训上岗", "年度考核"]),
    ("控辍保学和教育资助", 3, "县教育局", ["春季学期资助发放", "辍学学生劝返", "秋季学期资助发放"]),
    ("健康扶贫“三个一批”", 4, "县卫生健康局", ["家庭医生签约全覆盖", "大病专项救治", "慢病卡办理"]),
    ("医疗保障参保全覆盖", 4, "县医疗保障局", ["参保缴费代缴", "一站式结算上线", "参保核查清零"]),
    ("兜底保障应保尽保", 4, "县民政局", ["低保对象动态调整", "特困供养核查", "临时救助台账"]),
    (
        "村集体经济消薄",
        0,
        "县农业农村局",
        ["逐村制定增收方案", "光伏收益分配", "集体收入全部达5万元"],
    ),
]
BEHIND = {2, 5, 9}  # the tasks whose third milestone slipped
DECISIONS = [
    "督促{village}两户危房改造户本周内进场施工",
    "核实{village}未参保人员名单，逐户动员缴费",
    "{village}产业奖补资料补充完善后报乡审核",
    "组织{village}公益岗位人员开展一次集中培训",
    "协调水利站解决{village}三个村民组季节性缺水",
    "对{village}超期未脱贫户逐户制定帮扶计划",
]
WEEKS = 10


@dataclass
class CommandCounts:
    bodies: int = 0
    tasks: int = 0
    behind: int = 0
    meetings: int = 0
    decisions: int = 0
    overdue: int = 0


@transaction.atomic
def seed_command(*, seed: int = 2017, today: datetime.date | None = None) -> CommandCounts:
    county = Area.objects.get(code=COUNTY[0])
    if Body.objects.filter(area=county).exists():
        return CommandCounts()  # idempotent: the demo is there already
    rng = random.Random(seed * 104729)
    today = today or timezone.localdate()
    staff = User.objects.get(username="county")
    counts = CommandCounts()
    units = {u.name: u for u in Unit.objects.filter(area=county)}
    leaders = list(Cadre.objects.filter(unit__area=county, is_leader=True).order_by("pk"))
    heads = {u.pk: _head_of(u) for u in units.values()}
    townships = list(county.children.filter(level=AreaLevel.TOWNSHIP).order_by("code"))

    group = _body(
        county,
        "脱贫攻坚领导小组",
        BodyKind.LEADING_GROUP,
        None,
        0,
        [(leaders[0], MemberRole.CHAIR)],
    )
    hq = _body(
        county,
        "脱贫攻坚行动总指挥部",
        BodyKind.HEADQUARTERS,
        group,
        1,
        [
            (leaders[1], MemberRole.CHAIR),
            (leaders[3], MemberRole.VICE_CHAIR),
            (heads[units["县扶贫开发办公室"].pk], MemberRole.OFFICE_HEAD),
        ],
    )
    hq.units.set(units.values())
    subs = []
    for n, (name, unit_names) in enumerate(SUB_COMMANDS):
        chair = leaders[4 + n % (len(leaders) - 4)]
        members = [(chair, MemberRole.CHAIR)] + [
            (heads[units[u].pk], MemberRole.MEMBER) for u in unit_names
        ]
        body = _body(county, name, BodyKind.SUB_COMMAND, hq, 10 + n, members)
        body.units.set([units[u] for u in unit_names])
        subs.append(body)
    for n, name in enumerate(WORK_GROUPS):
        office = units["县扶贫开发办公室"]
        staff_of = list(office.cadres.filter(is_leader=False).order_by("pk")[n : n + 2])
        _body(
            county,
            name,
            BodyKind.WORK_GROUP,
            hq,
            20 + n,
            [(staff_of[0], MemberRole.CHAIR)] + [(c, MemberRole.MEMBER) for c in staff_of[1:]],
        )
    for n, township in enumerate(townships):
        people = list(Cadre.objects.filter(unit__area=township, is_leader=True).order_by("pk"))
        if people:
            body = _body(
                township,
                f"{township.name}脱贫攻坚指挥部",
                BodyKind.HEADQUARTERS,
                hq,
                30 + n,
                [(people[0], MemberRole.CHAIR)] + [(c, MemberRole.VICE_CHAIR) for c in people[1:]],
            )
            body.areas.set([township])
    counts.bodies = Body.objects.filter(area__code__startswith=COUNTY[0][:6]).count()

    counts.tasks, counts.behind = _key_tasks(rng, county, subs, units, heads, leaders, staff, today)
    counts.meetings, counts.decisions = _dispatch(rng, townships, staff, today)
    counts.overdue = Decision.objects.under([county.code]).overdue(today).count()
    return counts


def _head_of(unit: Unit) -> Cadre:
    """A unit's head for the demo: its most senior-sounding cadre, else its first."""
    cadres = list(unit.cadres.order_by("pk"))
    for title in ("局长", "主任", "副局长", "科长"):
        for cadre in cadres:
            if cadre.position == title:
                return cadre
    return cadres[0]


def _body(area, name, kind, parent, sort, members) -> Body:
    body = Body.objects.create(area=area, name=name, kind=kind, parent=parent, sort=sort)
    seen = set()
    for cadre, role in members:
        if cadre.pk in seen:
            continue
        seen.add(cadre.pk)
        BodyMember.objects.create(body=body, cadre=cadre, role=role, start_date=DEMO_TODAY_START)
    return body


def _key_tasks(rng, county, subs, units, heads, leaders, staff, today) -> tuple[int, int]:
    year = today.year
    # Milestones spread back from the year's deadline (倒排工期): two behind us, one just past,
    # the deadline a few weeks ahead.
    deadline = max(today + datetime.timedelta(days=40), datetime.date(year, 12, 31))
    planned = [
        today - datetime.timedelta(days=200),
        today - datetime.timedelta(days=100),
        today - datetime.timedelta(days=12),
    ]
    for n, (title, sub, unit_name, steps) in enumerate(KEY_TASKS, start=1):
        unit = units[unit_name]
        task = KeyTask.objects.create(
            area=county,
            year=year,
            number=n,
            title=title,
            target=f"{year}年底前完成{title}各项目标任务，经得起第三方评估检验。",
            body=subs[sub],
            lead=leaders[1 + n % (len(leaders) - 1)],
            guarantor=leaders[(n + 3) % len(leaders)],
            lead_unit=unit,
            head=heads[unit.pk],
            deadline=deadline,
        )
        task.units.set(rng.sample(list(units.values()), 2))
        milestones = [
            task.milestones.create(title=step, planned=day)
            for step, day in zip(steps, planned, strict=True)
        ]
        for k, milestone in enumerate(milestones):
            if k == 2 and n - 1 in BEHIND:
                services.report_progress(
                    task=task,
                    by=staff,
                    text=f"“{milestone.title}”受资金到位影响尚未完成，正在协调。",
                    percent=55,
                    on=milestone.planned - datetime.timedelta(days=3),
                )
                continue
            services.report_progress(
                task=task,
                by=staff,
                text=f"已完成“{milestone.title}”，资料已归档。",
                percent=30 * (k + 1),
                milestone=milestone,
                on=milestone.planned - datetime.timedelta(days=rng.randint(0, 6)),
            )
    behind = KeyTask.objects.filter(area=county, year=year).behind(today).count()
    return len(KEY_TASKS), behind


def _dispatch(rng, townships, staff, today) -> tuple[int, int]:
    """Every township's weekly 调度会 over the last ten weeks, held on Mondays by its 包联
    county leader; the last township skipped the last two weeks."""
    monday = today - datetime.timedelta(days=today.weekday())
    meetings = decisions = 0
    for t, township in enumerate(townships):
        pairing = (
            LeaderPairing.objects.active(today)
            .filter(area=township)
            .select_related("leader")
            .first()
        )
        people = list(Cadre.objects.filter(unit__area=township).order_by("pk")[:6])
        if pairing is None or not people:
            continue
        villages = list(township.children.order_by("code"))
        findings = list(Finding.objects.under([township.code]).unclosed().order_by("deadline")[:3])
        skip = 2 if t == len(townships) - 1 else 0
        for week in range(WEEKS, skip, -1):
            held = monday - datetime.timedelta(weeks=week - 1)
            if held > today:
                continue
            meeting = DispatchMeeting.objects.create(
                area=township,
                held_on=held,
                topic="脱贫攻坚工作周调度会",
                convener=pairing.leader,
                place=f"{township.name}政府会议室",
                summary="听取各村脱贫攻坚工作进展，研究解决存在的问题。",
                recorded_by=staff,
            )
            meetings += 1
            for k, cadre in enumerate(people):
                absent = k == len(people) - 1 and week % 3 == 0
                MeetingAttendee.objects.create(
                    meeting=meeting,
                    cadre=cadre,
                    present=not absent,
                    note="下村入户" if absent else "",
                )
            if findings:
                meeting.findings.set(findings[: 1 + week % 2])
            carried = list(Decision.objects.carried_to(meeting).select_related("meeting"))
            notes = {}
            for d in carried:
                due = d.deadline < held
                done = rng.random() < (0.8 if due else 0.35)
                notes[d.pk] = ("已按要求完成。" if done else "正在推进，本周跟进。", done)
            if notes:
                services.record_follow_ups(meeting=meeting, by=staff, notes=notes)
            for k in range(1 + (week % 2)):
                village = villages[(week + k) % len(villages)] if villages else township
                Decision.objects.create(
                    meeting=meeting,
                    area=village,
                    text=rng.choice(DECISIONS).format(village=village.name),
                    owner=people[(week + k) % len(people)],
                    deadline=held + datetime.timedelta(days=rng.choice([5, 7, 10, 14])),
                )
                decisions += 1
    return meetings, decisions
