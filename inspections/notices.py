"""The monthly notices (run by Celery beat, and by hand); reminders are poverty.work's.

`make_notices(month)` makes, for every county with findings, one 整改通知书 per responsible unit
with findings still open at the end of the month and one 督导通报 第N期 with the month's figures
by township and unit and the overdue findings. A county's set is made in one transaction and
only if that month has no bulletin yet, so running twice makes nothing new and a failure
halfway leaves nothing behind (the job is then simply run again).

Figures are read "as at" the 1st of the next month (the issue date) from the finding dates
(found, deadline, closed), so a month made late reads the same as one made on time.

Other dated obligations overdue at the cutoff (a key task's milestone, a dispatch meeting's
decision) are named beside the findings, in the bulletin and in their unit's notice: the apps
that keep them add a source to EXTRA_SOURCES (command.apps), since nothing here may import them.
They are kept in the notice's summary ("others") as they stood, like the findings' items.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from poverty.common.areacodes import prefix_of
from poverty.common.months import month_start, next_month
from poverty.common.scoping import Reach
from villages.choices import AreaLevel
from villages.models import Area, Unit

from .choices import NoticeKind, StepKind
from .models import Finding, FindingStep, Notice, NoticeItem

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Listed:
    """An obligation other than a finding, overdue at a notice's cutoff, as the notice names it."""

    section: str  # 重点工作节点, 交办事项
    title: str
    owner: str  # the person who answers for it (组长, 责任人)
    unit_id: int | None  # the responsible unit: its notice names it too
    unit: str
    code: str  # the area code that holds it (who may read the unit's notice)
    due: str  # ISO date
    days_overdue: int
    link: str


# (county, cutoff) → the obligations of the county overdue at the cutoff; filled by the apps
# above this one when they start (AppConfig.ready).
EXTRA_SOURCES: list[Callable[[Area, datetime.date], list[Listed]]] = []


def _others(items: list[Listed]) -> list[dict]:
    return [asdict(item) for item in items]


@dataclass
class CountyResult:
    county: Area
    created: bool
    bulletin: Notice | None
    unit_notices: int

    def __str__(self) -> str:
        if self.bulletin is None:
            return f"{self.county.name}：本月无督查问题，未生成通知。"
        made = "已生成" if self.created else "此前已生成，未新建"
        return (
            f"{self.county.name}：{made} {self.bulletin.title}，整改通知书{self.unit_notices}份。"
        )


def make_notices(month: datetime.date, *, today: datetime.date | None = None) -> list[CountyResult]:
    """The month's notices for every county that has findings."""
    first = month_start(month)
    cutoff = next_month(first)
    today = today or timezone.localdate()
    if cutoff > today:
        raise ValidationError(f"{first.year}年{first.month}月尚未结束，不能生成该月的通知通报。")
    counties = Area.objects.filter(level=AreaLevel.COUNTY).order_by("code")
    return [make_county_notices(county, first) for county in counties]


# Numbering (DESIGN §4 notices): a notice is numbered by the month it covers, not by the order
# it was made in, so a month made late takes its own place and no number, once published, ever
# changes. The bulletin for October 2026 is 2026年第10期 (a month without findings has no
# bulletin, and its number stays unused); a unit's notice for that month is 〔2026〕10-k号, k
# counting the month's units in the order of their names.
UNIT_SEQUENCE = 1000


def bulletin_number(first: datetime.date) -> tuple[int, int]:
    """(year, number) of the bulletin covering the month that starts on `first`."""
    return first.year, first.month


def unit_number(first: datetime.date, k: int) -> tuple[int, int]:
    """(year, number) of the month's k-th unit notice (k from 1)."""
    return first.year, first.month * UNIT_SEQUENCE + k


