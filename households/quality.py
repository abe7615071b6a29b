"""Data-quality rules (精准识别 疑点数据): one engine, each rule a small named function.

`find_issues(households)` loads what the rules read for a set of households in a fixed number
of queries and runs every rule; `sync_issues(...)` turns the hits into the QualityIssue
worklist: new hits open, hits that were marked fixed but came back reopen, explained ones
stay explained, and open ones that no longer hit are closed as fixed. The web page, the
nightly job and `manage.py check_quality` all call `check_quality`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from poverty.common.geo import distance_m, distance_text
from poverty.personal import crypto, idnumber

from . import readiness
from .choices import (
    CAUSE_MEASURES,
    SCHOOLING_MAX_AGE,
    SCHOOLING_MIN_AGE,
    STUDENT_SCHOOLING,
    Cause,
    Health,
    HouseholdStatus,
    LabourSkill,
    QualityStatus,
    Relation,
)
from .models import (
    AssistanceMeasure,
    HouseholdPairing,
    Member,
    QualityIssue,
    Visit,
)

# A household cadres must follow with no visit for this long is a 疑点 (the work page lists a
# paired household far sooner: settings.NO_VISIT_DAYS).
NO_VISIT_DAYS = 90
# Visits of the last VISIT_CHECK_DAYS are checked for where and when they were recorded: more
# than VISIT_FAR_M from the village's reference point (beyond the phone's stated accuracy),
# between ODD_HOURS (Asia/Shanghai), or one of more than VISITS_PER_DAY_MAX by a cadre in a day.
VISIT_CHECK_DAYS = 90
VISIT_FAR_M = 3000
ODD_HOURS = (22, 6)
VISITS_PER_DAY_MAX = 15


@dataclass(frozen=True)
class Hit:
    household_id: int
    detail: str
    member_id: int | None = None


@dataclass
class Data:
    """What the rules read, loaded once for the households under check."""

    today: datetime.date
    households: dict[int, dict]
    members: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))
    numbers: dict[int, str] = field(default_factory=dict)  # member id -> plain ID number
    measures: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    paired: set[int] = field(default_factory=set)
    last_visit: dict[int, datetime.date] = field(default_factory=dict)
    # Exited households' criteria short of the standard of their exit year.
    exit_gaps: dict[int, list[str]] = field(default_factory=dict)
    cadre_hashes: dict[str, str] = field(default_factory=dict)  # id hash -> cadre name
    recent_visits: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))
    visits_per_cadre_day: dict[tuple[int, datetime.date], int] = field(default_factory=dict)

    def age(self, member: dict) -> int:
        b, d = member["birth_date"], self.today
        return d.year - b.year - ((d.month, d.day) < (b.month, b.day))

    def is_active(self, household: dict) -> bool:
        """Still assisted, or exited but under monitoring: the households cadres must follow."""
        return household["status"] != HouseholdStatus.EXITED or bool(household["monitoring_type"])


@dataclass(frozen=True)
class Rule:
    code: str
    description: str
    check: Callable[[Data], Iterable[Hit]]


RULES: dict[str, Rule] = {}


def rule(code: str, description: str):
    def register(fn: Callable[[Data], Iterable[Hit]]):
        RULES[code] = Rule(code, description, fn)
        return fn

    return register


def legacy_to_18(number: str) -> str:
    """The 18-digit form of a 15-digit number (GB 11643: insert 19, add the check digit)."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + idnumber.check_char(first17)


def duplicate_numbers(numbers: Iterable[tuple[object, str]]) -> dict[str, list[object]]:
    """Keys sharing one person's number (15-digit legacy numbers count as their 18-digit form).

    Shared with the roster import, which checks the rows of a file the same way.
    """
    seen: dict[str, list[object]] = defaultdict(list)
    for key, number in numbers:
        number = idnumber.normalize(number)
        if idnumber.LEGACY.match(number):
            number = legacy_to_18(number)
        seen[number].append(key)
    return {n: keys for n, keys in seen.items() if len(keys) > 1}


