"""The assessment's workflow: count the computed indicators, score the others (the group's
members only), record deductions and bonus points, publish (then everything is locked), and
read the results with their ranking. Pages, commands and the demo call these."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from poverty.common.models import save_versioned
from poverty.common.scoping import code_in_scope
from villages.models import Area, Unit

from .choices import AssesseeKind, SchemeStatus
from .indicators import READERS, points_for
from .models import Adjustment, Group, Indicator, Scheme, Score

RATE = Decimal("0.0001")


def _open(scheme: Scheme) -> Scheme:
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.is_published:
        raise ValidationError(scheme.locked_reason())
    return scheme


def _place(scheme: Scheme, assessee: Area | Unit) -> dict:
    if scheme.assessee == AssesseeKind.TOWNSHIP:
        return {"assessed": assessee, "unit": None}
    return {"assessed": None, "unit": assessee}


def may_score(user, scheme: Scheme, assessee: Area | Unit) -> bool:
    """Only a member of a group assigned the assessee scores it (the superuser too)."""
    if user.is_superuser:
        return True
    groups = Group.objects.filter(scheme=scheme, members=user)
    if isinstance(assessee, Area):
        return groups.filter(areas=assessee).exists()
    return groups.filter(units=assessee).exists()


@transaction.atomic
def compute_scores(*, scheme: Scheme, by) -> int:
    """Count every computed indicator for every assessee from live data (again, if counted
    before). Returns how many scores were written."""
    scheme = _open(scheme)
    written = 0
    indicators = [i for i in scheme.indicators.all() if not i.is_manual]
    for assessee in scheme.assessees():
        for indicator in indicators:
            reading = READERS[indicator.source](assessee, scheme.start, scheme.end)
            score = Score.objects.filter(indicator=indicator, **_place(scheme, assessee)).first()
            score = score or Score(scheme=scheme, indicator=indicator, **_place(scheme, assessee))
            score.rate = None if reading.rate is None else reading.rate.quantize(RATE)
            score.points = points_for(reading.rate, indicator.weight, indicator.full_at)
            score.basis = reading.basis
            score.recorded_by = by
            score._history_user = by
            score.full_clean()
            score.save()
            written += 1
    return written


@transaction.atomic
def score_manual(
    *, indicator: Indicator, assessee: Area | Unit, points: Decimal, basis: str, by, evidence=None
) -> Score:
    """A group member's score of an indicator the group judges (0 to its weight, with the
    reason); a second score of the same indicator and assessee replaces the first (history kept)."""
    scheme = _open(indicator.scheme)
    if not indicator.is_manual:
        raise ValidationError(f"“{indicator.name}”按实时数据自动计分，不能人工评分。")
    if not may_score(by, scheme, assessee):
        raise ValidationError(f"只有负责考评“{assessee}”的考评小组成员可以评分。")
    if not Decimal(0) <= points <= indicator.weight:
        raise ValidationError(f"得分应在0到{indicator.weight}分之间。")
    if not basis.strip():
        raise ValidationError("请填写计分依据。")
    score = Score.objects.filter(indicator=indicator, **_place(scheme, assessee)).first()
    score = score or Score(scheme=scheme, indicator=indicator, **_place(scheme, assessee))
    score.points, score.basis, score.rate, score.recorded_by = points, basis, None, by
    if evidence:
        score.evidence = evidence
    score._history_user = by
    score.full_clean()
    score.save()
    return score


@transaction.atomic
def adjust(
    *,
    scheme: Scheme,
    assessee: Area | Unit,
    kind: str,
    points: Decimal,
    reason: str,
    by,
    evidence=None,
) -> Adjustment:
    """扣分 or 加分 with its reason, by a member of the assessee's group."""
    scheme = _open(scheme)
    if not may_score(by, scheme, assessee):
        raise ValidationError(f"只有负责考评“{assessee}”的考评小组成员可以加减分。")
    if not reason.strip():
        raise ValidationError("请填写加减分事由。")
    row = Adjustment(
        scheme=scheme,
        kind=kind,
        points=points,
        reason=reason,
        recorded_by=by,
        **_place(scheme, assessee),
    )
    if evidence:
        row.evidence = evidence
    row._history_user = by
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def publish(*, scheme: Scheme, by) -> Scheme:
    """公布: the computed indicators counted once more, every manual one scored for every
    assessee (refused, naming what is missing, otherwise), then the scheme is locked."""
    compute_scores(scheme=scheme, by=by)
    scheme = _open(scheme)
    manual = [i for i in scheme.indicators.all() if i.is_manual]
    scored = set(
        Score.objects.filter(indicator__in=manual).values_list(
            "indicator_id", "assessed_id", "unit_id"
        )
    )
    missing = []
    for assessee in scheme.assessees():
        place = _place(scheme, assessee)
        for indicator in manual:
            key = (
                indicator.pk,
                getattr(place["assessed"], "pk", None),
                getattr(place["unit"], "pk", None),
            )
            if key not in scored:
                missing.append(f"{assessee}的“{indicator.name}”")
    if missing:
        more = f"等{len(missing)}项" if len(missing) > 5 else ""
        raise ValidationError(f"尚未评分：{'、'.join(missing[:5])}{more}，不能公布。")
    if not scheme.indicators.exists():
        raise ValidationError("该方案还没有考核指标。")
    save_versioned(
        scheme,
        by,
        status=SchemeStatus.PUBLISHED,
        published_on=timezone.localdate(),
        published_by=by,
    )
    return scheme


@dataclass
class ResultRow:
    assessee: Area | Unit
    points: dict[int, Decimal | None] = field(default_factory=dict)  # indicator id → points
    adjustments: Decimal = Decimal(0)
    rank: int = 0

    @property
    def indicator_total(self) -> Decimal:
        return sum((p for p in self.points.values() if p is not None), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.indicator_total + self.adjustments


def results(scheme: Scheme, user) -> list[ResultRow]:
    """Every assessee the user may see, with its points per indicator, its deductions and bonus
    points and its total, ranked (equal totals share a rank), in three queries (five for a
    user below the scheme's area)."""
    scores = Score.objects.restrict(user).filter(scheme=scheme)
    adjustments = Adjustment.objects.restrict(user).filter(scheme=scheme)
    key = "assessed_id" if scheme.assessee == AssesseeKind.TOWNSHIP else "unit_id"
    # A user of the whole area reads every assessee (scored or not yet); a township's user only
    # those with rows placed in their area (their own township).
    everyone = user.has_perm("assessments.view_score") and code_in_scope(
        Score, scheme.area.code, user, "view"
    )
    if everyone:
        assessees = list(scheme.assessees())
    else:
        seen = set(scores.values_list(key, flat=True)) | set(
            adjustments.values_list(key, flat=True)
        )
        assessees = list(scheme.assessees().filter(pk__in=seen))
    rows = {a.pk: ResultRow(a) for a in assessees}
    for owner, indicator, points in scores.values_list(key, "indicator_id", "points"):
        if owner in rows:
            rows[owner].points[indicator] = points
    for owner, kind, points in adjustments.values_list(key, "kind", "points"):
        if owner in rows:
            rows[owner].adjustments += -points if kind == "deduct" else points
    ranked = sorted(rows.values(), key=lambda r: (-r.total, str(r.assessee)))
    previous, rank = None, 0
    for n, row in enumerate(ranked, start=1):
        if row.total != previous:
            rank, previous = n, row.total
        row.rank = rank
    return ranked
