"""State changes of the registry that touch several rows: the exit procedure (DESIGN §4), return
to poverty, monitoring, and saving a household with its members.

Every step is one function with keyword-only arguments, runs in one transaction with the
household row locked, checks its preconditions, records who/when/evidence as an ExitRecord,
and raises ValidationError with a Chinese message when the step is out of order.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from poverty.common.models import StaleEdit, save_versioned, stale_message
from poverty.common.scoping import in_scope

from . import readiness
from .choices import ExitStep, HouseholdStatus, MonitoringType, QualityStatus, Relation
from .models import (
    AssistanceMeasure,
    ExitRecord,
    Household,
    IncomeRecord,
    Member,
    QualityIssue,
)

OVERRIDE_PERMISSION = "households.override_exit_standard"
CHANGE_PERMISSION = "households.change_household"
# 村内公示 lasts at least seven days.
PUBLICITY_MIN_DAYS = 7

S = HouseholdStatus


def _may(by, action: str, obj, model: str, doing: str) -> None:
    """`by` holds the model permission for `action` and the object lies in `by`'s area; None
    is the system itself (the demo county, the tests' factories)."""
    if by is None:
        return
    if not by.has_perm(f"households.{action}_{model}"):
        raise ValidationError(f"您没有{doing}的权限。")
    if not in_scope(obj, by, action):
        raise ValidationError("该行政村不在您的管辖范围内。")


def _members_write(household: Household, members: Iterable[Member], removed: Iterable[Member]):
    """Write the household's members as given, held to one head (户主) among at least one
    member whoever the caller (the page's formset, the demo, a test). Checked before writing
    (the database also keeps one head a household); a head handed over is written last."""
    members, removed = list(members), list(removed)
    for member in (*members, *removed):
        if member.pk and member.household_id != household.pk:
            raise ValidationError(f"成员{member.name}不属于该户。")
    untouched = household.members.exclude(pk__in=[m.pk for m in (*members, *removed) if m.pk])
    relations = [*untouched.values_list("relation", flat=True), *(m.relation for m in members)]
    if not relations:
        raise ValidationError("每户至少登记一名家庭成员（户主）。")
    heads = relations.count(Relation.HEAD)
    if heads != 1:
        raise ValidationError(f"每户须有且只有一名户主，现在有{heads}名。")
    for member in removed:
        member.delete()
    for member in sorted(members, key=lambda m: m.relation == Relation.HEAD):
        member.household = household
        member.save()


@transaction.atomic
def household_create(*, household: Household, members: Iterable[Member], by) -> Household:
    """Register a household (validated by its form) with its members, all or nothing."""
    _may(by, "add", household, "household", "登记贫困户")
    household.save()
    _members_write(household, members, removed=())
    return household


@transaction.atomic
def household_update(
    *,
    household: Household,
    by,
    seen_version: int | None,
    members: Iterable[Member] = (),
    removed: Iterable[Member] = (),
) -> Household:
    """Save an edited household (validated by its form) and its added, changed and removed
    members. The row is locked and must still be at `seen_version`, the version the user's
    page showed (None: no page, only the lock); otherwise StaleEdit names who changed it."""
    stored = Household.objects.select_for_update().get(pk=household.pk)
    _may(by, "change", stored, "household", "修改贫困户")
    _may(by, "change", household, "household", "修改贫困户")  # and where it now lies
    if seen_version is not None and stored.version != seen_version:
        raise StaleEdit(stale_message(stored))
    # The counts kept from the members are the stored ones; the members below recount them.
    household.persons, household.member_names = stored.persons, stored.member_names
    household.version = stored.version + 1
    household.save()
    _members_write(household, members, removed)
    return household


@transaction.atomic
def income_record_save(*, record: IncomeRecord, by) -> IncomeRecord:
    """Add or correct a year's income (validated by its form). The persons default to the
    household's members; the per-capita figure follows from the items, unless the record
    carries a file's figure without them (the roster import's, `reported`)."""
    action = "change" if record.pk else "add"
    _may(by, action, record, "incomerecord", "登记收入")
    if not record.persons:
        record.persons = max(1, record.household.members.count())
    record.settle()
    record.save()
    return record


@transaction.atomic
def measure_save(*, measure: AssistanceMeasure, by) -> AssistanceMeasure:
    """Add or change an assistance measure (validated by its form or sheet row). A loan or a
    contract without an end date gets its type's usual one (MEASURE_TERMS), which can be
    edited afterwards."""
    action = "change" if measure.pk else "add"
    _may(by, action, measure, "assistancemeasure", "登记帮扶措施")
    if measure.end_date is None:
        measure.end_date = measure.usual_end_date
    measure.save()
    return measure


@transaction.atomic
def quality_issue_resolve(
    *, issue: QualityIssue, by, status: str, explanation: str
) -> QualityIssue:
    """Mark a 疑点 fixed or explained (who and when kept), or open it again (both cleared)."""
    if not (by.has_perm("households.change_qualityissue") and in_scope(issue, by, "change")):
        raise ValidationError("您没有处理该疑点的权限。")
    if status == QualityStatus.EXPLAINED and not explanation.strip():
        raise ValidationError("标记为“已说明”时请填写说明。")
    issue.status, issue.explanation = status, explanation
    if status == QualityStatus.OPEN:
        issue.resolved_by = issue.resolved_at = None
    else:
        issue.resolved_by, issue.resolved_at = by, timezone.now()
    issue.save()
    return issue


def _begin(household: Household, by, step: str) -> Household:
    """Every step starts here: the actor's permission and area, the row locked, and the status
    the step starts from (STEPS)."""
    if not by.has_perm(CHANGE_PERMISSION):
        raise ValidationError("您没有办理退出程序的权限。")
    household = Household.objects.select_for_update().get(pk=household.pk)
    if not in_scope(household, by, "change"):
        raise ValidationError("该户不在您的管辖范围内。")
    spec = STEPS[step]
    _expect(household, *spec.statuses, doing=spec.label)
    return household


def _require(text: str, message: str) -> None:
    if not (text or "").strip():
        raise ValidationError(message)


def _expect(household: Household, *statuses: str, doing: str) -> None:
    if household.status not in statuses:
        wanted = "、".join(str(S(s).label) for s in statuses)
        raise ValidationError(
            f"不能{doing}：该户当前状态为“{household.get_status_display()}”，此步骤要求“{wanted}”。"
        )


def _record(household: Household, by, step: str, **fields) -> ExitRecord:
    fields = {k: v for k, v in fields.items() if v is not None}
    record = ExitRecord(household=household, taken_by=by, step=step, **fields)
    record.full_clean()
    record.save()
    return record


def _last(household: Household, step: str) -> ExitRecord | None:
    return household.exit_records.filter(step=step).order_by("-taken_at", "-pk").first()


def _proposed_year(household: Household) -> int:
    proposal = _last(household, ExitStep.PROPOSE)
    if proposal is None or proposal.year is None:  # the status says it was proposed
        raise ValidationError("找不到该户的退出提议记录。")
    return proposal.year


@transaction.atomic
def household_exit_propose(
    *,
    household: Household,
    by,
    year: int,
    evidence: str,
    evidence_file=None,
    override_reason: str = "",
) -> ExitRecord:
    """民主评议后提出退出. The exit standard of `year` must be met (households.readiness: every
    criterion met, none unknown), or overridden with a reason."""
    household = _begin(household, by, "propose")
    _require(evidence, "请填写民主评议情况等依据。")
    if year < household.identified_year:
        raise ValidationError("退出年度不能早于识别年度。")
    problems = readiness.explain(household, year).problems
    override_reason = override_reason.strip()
    if problems and not override_reason:
        raise ValidationError(
            ["未达到脱贫标准：", *problems, "如确需退出，请由有权限的人员填写理由。"]
        )
    if problems and not by.has_perm(OVERRIDE_PERMISSION):
        raise ValidationError(["未达到脱贫标准，您没有批准例外退出的权限：", *problems])
    if not problems:
        override_reason = ""
    else:
        override_reason = f"{override_reason}\n（未达标项：{' '.join(problems)}）"
    record = _record(
        household,
        by,
        ExitStep.PROPOSE,
        year=year,
        evidence=evidence,
        evidence_file=evidence_file,
        override_reason=override_reason,
    )
    save_versioned(household, by, status=S.PROPOSED)
    return record


@transaction.atomic
def household_exit_verify(
    *, household: Household, by, evidence: str, household_agrees: bool, evidence_file=None
) -> ExitRecord:
    """村两委和驻村工作队核实, and the household agrees."""
    household = _begin(household, by, "verify")
    if not household_agrees:
        raise ValidationError("贫困户本人不认可退出，不能进入公示；请继续帮扶或重新评议。")
    _require(evidence, "请填写核实情况。")
    record = _record(
        household,
        by,
        ExitStep.VERIFY,
        year=_proposed_year(household),
        evidence=evidence,
        evidence_file=evidence_file,
    )
    save_versioned(household, by, status=S.VERIFIED)
    return record


@transaction.atomic
def household_exit_publicise(
    *,
    household: Household,
    by,
    start: datetime.date,
    end: datetime.date,
    place: str,
    evidence: str = "",
) -> ExitRecord:
    """村内公示 from `start` to `end` (at least seven days)."""
    household = _begin(household, by, "publicise")
    if end < start:
        raise ValidationError("公示结束日期不能早于开始日期。")
    if (end - start).days + 1 < PUBLICITY_MIN_DAYS:
        raise ValidationError(f"公示期不少于{PUBLICITY_MIN_DAYS}天。")
    _require(place, "请填写公示地点。")
    record = _record(
        household,
        by,
        ExitStep.PUBLICISE,
        year=_proposed_year(household),
        publicity_start=start,
        publicity_end=end,
        publicity_place=place,
        evidence=evidence,
    )
    save_versioned(household, by, status=S.PUBLICISED)
    return record


@transaction.atomic
def household_objection_record(
    *, household: Household, by, content: str, upheld: bool
) -> ExitRecord:
    """An objection during publicity. An upheld one sends the household back to assistance."""
    household = _begin(household, by, "objection")
    _require(content, "请填写异议内容及核查结果。")
    record = _record(household, by, ExitStep.OBJECTION, evidence=content, objection_upheld=upheld)
    if upheld:
        save_versioned(household, by, status=S.ASSISTED)
    return record


@transaction.atomic
def household_exit_announce(
    *, household: Household, by, evidence: str, today: datetime.date | None = None
) -> ExitRecord:
    """公告退出, once the publicity period has ended without an upheld objection."""
    household = _begin(household, by, "announce")
    today = today or timezone.localdate()
    publicity = _last(household, ExitStep.PUBLICISE)
    if publicity is None or publicity.publicity_end is None:  # the status says it was publicised
        raise ValidationError("找不到该户的公示记录。")
    if today <= publicity.publicity_end:
        raise ValidationError(
            f"公示期至{publicity.publicity_end:%Y-%m-%d}，公示期满后才能公告退出。"
        )
    _require(evidence, "请填写公告文号或公告情况。")
    record = _record(
        household,
        by,
        ExitStep.ANNOUNCE,
        year=_proposed_year(household),
        evidence=evidence,
    )
    save_versioned(household, by, status=S.ANNOUNCED)
    return record


@transaction.atomic
def household_exit_close(*, household: Household, by, evidence: str = "") -> ExitRecord:
    """销号: the household leaves the poor roll in the year it was proposed for."""
    household = _begin(household, by, "close")
    year = _proposed_year(household)
    record = _record(household, by, ExitStep.CLOSE, year=year, evidence=evidence)
    save_versioned(household, by, status=S.EXITED, exit_year=year)
    return record


@transaction.atomic
def household_poverty_return(*, household: Household, by, year: int, reason: str) -> ExitRecord:
    """返贫: an exited household is registered as poor again."""
    household = _begin(household, by, "return")
    if household.exit_year and year < household.exit_year:
        raise ValidationError("返贫年度不能早于脱贫年度。")
    _require(reason, "请填写返贫原因。")
    record = _record(household, by, ExitStep.RETURN, year=year, evidence=reason)
    save_versioned(household, by, status=S.ASSISTED, exit_year=None, returned_year=year)
    return record


@transaction.atomic
def household_monitoring_flag(
    *, household: Household, by, monitoring_type: str, reason: str, evidence_file=None
) -> ExitRecord:
    """纳入防返贫监测 (脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户)."""
    household = _begin(household, by, "monitor")
    if household.monitoring_type:
        raise ValidationError(f"该户已是监测对象（{household.get_monitoring_type_display()}）。")
    if monitoring_type not in MonitoringType.values:
        raise ValidationError("请选择监测对象类型。")
    if monitoring_type == MonitoringType.UNSTABLE and household.status != S.EXITED:
        raise ValidationError("脱贫不稳定户须是已脱贫户。")
    _require(reason, "请填写风险情况及核实、评议过程。")
    record = _record(
        household,
        by,
        ExitStep.MONITOR,
        year=timezone.localdate().year,
        monitoring_type=monitoring_type,
        evidence=reason,
        evidence_file=evidence_file,
    )
    save_versioned(
        household, by, monitoring_type=monitoring_type, monitored_since=timezone.localdate()
    )
    return record


@transaction.atomic
def household_risk_clear(*, household: Household, by, reason: str) -> ExitRecord:
    """风险消除: the household leaves monitoring."""
    household = _begin(household, by, "clear_risk")
    if not household.monitoring_type:
        raise ValidationError("该户不是监测对象。")
    _require(reason, "请填写风险消除的依据。")
    record = _record(
        household,
        by,
        ExitStep.CLEAR_RISK,
        year=timezone.localdate().year,
        monitoring_type=household.monitoring_type,
        evidence=reason,
    )
    save_versioned(household, by, monitoring_type="", monitored_since=None)
    return record


@dataclass(frozen=True)
class StepSpec:
    """The one table of the exit procedure's steps: the label pages and messages use, the
    statuses the step starts from (checked by _begin), its service and the name of its form
    in households.forms (the step's page: households.views.ExitStepView; its URL:
    households/urls.py, one per entry)."""

    label: str
    statuses: tuple[str, ...]
    perform: Callable[..., ExitRecord]
    form: str


STEPS: dict[str, StepSpec] = {
    "propose": StepSpec("提出退出", (S.ASSISTED,), household_exit_propose, "ProposeForm"),
    "verify": StepSpec("核实", (S.PROPOSED,), household_exit_verify, "VerifyForm"),
    "publicise": StepSpec("村内公示", (S.VERIFIED,), household_exit_publicise, "PubliciseForm"),
    "objection": StepSpec("登记异议", (S.PUBLICISED,), household_objection_record, "ObjectionForm"),
    "announce": StepSpec("公告退出", (S.PUBLICISED,), household_exit_announce, "AnnounceForm"),
    "close": StepSpec("销号", (S.ANNOUNCED,), household_exit_close, "CloseForm"),
    "return": StepSpec("登记返贫", (S.EXITED,), household_poverty_return, "ReturnForm"),
    "monitor": StepSpec("纳入监测", tuple(S.values), household_monitoring_flag, "MonitorForm"),
    "clear_risk": StepSpec("风险消除", tuple(S.values), household_risk_clear, "ClearRiskForm"),
}


def available_steps(household: Household) -> list[tuple[str, str]]:
    steps = []
    for name, spec in STEPS.items():
        if household.status not in spec.statuses:
            continue
        if name == "monitor" and household.monitoring_type:
            continue
        if name == "clear_risk" and not household.monitoring_type:
            continue
        steps.append((name, spec.label))
    return steps