@rule("id_duplicate", "证件号码重复（同一人登记两次，含15位旧号码）")
def id_duplicate(data: Data) -> Iterator[Hit]:
    members = {m["id"]: m for ms in data.members.values() for m in ms}
    for _, ids in duplicate_numbers(data.numbers.items()).items():
        for member_id in ids:
            m = members[member_id]
            others = [members[o]["name"] for o in ids if o != member_id]
            yield Hit(m["household_id"], f"{m['name']}与{'、'.join(others)}证件号码相同", member_id)


@rule("id_invalid", "证件号码校验位错误或为15位旧号码")
def id_invalid(data: Data) -> Iterator[Hit]:
    for ms in data.members.values():
        for m in ms:
            number = data.numbers.get(m["id"], "")
            try:
                idnumber.parse(number, today=data.today)
            except ValidationError as exc:
                reason = exc.messages[0]
                yield Hit(m["household_id"], f"{m['name']}：{reason}", m["id"])


@rule("id_mismatch", "性别或出生日期与证件号码不符")
def id_mismatch(data: Data) -> Iterator[Hit]:
    for ms in data.members.values():
        for m in ms:
            number = data.numbers.get(m["id"], "")
            if not idnumber.SHAPE.match(number):
                continue
            birth = idnumber.birth_date_of(number)
            gender = "male" if int(number[16]) % 2 else "female"
            wrong = []
            if birth and birth != m["birth_date"]:
                wrong.append("出生日期")
            if gender != m["gender"]:
                wrong.append("性别")
            if wrong:
                yield Hit(
                    m["household_id"], f"{m['name']}的{'、'.join(wrong)}与证件号码不符", m["id"]
                )


@rule("head_count", "户主不是恰好一人")
def head_count(data: Data) -> Iterator[Hit]:
    for hid in data.households:
        heads = sum(1 for m in data.members.get(hid, ()) if m["relation"] == Relation.HEAD)
        if heads != 1:
            yield Hit(hid, f"该户有{heads}名户主")


@rule("head_spouse_gender", "户主与配偶性别相同")
def head_spouse_gender(data: Data) -> Iterator[Hit]:
    for hid, ms in data.members.items():
        heads = [m for m in ms if m["relation"] == Relation.HEAD]
        for spouse in (m for m in ms if m["relation"] == Relation.SPOUSE):
            if heads and heads[0]["gender"] == spouse["gender"]:
                yield Hit(
                    hid, f"户主{heads[0]['name']}与配偶{spouse['name']}性别相同", spouse["id"]
                )


@rule("schooling_missing", "6至23岁未填写在校生状况")
def schooling_missing(data: Data) -> Iterator[Hit]:
    for ms in data.members.values():
        for m in ms:
            if 6 <= data.age(m) <= 23 and not m["schooling"]:
                yield Hit(
                    m["household_id"], f"{m['name']}（{data.age(m)}岁）未填在校生状况", m["id"]
                )


@rule("schooling_age", "在校生状况与年龄不符")
def schooling_age(data: Data) -> Iterator[Hit]:
    for ms in data.members.values():
        for m in ms:
            level, age = m["schooling"], data.age(m)
            too_young = level in SCHOOLING_MIN_AGE and age < SCHOOLING_MIN_AGE[level]
            too_old = level in SCHOOLING_MAX_AGE and age > SCHOOLING_MAX_AGE[level]
            if too_young or too_old:
                label = dict(Member._meta.get_field("schooling").choices)[level]
                yield Hit(m["household_id"], f"{m['name']}{age}岁，在校生状况为{label}", m["id"])


@rule("labour_missing", "16至65岁未填写劳动技能")
def labour_missing(data: Data) -> Iterator[Hit]:
    for ms in data.members.values():
        for m in ms:
            if 16 <= data.age(m) <= 65 and not m["labour_skill"]:
                yield Hit(m["household_id"], f"{m['name']}（{data.age(m)}岁）未填劳动技能", m["id"])