@transaction.atomic
def make_county_notices(county: Area, first: datetime.date) -> CountyResult:
    cutoff = next_month(first)
    # One run at a time per county: the second finds the first's bulletin and stops.
    Area.objects.select_for_update().filter(pk=county.pk).first()
    existing = Notice.objects.filter(county=county, kind=NoticeKind.BULLETIN, month=first).first()
    if existing is not None:
        units = Notice.objects.filter(county=county, kind=NoticeKind.UNIT, month=first).count()
        return CountyResult(county, False, existing, units)

    findings = Finding.objects.under([county.code])
    others = [item for source in EXTRA_SOURCES for item in source(county, cutoff)]
    if not findings.filter(found_on__lt=cutoff).exists() and not others:
        return CountyResult(county, False, None, 0)
    still_open = list(
        findings.open_on(cutoff)
        .select_related("area", "unit")
        .order_by("unit__name", "deadline", "pk")
    )
    new = list(
        findings.filter(found_on__gte=first, found_on__lt=cutoff).values_list(
            "area__code", "unit_id"
        )
    )
    closed = list(
        findings.filter(closed_on__gte=first, closed_on__lt=cutoff).values_list(
            "area__code", "unit_id"
        )
    )
    _as_at(still_open, cutoff)

    by_unit: dict[int, list[Finding]] = defaultdict(list)
    for finding in still_open:
        by_unit[finding.unit_id].append(finding)
    others_of: dict[int, list[Listed]] = defaultdict(list)
    for item in others:
        if item.unit_id is not None:
            others_of[item.unit_id].append(item)
    units = {
        u.pk: u
        for u in Unit.objects.filter(pk__in=by_unit.keys() | others_of.keys()).select_related(
            "area"
        )
    }
    unit_count = 0
    ordered = sorted(units.values(), key=lambda u: (u.name, u.pk))
    for k, unit in enumerate(ordered, start=1):
        items, listed = by_unit.get(unit.pk, []), others_of.get(unit.pk, [])
        overdue = sum(1 for f in items if f.deadline < cutoff)
        year, number = unit_number(first, k)
        notice = Notice.objects.create(
            kind=NoticeKind.UNIT,
            county=county,
            area=_notice_area(
                county, unit, [f.area.code for f in items] + [i.code for i in listed]
            ),
            unit=unit,
            month=first,
            year=year,
            number=number,
            issued_on=cutoff,
            summary={
                "open": len(items),
                "overdue": overdue,
                "cutoff": cutoff.isoformat(),
                "others": _others(listed),
            },
        )
        _add_items(notice, items, cutoff)
        unit_count += 1

    # Named in the bulletin: the overdue findings, then those whose deadline was extended (延期).
    overdue = [f for f in still_open if f.deadline < cutoff]
    overdue += [f for f in still_open if f.extended and f.deadline >= cutoff]
    year, number = bulletin_number(first)
    bulletin = Notice.objects.create(
        kind=NoticeKind.BULLETIN,
        county=county,
        area=county,
        month=first,
        year=year,
        number=number,
        issued_on=cutoff,
        summary={
            **_bulletin_summary(county, first, cutoff, still_open, new, closed),
            "others": _others(others),
        },
    )
    _add_items(bulletin, overdue, cutoff)
    logger.info(
        "notices for %s %s: bulletin %s, %d unit notices",
        county,
        first,
        bulletin.number,
        unit_count,
    )
    return CountyResult(county, True, bulletin, unit_count)


def _notice_area(county: Area, unit: Unit, codes: list[str]) -> Area:
    """Who may read a unit's notice: the unit's area when all it names lies there."""
    if all(Reach.under([unit.area.code]).admits(code) for code in codes):
        return unit.area
    return county


def _as_at(findings: list[Finding], cutoff: datetime.date) -> None:
    """Each finding's deadline as it stood on the cutoff (an extension approved later does not
    reach back into the month), and whether an approved extension had moved it by then
    (`extended`, shown as 延期)."""
    later: dict[int, datetime.date] = {}
    extended: set[int] = set()
    for finding_id, previous, at in (
        FindingStep.objects.filter(
            finding_id__in=[f.pk for f in findings], kind=StepKind.EXTEND_APPROVE
        )
        .order_by("created_at", "pk")
        .values_list("finding_id", "previous_deadline", "created_at")
    ):
        if timezone.localtime(at).date() >= cutoff:
            later.setdefault(finding_id, previous)
        else:
            extended.add(finding_id)
    for finding in findings:
        if later.get(finding.pk):
            finding.deadline = later[finding.pk]
        finding.extended = finding.pk in extended


def _add_items(notice: Notice, findings: list[Finding], cutoff: datetime.date) -> None:
    NoticeItem.objects.bulk_create(
        [
            NoticeItem(
                notice=notice,
                finding=f,
                status=f.status,
                days_overdue=max((cutoff - f.deadline).days, 0),
                deadline=f.deadline,
                extended=getattr(f, "extended", False),
            )
            for f in findings
        ]
    )


def _township_code(code: str) -> str:
    return code[:9] + "000"


def _bulletin_summary(county, first, cutoff, still_open, new, closed) -> dict:
    """Counts by township and by unit: found and closed in the month, open and overdue at its end."""
    rows: dict[str, Counter] = {"townships": defaultdict(Counter), "units": defaultdict(Counter)}

    def count(code: str, unit_id: int, what: str) -> None:
        place = _township_code(code) if len(prefix_of(code)) >= 9 else county.code
        rows["townships"][place][what] += 1
        rows["units"][unit_id][what] += 1

    for code, unit_id in new:
        count(code, unit_id, "new")
    for code, unit_id in closed:
        count(code, unit_id, "closed")
    for f in still_open:
        count(f.area.code, f.unit_id, "open")
        if f.deadline < cutoff:
            count(f.area.code, f.unit_id, "overdue")

    names = dict(Area.objects.filter(code__in=rows["townships"]).values_list("code", "name"))
    units = dict(Unit.objects.filter(pk__in=rows["units"]).values_list("pk", "name"))
    fields = ("new", "closed", "open", "overdue")

    def line(counter: Counter) -> dict:
        return {f: counter[f] for f in fields}

    townships = [
        {"code": code, "name": "县直" if code == county.code else names.get(code, code), **line(c)}
        for code, c in sorted(rows["townships"].items())
    ]
    unit_rows = sorted(
        ({"id": pk, "name": units.get(pk, ""), **line(c)} for pk, c in rows["units"].items()),
        key=lambda r: (-r["overdue"], -r["open"], r["name"]),
    )
    totals = {
        "new": len(new),
        "closed": len(closed),
        "open": len(still_open),
        "overdue": sum(1 for f in still_open if f.deadline < cutoff),
        "extended": sum(1 for f in still_open if getattr(f, "extended", False)),
    }
    return {
        "month": first.isoformat(),
        "cutoff": cutoff.isoformat(),
        "totals": totals,
        "townships": townships,
        "units": unit_rows,
    }
