"""Rectification of a finding (DESIGN §4), one function per step:

待整改 → (plan) 整改中 → (progress notes) → (submit, with evidence) 待验收 → (verify) 已销号,
and (reject) 待验收 → 整改中 with the reason. The deadline moves only by an extension request
(延期申请, with a reason) approved by someone else who may verify.

Every step runs in one transaction with the finding row locked, checks the actor's permission
and area and the finding's state, writes a FindingStep (who, when, what, evidence), bumps the
finding's version (an edit form opened before is then refused) and raises ValidationError with
a Chinese message when the step is out of order.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from poverty.common.models import save_versioned
from poverty.common.scoping import in_scope

from .choices import Status, StepKind
from .models import Finding, FindingStep

RECTIFY = "inspections.rectify_finding"
VERIFY = "inspections.verify_finding"


def _begin(finding: Finding, by, permission: str, message: str) -> Finding:
    if not by.has_perm(permission):
        raise ValidationError(message)
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if not in_scope(locked, by, "view"):
        raise ValidationError("该问题不在您的管辖范围内。")
    return locked


def _require(finding: Finding, *allowed: str, doing: str) -> None:
    if finding.status not in allowed:
        names = "或".join(f"“{Status(s).label}”" for s in allowed)
        raise ValidationError(
            f"不能{doing}：问题当前为“{finding.get_status_display()}”，须为{names}。"
        )


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


def _step(finding: Finding, by, kind: str, note: str, file=None) -> FindingStep:
    step = FindingStep(finding=finding, kind=kind, note=note, by=by)
    if file:
        step.file = file
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def finding_plan_record(*, finding: Finding, by, plan: str) -> Finding:
    """The responsible unit's rectification plan (整改方案); the finding is then 整改中."""
    finding = _begin(finding, by, RECTIFY, "您没有整改督查问题的权限。")
    _require(finding, Status.OPEN, Status.IN_PROGRESS, doing="制定整改方案")
    plan = _text(plan, "请填写整改措施。")
    _step(finding, by, StepKind.PLAN, plan)
    save_versioned(finding, by, status=Status.IN_PROGRESS, plan=plan)
    return finding


@transaction.atomic
def finding_progress_record(*, finding: Finding, by, note: str, file=None) -> FindingStep:
    finding = _begin(finding, by, RECTIFY, "您没有整改督查问题的权限。")
    _require(finding, Status.IN_PROGRESS, doing="记录整改进展（请先制定整改方案）")
    step = _step(finding, by, StepKind.PROGRESS, _text(note, "请填写整改进展。"), file)
    save_versioned(finding, by)
    return step


@transaction.atomic
def finding_submit(*, finding: Finding, by, note: str, file=None) -> Finding:
    """Submit for verification (待验收): a summary and at least one evidence file."""
    finding = _begin(finding, by, RECTIFY, "您没有整改督查问题的权限。")
    _require(finding, Status.IN_PROGRESS, doing="提交验收（请先制定整改方案）")
    note = _text(note, "请填写整改完成情况。")
    has_evidence = file or finding.steps.exclude(file="").exclude(kind=StepKind.REJECT).exists()
    if not has_evidence:
        raise ValidationError("请上传整改佐证材料（照片或扫描件）后再提交验收。")
    _step(finding, by, StepKind.SUBMIT, note, file)
    save_versioned(finding, by, status=Status.SUBMITTED, submitted_by=by)
    return finding


def _verifier(finding: Finding, by) -> None:
    if finding.submitted_by_id == by.pk:
        raise ValidationError("不能验收自己提交的整改：须由提交人以外的督查人员验收。")


@transaction.atomic
def finding_close(*, finding: Finding, by, note: str, today=None) -> Finding:
    """Verification passed: the finding is closed (销号) by someone other than the submitter."""
    finding = _begin(finding, by, VERIFY, "您没有验收销号的权限。")
    _require(finding, Status.SUBMITTED, doing="验收销号")
    _verifier(finding, by)
    _step(finding, by, StepKind.CLOSE, _text(note, "请填写验收意见。"))
    today = today or timezone.localdate()
    save_versioned(finding, by, status=Status.CLOSED, closed_by=by, closed_on=today)
    return finding


@transaction.atomic
def finding_reject(*, finding: Finding, by, note: str) -> Finding:
    """Verification failed: back to 整改中 with the reason."""
    finding = _begin(finding, by, VERIFY, "您没有验收销号的权限。")
    _require(finding, Status.SUBMITTED, doing="退回整改")
    _verifier(finding, by)
    _step(finding, by, StepKind.REJECT, _text(note, "请填写退回理由。"))
    save_versioned(finding, by, status=Status.IN_PROGRESS)
    return finding


@transaction.atomic
def finding_extension_request(*, finding: Finding, by, deadline, reason: str) -> FindingStep:
    """延期申请: the responsible side asks for a later deadline, with the reason."""
    finding = _begin(finding, by, RECTIFY, "您没有整改督查问题的权限。")
    _require(finding, Status.OPEN, Status.IN_PROGRESS, doing="申请延期")
    if finding.pending_extension() is not None:
        raise ValidationError("该问题已有待审批的延期申请，请等待审批结果。")
    if deadline <= finding.deadline:
        raise ValidationError(f"申请的新期限须晚于现整改时限（{finding.deadline:%Y-%m-%d}）。")
    reason = _text(reason, "请填写延期理由。")
    step = FindingStep(
        finding=finding, kind=StepKind.EXTEND, note=reason, by=by, requested_deadline=deadline
    )
    step.full_clean()
    step.save()
    save_versioned(finding, by)
    return step


@transaction.atomic
def finding_extension_decide(*, finding: Finding, by, approve: bool, note: str) -> FindingStep:
    """The pending request approved (the deadline moves to the one asked for) or refused, by
    someone who may verify and is not the requester."""
    finding = _begin(finding, by, VERIFY, "您没有审批延期申请的权限。")
    request = finding.pending_extension()
    if request is None:
        raise ValidationError("该问题没有待审批的延期申请。")
    if request.by_id == by.pk:
        raise ValidationError("不能审批自己提出的延期申请：须由申请人以外的督查人员审批。")
    note = _text(note, "请填写审批意见。")
    kind = StepKind.EXTEND_APPROVE if approve else StepKind.EXTEND_REJECT
    step = FindingStep(finding=finding, kind=kind, note=note, by=by)
    if approve:
        step.requested_deadline = request.requested_deadline
        step.previous_deadline = finding.deadline
    step.full_clean()
    step.save()
    if approve:
        save_versioned(finding, by, deadline=request.requested_deadline)
    else:
        save_versioned(finding, by)
    return step