@rule("healthy_unable", "健康的劳动年龄人口标为无劳动力或丧失劳动力")
def healthy_unable(data: Data) -> Iterator[Hit]:
    not_working = {LabourSkill.NONE, LabourSkill.UNABLE}
    for ms in data.members.values():
        for m in ms:
            if (
                16 <= data.age(m) <= 60
                and m["health"] == Health.HEALTHY
                and m["labour_skill"] in not_working
                and m["schooling"] not in STUDENT_SCHOOLING
            ):
                yield Hit(
                    m["household_id"], f"{m['name']}健康、{data.age(m)}岁，标为无劳动能力", m["id"]
                )


def _cause_without_member(data: Data, cause: str, has: Callable[[dict], bool], text: str):
    for hid, h in data.households.items():
        if cause in h["causes"] and not any(has(m) for m in data.members.get(hid, ())):
            yield Hit(hid, text)


@rule("illness_all_healthy", "因病致贫但家庭成员均健康")
def illness_all_healthy(data: Data):
    yield from _cause_without_member(
        data,
        Cause.ILLNESS,
        lambda m: m["health"] in (Health.CHRONIC, Health.SERIOUS),
        "致贫原因为因病，但没有患病成员",
    )


@rule("schooling_no_student", "因学致贫但没有在校生")
def schooling_no_student(data: Data):
    yield from _cause_without_member(
        data,
        Cause.SCHOOLING,
        lambda m: m["schooling"] in STUDENT_SCHOOLING,
        "致贫原因为因学，但没有在校生",
    )


@rule("disability_none", "因残致贫但没有残疾成员")
def disability_none(data: Data):
    yield from _cause_without_member(
        data,
        Cause.DISABILITY,
        lambda m: m["health"] == Health.DISABLED,
        "致贫原因为因残，但没有残疾成员",
    )


@rule("exit_before_identified", "计划脱贫年度早于识别年度")
def exit_before_identified(data: Data) -> Iterator[Hit]:
    for hid, h in data.households.items():
        if h["planned_exit_year"] < h["identified_year"]:
            yield Hit(
                hid, f"计划脱贫年度{h['planned_exit_year']}早于识别年度{h['identified_year']}"
            )


@rule("exit_below_standard", "已脱贫户未达到脱贫当年的标准")
def exit_below_standard(data: Data) -> Iterator[Hit]:
    """The exit standard of the exit year (households.readiness), criterion by criterion."""
    for hid, short in data.exit_gaps.items():
        yield Hit(hid, f"{data.households[hid]['exit_year']}年：{'、'.join(short)}")


@rule("cause_without_measure", "致贫原因没有对应的帮扶措施")
def cause_without_measure(data: Data) -> Iterator[Hit]:
    labels = dict(Cause.choices)
    for hid, h in data.households.items():
        if not data.is_active(h):
            continue
        have = data.measures.get(hid, set())
        missing = [
            labels[c] for c in h["causes"] if c in CAUSE_MEASURES and not (CAUSE_MEASURES[c] & have)
        ]
        if missing:
            yield Hit(hid, f"{'、'.join(missing)}没有对应的帮扶措施")


@rule("cadre_is_poor", "帮扶干部本人是建档立卡贫困人口")
def cadre_is_poor(data: Data) -> Iterator[Hit]:
    for ms in data.members.values():
        for m in ms:
            if m["id_number_hash"] in data.cadre_hashes:
                yield Hit(
                    m["household_id"],
                    f"{m['name']}同时登记为干部（{data.cadre_hashes[m['id_number_hash']]}）",
                    m["id"],
                )


@rule("no_pairing", "没有在岗的帮扶责任人")
def no_pairing(data: Data) -> Iterator[Hit]:
    for hid, h in data.households.items():
        if data.is_active(h) and hid not in data.paired:
            yield Hit(hid, "没有在岗的结对帮扶责任人")


