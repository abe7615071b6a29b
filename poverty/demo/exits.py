"""The demo's 出列 and 摘帽: the province's village standard for each year 2016–2020 (the
national rule: 贫困发生率 below 2 %, and 通硬化路, 通动力电, 卫生室与村医, 集体经济收入 of at least
5 万元, 宽带, 安全饮水) and its county standard for 2020 (贫困发生率 and 三率一度); the readings
of every poor village, with a few gaps; the county itself poor, planned to exit in 2020, and its October rehearsal (第三方评估预评估)
completed with two households found wrongly exited, now findings. Two of the remaining villages
miss 出列 only on 卫生室, some are ready (one with its procedure under way), and the county misses
摘帽 on 错退率 alone. Made once: a second run adds nothing."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from exits import services
from exits.choices import GUARANTEES, Stratum
from exits.models import Item, Reading, Rehearsal, Standard, Survey
from exits.rehearsal import rehearsal_close, rehearsal_draw, survey_record
from exits.selectors import evaluate
from households.models import PovertyLine
from poverty.dashboard.stats import exit_statistics
from poverty.demo.names import person_name
from poverty.demo.villages import COUNTY
from villages.models import Area

VILLAGE_ITEMS = [
    ("贫困发生率", "poverty_rate", "2", "%", "剩余贫困人口占农业户籍人口的比例"),
    ("通硬化路", "yes", None, "", "行政村通硬化路"),
    ("通动力电", "yes", None, "", "行政村通动力电"),
    ("卫生室与村医", "yes", None, "", "有标准化卫生室和合格村医"),
    ("集体经济收入", "at_least", "5", "万元", "村集体经济年收入"),
    ("宽带网络", "yes", None, "", "行政村通宽带"),
    ("安全饮水", "yes", None, "", "农户饮水安全有保障"),
]
COUNTY_ITEMS = [
    ("贫困发生率", "poverty_rate", "2", "%", "综合贫困发生率"),
    ("错退率", "wrong_exit_rate", "2", "%", "预评估抽样：错误退出人口 ÷ 抽查退出人口"),
    ("漏评率", "missed_rate", "2", "%", "预评估抽样：漏评贫困人口 ÷ 调查非建档立卡人口"),
    ("群众认可度", "satisfaction", "90", "%", "预评估抽样：认可户 ÷ 作答户"),
]
FINAL_YEAR = 2020
# The October rehearsal: ten villages; two exited households found below the line (错退).
REHEARSAL_SEED = 20201015
WRONGLY_EXITED = 2


@dataclass
class ExitCounts:
    standards: int = 0
    readings: int = 0
    ready: int = 0
    rehearsal_errors: int = 0


def _rehearse(county: Area, by) -> int:
    """The October rehearsal, drawn, answered and completed: every questionnaire good but two
    exited households below the line, three non-registered households met in each village;
    the errors become findings. Returns their number (none without the year's line to judge
    by)."""
    if not PovertyLine.objects.filter(year=FINAL_YEAR).exists():
        return 0
    rehearsal = Rehearsal.objects.create(
        area=county,
        year=FINAL_YEAR,
        title=f"{FINAL_YEAR}年第三方评估预评估（10月）",
        villages_wanted=10,
        exited_per_village=5,
        remaining_per_village=3,
        others_per_village=3,
        seed=REHEARSAL_SEED,
        note="按国家第三方评估办法抽样，县扶贫办和督查人员交叉入户。",
    )
    rehearsal_draw(rehearsal=rehearsal, by=by)
    rng = random.Random(REHEARSAL_SEED)
    wrong = 0
    surveys = Survey.objects.filter(rehearsal=rehearsal).order_by(
        "village__code", "stratum", "slot"
    )
    for n, survey in enumerate(surveys):
        answers = dict.fromkeys(GUARANTEES, True)
        income = Decimal(rng.randint(4800, 9800))
        if survey.stratum == Stratum.EXITED and wrong < WRONGLY_EXITED and n % 7 == 3:
            income, wrong = Decimal(3600), wrong + 1  # below 2020's 4,000
        if survey.stratum == Stratum.OTHER:
            answers.update(
                head_name=person_name(rng, double=0.7),
                address=f"{survey.village.name}{rng.randint(1, 9)}组",
                persons=rng.randint(2, 6),
                satisfied=None,
            )
        else:
            answers["satisfied"] = rng.random() < 0.96
        survey_record(
            survey=survey,
            by=by,
            surveyed_on=datetime.date(FINAL_YEAR, 10, 12 + n % 10),
            persons=answers.pop("persons", survey.persons or 1),
            income=income,
            note="入户核实收入台账和两不愁三保障情况。",
            **answers,
        )
    rehearsal_close(rehearsal=rehearsal, by=by, today=datetime.date(FINAL_YEAR, 10, 31))
    return wrong


def _standard(province: Area, level: str, year: int, items) -> Standard:
    label = "贫困村出列" if level == "village" else "贫困县摘帽"
    standard = Standard.objects.create(
        area=province,
        level=level,
        year=year,
        title=f"{year}年{label}标准",
        note="依据《关于建立贫困退出机制的意见》（2016年）和省贫困退出实施办法。",
    )
    for sort, (name, kind, threshold, unit, note) in enumerate(items, 1):
        Item.objects.create(
            standard=standard,
            name=name,
            kind=kind,
            threshold=Decimal(threshold) if threshold else None,
            unit=unit,
            note=note,
            sort=sort,
        )
    return standard


def _reading(item: Item, area: Area, by, *, met=True, value=None, note="") -> Reading:
    return Reading(
        item=item,
        area=area,
        met=met if item.kind == "yes" else None,
        value=value if item.kind != "yes" else None,
        note=note or "乡镇会同行业部门入村核实。",
        recorded_by=by,
    )


@transaction.atomic
def seed_exits() -> ExitCounts:
    county = Area.objects.get(code=COUNTY[0])
    province = Area.objects.get(code=COUNTY[0][:2] + "0000000000")
    if Standard.objects.filter(area=province).exists():
        return ExitCounts()
    staff = User.objects.get(username="county")
    township = User.objects.get(username="township")
    counts = ExitCounts()
    village_standards = {
        year: _standard(province, "village", year, VILLAGE_ITEMS) for year in range(2016, 2021)
    }
    _standard(province, "county", FINAL_YEAR, COUNTY_ITEMS)
    counts.standards = len(village_standards) + 1

    poor = list(
        Area.objects.filter(is_poor=True, level="village", code__startswith=county.code[:6])
    )
    exited = [v for v in poor if v.actual_exit_year]
    # The villages still to go out in the final year, by their incidence rate then: the lowest
    # are ready, the next two miss only their clinic.
    remaining = sorted(
        (v for v in poor if not v.actual_exit_year),
        key=lambda v: (exit_statistics(v, FINAL_YEAR, children=[])["incidence_rate"] or 1, v.code),
    )
    rows = []
    for village in exited:
        standard = village_standards.get(village.actual_exit_year)
        for item in standard.items.all() if standard else ():
            if item.is_recorded:
                rows.append(_reading(item, village, staff, value=Decimal("6.80")))
    final = village_standards[FINAL_YEAR]
    for n, village in enumerate(remaining):
        for item in final.items.all():
            if not item.is_recorded:
                continue
            if n in (2, 3) and item.name == "卫生室与村医":
                rows.append(
                    _reading(item, village, staff, met=False, note="卫生室在建，村医未到岗。")
                )
            elif n == 4 and item.name == "集体经济收入":
                rows.append(_reading(item, village, staff, value=Decimal("3.20")))
            elif n == 5 and item.name == "宽带网络":
                continue  # not yet verified: 待核实
            else:
                rows.append(_reading(item, village, staff, value=Decimal("5.60")))
    Reading.objects.bulk_create(rows)
    counts.readings = len(rows)

    county.is_poor, county.planned_exit_year = True, FINAL_YEAR
    county.save(update_fields=["is_poor", "planned_exit_year"])
    counts.rehearsal_errors = _rehearse(county, staff)

    # The readiest village's procedure is under way: proposed and reviewed (by its township's
    # account where the demo has one for it). A county grown large (bench/work.py's 100,000
    # households) has no village ready: its procedure waits.
    if remaining and evaluate(remaining[0], FINAL_YEAR).met:
        first = remaining[0]
        by = township if township.areas.filter(pk=first.parent_id).exists() else staff
        services.exit_step(
            area=first, year=FINAL_YEAR, step="propose", by=by, note="村民代表大会评议通过。"
        )
        services.exit_step(
            area=first, year=FINAL_YEAR, step="review", by=by, note="乡镇审核同意，报县审定。"
        )
        counts.ready = 2
    return counts
