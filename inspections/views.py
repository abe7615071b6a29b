"""Pages of the inspections app: pledges with live target progress, inspections with their
findings, each finding's rectification steps, accountability records, the monthly notices
(page, A4 print, .xlsx)."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpResponse

from poverty.common.excel import xlsx_response
from poverty.common.views import (
    ObjectActionView,
    ObjectCreateView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)

from . import forms, services
from .choices import Status
from .models import Finding, Notice
from .progress import progress_of


class PledgeListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("area").annotate(target_count=Count("targets"))


class PledgeDetailView(ObjectDetailView):
    select_related = ("area", "pledger_unit", "household")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pledge = self.object
        context["progress"] = progress_of(pledge.targets.all(), pledge.area, pledge.year)
        return context


class PledgeCreateView(ObjectCreateView):
    formset_class = forms.PledgeTargetFormSet
    extra_context = {"formset_title": "责任目标（完成情况按实时数据自动计算）"}


class PledgeEditView(ObjectEditView):
    formset_class = forms.PledgeTargetFormSet
    extra_context = PledgeCreateView.extra_context


class InspectionListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("area").annotate(finding_count=Count("findings"))


class InspectionDetailView(ObjectDetailView):
    select_related = ("area",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # The inspection may be the county's; its findings are shown only where the user may see.
        findings = (
            Finding.objects.restrict(user)
            .filter(inspection=self.object)
            .select_related("area", "unit", "person")
        )
        context["findings"] = list(findings)
        context["areas"] = list(self.object.areas.order_by("code"))
        context["can_add_finding"] = user.has_perm("inspections.add_finding")
        return context


class FindingListView(ObjectListView):
    """All findings in scope; `?mine=true` is the user's own unit's queue."""

    template_name = "inspections/finding_list.html"

    def scoped_queryset(self, queryset):
        return queryset.select_related("area", "unit", "person")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cadre = getattr(self.request.user, "cadre", None)
        context["my_unit"] = cadre.unit if cadre else None
        return context


class FindingDetailView(ObjectDetailView):
    select_related = ("inspection", "area", "household", "project", "subject_unit", "unit")

    def scoped_queryset(self, queryset):
        return super().scoped_queryset(queryset).select_related("person", "submitted_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        finding = self.object
        user = self.request.user
        context["steps"] = list(finding.steps.select_related("by"))
        context["accountabilities"] = (
            list(finding.accountabilities.select_related("unit"))
            if user.has_perm("inspections.view_accountability")
            else []
        )
        rectify = user.has_perm(services.RECTIFY)
        verify = user.has_perm(services.VERIFY)
        status = finding.status
        pending = context["pending_extension"] = finding.pending_extension(context["steps"])
        context["actions"] = [
            (url, label, style)
            for url, label, style, allowed in (
                (
                    "finding_plan",
                    "制定整改方案",
                    "primary",
                    rectify and status in (Status.OPEN, Status.IN_PROGRESS),
                ),
                (
                    "finding_progress",
                    "记录整改进展",
                    "outline-primary",
                    rectify and status == Status.IN_PROGRESS,
                ),
                ("finding_submit", "提交验收", "success", rectify and status == Status.IN_PROGRESS),
                ("finding_close", "验收销号", "success", verify and status == Status.SUBMITTED),
                (
                    "finding_reject",
                    "退回整改",
                    "outline-danger",
                    verify and status == Status.SUBMITTED,
                ),
                (
                    "finding_extend",
                    "申请延期",
                    "outline-secondary",
                    rectify and status in (Status.OPEN, Status.IN_PROGRESS) and not pending,
                ),
                ("finding_extension", "审批延期申请", "warning", verify and pending is not None),
            )
            if allowed
        ]
        context["own_submission"] = finding.submitted_by_id == user.pk
        context["can_hold_accountable"] = user.has_perm("inspections.add_accountability") and (
            finding.is_overdue or (finding.closed_on and finding.closed_on > finding.deadline)
        )
        return context


class StepView(ObjectActionView):
    """One rectification step on a finding; the service checks state and actor."""

    model = Finding
    action = "rectify"
    template_name = "inspections/step_form.html"

    # The step's service (inspections.services), called with the finding, the user and the form.
    service = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["steps"] = list(self.object.steps.select_related("by"))
        return context

    def perform(self, form) -> None:
        type(self).service(finding=self.object, by=self.request.user, **form.cleaned_data)


class PlanView(StepView):
    form_class = forms.PlanForm
    title = "制定整改方案"
    success_message = "整改方案已保存，问题转为“整改中”。"
    submit_label = "保存方案"
    service = services.finding_plan_record

    def get_initial(self):
        return {"plan": self.object.plan}


class ProgressView(StepView):
    form_class = forms.ProgressForm
    title = "记录整改进展"
    success_message = "整改进展已记录。"
    submit_label = "记录"
    service = services.finding_progress_record


class SubmitView(StepView):
    form_class = forms.SubmitForm
    title = "提交验收"
    success_message = "已提交验收，等待督查人员验收。"
    submit_label = "提交验收"
    service = services.finding_submit


class CloseView(StepView):
    action = "verify"
    form_class = forms.VerifyForm
    title = "验收销号"
    success_message = "验收通过，问题已销号。"
    submit_label = "验收销号"
    service = services.finding_close


class ExtensionRequestView(StepView):
    form_class = forms.ExtensionRequestForm
    title = "申请延期"
    success_message = "延期申请已提交，等待督查人员审批。"
    submit_label = "提交申请"
    service = services.finding_extension_request


class ExtensionDecisionView(StepView):
    action = "verify"
    form_class = forms.ExtensionDecisionForm
    title = "审批延期申请"
    success_message = "已审批延期申请。"
    submit_label = "提交审批意见"
    service = services.finding_extension_decide

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending"] = self.object.pending_extension(context["steps"])
        return context


class RejectView(StepView):
    action = "verify"
    form_class = forms.RejectForm
    title = "退回整改"
    success_message = "已退回，问题回到“整改中”。"
    submit_label = "退回"
    service = services.finding_reject


class AccountabilityCreateView(ObjectCreateView):
    """Opened from an overdue finding (?finding=N); back to the finding when saved."""

    def get_success_url(self) -> str:
        return self.object.finding.get_absolute_url()


class NoticeListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("unit").annotate(item_count=Count("items"))


class NoticeDetailView(ObjectDetailView):
    """The notice as a page; `print_layout` gives the A4 version."""

    model = Notice
    select_related = ("county", "unit", "area")
    print_layout = False

    def get_template_names(self):
        return [
            "inspections/notice_print.html"
            if self.print_layout
            else "inspections/notice_detail.html"
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = notice_items(self.object)
        return context


def notice_items(notice: Notice) -> list:
    return list(
        notice.items.select_related(
            "finding__area", "finding__unit", "finding__person", "finding__inspection"
        )
    )


class NoticePrintView(NoticeDetailView):
    print_layout = True


class NoticeXlsxView(NoticeDetailView):
    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        notice = self.object
        header = [
            "序号",
            "问题类别",
            "问题描述",
            "问题所在地",
            "责任单位",
            "责任人",
            "整改时限",
            "生成时状态",
            "逾期天数",
        ]
        rows = [
            [
                n,
                item.finding.get_category_display(),
                item.finding.description,
                item.finding.area.name,
                item.finding.unit.name,
                item.finding.person.name if item.finding.person_id else "",
                item.finding.deadline,
                item.get_status_display(),
                item.days_overdue,
            ]
            for n, item in enumerate(context["items"], start=1)
        ]
        sheets = [(notice.get_kind_display(), header, rows)]
        if notice.kind == "bulletin":
            sheets += bulletin_sheets(notice.summary)
        if notice.summary.get("others"):
            sheets.append(others_sheet(notice.summary["others"]))
        return xlsx_response(f"{notice.title}.xlsx", sheets)


def bulletin_sheets(summary: dict) -> list:
    head = ["新发现", "本月销号", "月末未销号", "其中逾期"]
    fields = ("new", "closed", "open", "overdue")
    townships = [[r["name"], *(r[f] for f in fields)] for r in summary.get("townships", [])]
    units = [[r["name"], *(r[f] for f in fields)] for r in summary.get("units", [])]
    return [("分乡镇", ["乡镇", *head], townships), ("分单位", ["责任单位", *head], units)]


def others_sheet(others: list[dict]) -> tuple:
    """The milestones and decisions a notice names beside its findings (inspections.notices)."""
    header = ["序号", "类别", "事项", "责任人", "责任单位", "时限", "逾期天数"]
    rows = [
        [n, o["section"], o["title"], o["owner"], o["unit"], o["due"], o["days_overdue"]]
        for n, o in enumerate(others, start=1)
    ]
    return ("其他逾期事项", header, rows)
