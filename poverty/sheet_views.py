"""The import page of every sheet kind (upload, preview, confirm), its blank template, and the
first-run guide (首次使用) that walks a county administrator through moving in."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.generic import FormView
from django_htmx.http import HttpResponseClientRefresh

from households.models import AssistanceMeasure, Household, HouseholdPairing, RosterImport
from poverty.common import excel
from poverty.common.excel import ExcelError, Limits
from poverty.common.sheetimport import MAX_BYTES
from poverty.common.tabular import check_file
from villages.choices import AreaLevel
from villages.models import (
    Area,
    Cadre,
    LeaderPairing,
    SheetImportJob,
    Unit,
    UnitPairing,
    VillagePosting,
)

from .common.views import ObjectActionView, ObjectDetailView
from .sheets import (
    KINDS,
    sheet_job_cancel,
    sheet_job_confirm,
    sheet_job_start,
    sheet_job_take_secrets,
)


class SheetForm(forms.Form):
    file = forms.FileField(
        label="文件",
        help_text=".xlsx、.xls 或 .csv；表头上方的标题行、下方的填表人等表尾行会自动跳过。"
        "先预览，确认后才写入；有任何错误则全部不写入。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_file(upload, Limits.for_upload(MAX_BYTES))
        except ExcelError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


def _kind(name: str, user):
    kind = KINDS.get(name)
    if kind is None:
        raise Http404("没有这种导入。")
    if not all(user.has_perm(p) for p in kind.permissions):
        raise PermissionDenied
    return kind


class SheetImportView(LoginRequiredMixin, FormView):
    """Upload: the file is kept with a job that a Celery worker checks and previews; its page
    then asks the uploader to confirm (SheetJobView)."""

    template_name = "sheet_import.html"
    form_class = SheetForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.kind = _kind(kwargs["kind"], request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        mine = SheetImportJob.objects.filter(user=self.request.user, kind=self.kind.kind)
        recent = mine.listed()[:5]
        return super().get_context_data(kind=self.kind, recent=recent, **kwargs)

    def form_valid(self, form):
        job = sheet_job_start(
            kind=self.kind.kind, upload=form.cleaned_data["file"], by=self.request.user
        )
        return redirect(job.get_absolute_url())


class SheetJobView(ObjectDetailView):
    """An upload's job: progress while it runs (htmx polls this page), then its preview or
    outcome; new accounts' initial passwords to their uploader, once."""

    model = SheetImportJob

    def get_template_names(self) -> list[str]:
        return ["sheet_job.html"]

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if request.htmx:
            if not self.object.is_running:
                return HttpResponseClientRefresh()
            return render(request, "includes/sheet_job_progress.html", {"object": self.object})
        response = super().get(request, *args, **kwargs)
        if self.object.secrets and self.object.user_id == request.user.pk:
            # The page that shows the passwords is the only copy: never cached anywhere.
            patch_cache_control(response, no_store=True)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["secrets"] = sheet_job_take_secrets(job=self.object, by=self.request.user)
        context["kind"] = KINDS.get(self.object.kind)
        return context


class SheetJobConfirmView(ObjectActionView):
    """确认导入 (or 放弃) a previewed sheet; its uploader's alone (the services check)."""

    model = SheetImportJob
    action = "view"
    form_class = forms.Form
    title = "确认导入"
    submit_label = "确认导入"
    success_message = "已确认，正在写入。"

    def perform(self, form) -> None:
        if "cancel" in self.request.POST:
            sheet_job_cancel(job=self.object, by=self.request.user)
            self.success_message = "已放弃这次导入，未写入任何数据。"
        else:
            sheet_job_confirm(job=self.object, by=self.request.user)


@login_required
def sheet_template(request, kind: str):
    kind = _kind(kind, request.user)
    return excel.download(f"{kind.title}导入模板.xlsx", kind.write_template)


@login_required
def setup_guide(request):
    """首次使用: the steps of moving in, each with what is there now and where to bring it."""
    user = request.user
    areas = Area.objects.restrict(user)
    imports = {kind: reverse("sheet_import", args=[kind]) for kind in KINDS}
    steps = [
        (
            "县和乡镇、村",
            "导入国家统计局的统计用区划代码表。",
            [
                ("乡镇", areas.filter(level=AreaLevel.TOWNSHIP).count()),
                ("行政村", areas.filter(level=AreaLevel.VILLAGE).count()),
            ],
            [("导入区划代码", imports["areas"], "villages.add_area")],
        ),
        (
            "帮扶单位和干部",
            "先导入单位，再导入干部（干部按证件号码或姓名+电话识别，不会重复建立）。",
            [
                ("帮扶单位", Unit.objects.restrict(user).count()),
                ("干部", Cadre.objects.restrict(user).count()),
            ],
            [
                ("导入帮扶单位", imports["units"], "villages.add_unit"),
                ("导入干部", imports["cadres"], "villages.add_cadre"),
            ],
        ),
        (
            "用户账号",
            "为乡镇、村的工作人员建立账号：导入后每个新账号的初始密码只显示一次，首次登录须修改。",
            [("账号", user.__class__.objects.filter(areas__in=areas).distinct().count())],
            [("导入用户账号", imports["accounts"], "accounts.add_user")],
        ),
        (
            "建档立卡花名册",
            "上传从全国扶贫开发信息系统导出的花名册（.xls、.xlsx 或 .csv）。",
            [
                ("贫困户", Household.objects.restrict(user).count()),
                ("导入记录", RosterImport.objects.restrict(user).count()),
            ],
            [("上传花名册", reverse("households:rosterimport_add"), "households.add_rosterimport")],
        ),
        (
            "驻村和结对",
            "驻村任职（第一书记、工作队）、单位包村、领导包联、结对帮扶。",
            [
                ("驻村任职", VillagePosting.objects.restrict(user).count()),
                ("单位包村", UnitPairing.objects.restrict(user).count()),
                ("领导包联", LeaderPairing.objects.restrict(user).count()),
                ("结对帮扶", HouseholdPairing.objects.restrict(user).count()),
            ],
            [
                ("导入驻村任职", imports["postings"], "villages.add_villageposting"),
                ("导入单位包村", imports["unit-pairings"], "villages.add_unitpairing"),
                ("导入领导包联", imports["leader-pairings"], "villages.add_leaderpairing"),
                ("导入结对帮扶", imports["household-pairings"], "households.add_householdpairing"),
            ],
        ),
        (
            "帮扶措施",
            "每户的帮扶措施（类别、内容、金额、起止日期、责任人），与致贫原因对照查找缺口。",
            [
                ("帮扶措施", AssistanceMeasure.objects.restrict(user).count()),
                (
                    "有措施的户",
                    AssistanceMeasure.objects.restrict(user).values("household").distinct().count(),
                ),
            ],
            [("导入帮扶措施", imports["measures"], "households.add_assistancemeasure")],
        ),
    ]
    shown = [
        (title, text, counts, [(label, url) for label, url, perm in links if user.has_perm(perm)])
        for title, text, counts, links in steps
    ]
    return render(request, "setup_guide.html", {"steps": shown})