@rule("no_recent_visit", f"{NO_VISIT_DAYS}天内没有入户走访")
def no_recent_visit(data: Data) -> Iterator[Hit]:
    since = data.today - datetime.timedelta(days=NO_VISIT_DAYS)
    for hid, h in data.households.items():
        last = data.last_visit.get(hid)
        if data.is_active(h) and (last is None or last < since):
            when = f"最近一次{last:%Y-%m-%d}" if last else "从未走访"
            yield Hit(hid, f"{NO_VISIT_DAYS}天内没有走访（{when}）")


def _latest(visits: list[dict]) -> list[dict]:
    return sorted(visits, key=lambda v: (v["visited_on"], v["id"]), reverse=True)


@rule("visit_far", f"走访记录位置距村委会超过{VISIT_FAR_M // 1000}公里")
def visit_far(data: Data) -> Iterator[Hit]:
    for hid, visits in data.recent_visits.items():
        h = data.households.get(hid)
        if h is None or h["village__latitude"] is None:
            continue
        for v in _latest(visits):
            if v["latitude"] is None:
                continue
            metres = distance_m(
                v["latitude"], v["longitude"], h["village__latitude"], h["village__longitude"]
            )
            if metres - (v["accuracy"] or 0) > VISIT_FAR_M:
                yield Hit(
                    hid,
                    f"{v['visited_on']:%Y-%m-%d}{v['cadre__name']}的走访记录于距村委会"
                    f"{distance_text(metres)}处",
                )
                break  # one hit per household: the latest such visit


@rule("visit_odd_time", "走访记录时间异常（深夜或一天内记录过多）")
def visit_odd_time(data: Data) -> Iterator[Hit]:
    late, early = ODD_HOURS
    for hid, visits in data.recent_visits.items():
        for v in _latest(visits):
            at = v["recorded_at"]
            local = timezone.localtime(at) if at is not None else None
            # Recorded at night on the visit's own day (a visit typed in later is no sign).
            if (
                local is not None
                and local.date() == v["visited_on"]
                and (local.hour >= late or local.hour < early)
            ):
                yield Hit(hid, f"{v['cadre__name']}的走访记录于{local:%Y-%m-%d %H:%M}")
                break
            many = data.visits_per_cadre_day.get((v["cadre_id"], v["visited_on"]), 0)
            if many > VISITS_PER_DAY_MAX:
                yield Hit(
                    hid,
                    f"{v['cadre__name']}在{v['visited_on']:%Y-%m-%d}一天记录了{many}户走访",
                )
                break


def load(households: QuerySet, today: datetime.date) -> Data:
    """Everything the rules read, in a fixed number of queries whatever the size."""
    from villages.models import Cadre

    ids = households.values("pk")
    rows = households.values(
        "id",
        "status",
        "exit_year",
        "identified_year",
        "planned_exit_year",
        "primary_cause",
        "other_causes",
        "monitoring_type",
        "village__latitude",
        "village__longitude",
    )
    data = Data(today=today, households={})
    for h in rows.iterator(chunk_size=5000):
        others = [c for c in h["other_causes"].split(",") if c and c != h["primary_cause"]]
        h["causes"] = [h["primary_cause"], *others]
        data.households[h["id"]] = h
    for m in (
        Member.objects.filter(household__in=ids)
        .values(
            "id",
            "household_id",
            "name",
            "gender",
            "birth_date",
            "relation",
            "schooling",
            "health",
            "labour_skill",
            "id_number_encrypted",
            "id_number_hash",
        )
        .iterator(chunk_size=5000)
    ):
        data.numbers[m["id"]] = crypto.decrypt(m.pop("id_number_encrypted"))
        data.members[m["household_id"]].append(m)
    for hid, kind in (
        AssistanceMeasure.objects.live()
        .filter(household__in=ids)
        .values_list("household_id", "measure_type")
    ):
        data.measures[hid].add(kind)
    data.paired = set(
        HouseholdPairing.objects.active(today)
        .filter(household__in=ids)
        .values_list("household_id", flat=True)
    )
    data.last_visit = dict(
        Visit.objects.filter(household__in=ids)
        .values("household_id")
        .annotate(last=Max("visited_on"))
        .values_list("household_id", "last")
    )
    since = today - datetime.timedelta(days=VISIT_CHECK_DAYS)
    recent = Visit.objects.filter(household__in=ids, visited_on__gte=since)
    for v in recent.values(
        "id",
        "household_id",
        "cadre_id",
        "cadre__name",
        "visited_on",
        "recorded_at",
        "latitude",
        "longitude",
        "accuracy",
    ).iterator(chunk_size=5000):
        data.recent_visits[v["household_id"]].append(v)
    # The cadres' whole days, whichever households they visited.
    data.visits_per_cadre_day = {
        (row["cadre_id"], row["visited_on"]): row["n"]
        for row in Visit.objects.filter(visited_on__gte=since, cadre__in=recent.values("cadre_id"))
        .values("cadre_id", "visited_on")
        .annotate(n=Count("pk"))
        .filter(n__gt=VISITS_PER_DAY_MAX)
    }
    exited = households.filter(status=HouseholdStatus.EXITED, exit_year__isnull=False)
    fields = [c.field for c in readiness.CRITERIA]
    for hid, *found in readiness.annotate(exited, "exit_year").values_list("pk", *fields):
        gaps = readiness.labels_of(dict(zip(fields, found, strict=True)))
        if gaps:
            data.exit_gaps[hid] = gaps
    member_hashes = {m["id_number_hash"] for ms in data.members.values() for m in ms}
    data.cadre_hashes = {
        h: name
        for h, name in Cadre.objects.exclude(id_number_hash="").values_list(
            "id_number_hash", "name"
        )
        if h in member_hashes
    }
    return data


def find_issues(households: QuerySet, today: datetime.date | None = None) -> list[tuple[str, Hit]]:
    data = load(households, today or timezone.localdate())
    return [(code, hit) for code, r in RULES.items() for hit in r.check(data)]


@dataclass
class SyncResult:
    opened: int = 0
    reopened: int = 0
    still: int = 0
    resolved: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def sync_issues(households: QuerySet, hits: list[tuple[str, Hit]]) -> SyncResult:
    """Make the worklist of these households match the hits (one transaction)."""
    now = timezone.now()
    result = SyncResult(by_rule=dict.fromkeys(RULES, 0))
    existing = {
        (i.rule, i.household_id, i.member_id): i
        for i in QualityIssue.objects.filter(household__in=households.values("pk"))
    }
    new, changed = [], []
    seen = set()
    for code, hit in hits:
        key = (code, hit.household_id, hit.member_id)
        if key in seen:
            continue
        seen.add(key)
        result.by_rule[code] += 1
        issue = existing.get(key)
        if issue is None:
            new.append(
                QualityIssue(
                    rule=code,
                    household_id=hit.household_id,
                    member_id=hit.member_id,
                    detail=hit.detail[:300],
                    last_seen=now,
                )
            )
            result.opened += 1
            continue
        issue.detail, issue.last_seen = hit.detail[:300], now
        if issue.status == QualityStatus.FIXED:
            issue.status, issue.resolved_by, issue.resolved_at = QualityStatus.OPEN, None, None
            result.reopened += 1
        else:
            result.still += 1
        changed.append(issue)
    for key, issue in existing.items():
        if key not in seen and issue.status != QualityStatus.FIXED:
            issue.status, issue.resolved_at, issue.resolved_by = QualityStatus.FIXED, now, None
            issue.explanation = (issue.explanation + "\n复查未再发现此疑点。").strip()
            changed.append(issue)
            result.resolved += 1
    QualityIssue.objects.bulk_create(new, batch_size=2000)
    QualityIssue.objects.bulk_update(
        changed,
        ["detail", "last_seen", "status", "resolved_by", "resolved_at", "explanation"],
        batch_size=2000,
    )
    return result


def check_quality(households: QuerySet, today: datetime.date | None = None) -> SyncResult:
    return sync_issues(households, find_issues(households, today))
