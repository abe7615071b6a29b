"""Pages of the registry: the household file (一户一档), its forms, the exit-procedure steps,
the printable 明白卡 and village notice, the phone visit form and the 疑点 worklist."""

from __future__ import annotations

import contextlib
from pathlib import Path

from django import forms as django_forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django_htmx.http import HttpResponseClientRefresh

from poverty.common import excel
from poverty.common.filters import described
from poverty.common.geo import distance_text
from poverty.common.jobs import queue_after_commit
from poverty.common.months import month_start, parse_month
from poverty.common.views import (
    ObjectActionView,
    ObjectCreateView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectPickView,
)
from poverty.personal.access import may_download, record_access
from poverty.personal.masking import can_see_sensitive
from villages.choices import AreaLevel, PostingRole
from villages.models import Area, VillagePosting

from . import forms, readiness, services, tables, tasks
from .choices import ExitStep, HouseholdStatus, QualityStatus
from .filtersets import HouseholdFilterSet
from .models import (
    ExitRecord,
    Household,
    HouseholdPairing,
    IncomeRecord,
    PovertyLine,
    QualityIssue,
    RosterExport,
    RosterImport,
    Visit,
)
from .quality import RULES, check_quality
from .roster import export_roster, households_for_export
from .roster.jobs import roster_import_cancel, roster_import_confirm
from .roster.mapping import roster_import_map
from .selectors import audit_trail, visit_coverage


class HouseholdListView(ObjectListView):
    """The household list. Two things are POSTed to it: a search by ID number (the number stays
    out of the address: access logs, proxies, the browser's history), and the export of the
    filtered list in the roster layout (it may start a job: never on a GET, which a link
    prefetch or another site's <img> could send)."""

    template_name = "households/household_list.html"

    def scoped_queryset(self, queryset):
        return super().scoped_queryset(queryset).with_summary().ids_first()

    def post(self, request, *args, **kwargs):
        if request.POST.get("export") == "xlsx":
            return self.export(request)
        return super().get(request, *args, **kwargs)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if self.request.method == "POST":
            kwargs["data"] = {"q": self.request.POST.get("q", "")}
        return kwargs

    def export(self, request):
        """The list as its filter (the query string, or a posted search) shows it: written at
        once when small, else by a job with a progress bar."""
        query = request.GET.copy()
        query.pop("export", None)
        query.pop("page", None)
        if request.POST.get("q"):
            query["q"] = request.POST["q"]
        query = query.urlencode()
        households = households_for_export(request.user, query)
        if households.count() > settings.ROSTER_EXPORT_INLINE:
            # Too many to write while the browser waits: a job with a progress bar.
            job = RosterExport.objects.create(
                user=request.user, area=RosterExport.area_of(request.user), query=query
            )
            queue_after_commit(tasks.export_roster, job)
            return redirect(job)
        name = f"花名册-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
        return excel.download(name, lambda path: export_roster(path, households, user=request.user))


class HouseholdFormMixin:
    formset_class = forms.MemberFormSet

    def save_forms(self, form, formset) -> Household:
        """The household and its members as one workflow (households.services)."""
        household = form.save(commit=False)
        members = formset.save(commit=False)
        if self.action == "add":
            return services.household_create(
                household=household, members=members, by=self.request.user
            )
        return services.household_update(
            household=household,
            members=members,
            removed=formset.deleted_objects,
            seen_version=form.cleaned_data.get("seen_version"),
            by=self.request.user,
        )


class HouseholdPickView(ObjectPickView):
    """Matches for a household search box, searched as the household list searches."""

    model = Household
    filterset_class = HouseholdFilterSet
    template_name = "households/household_pick.html"

    def scoped_queryset(self, queryset):
        return queryset.with_head().select_related("village").order_by("code")


class HouseholdCreateView(HouseholdFormMixin, ObjectCreateView):
    pass


class HouseholdEditView(HouseholdFormMixin, ObjectEditView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # The member forms show full ID numbers to users allowed to see them.
        record_access(user=request.user, households=[self.object.pk], what="编辑户信息")
        return response


def household_members(household: Household, user, members=None) -> list[dict]:
    """Members as this user may see them: full ID and health only with the permission
    (`members`: the household's, already read)."""
    sensitive = can_see_sensitive(user)
    rows = []
    for m in household.members.all() if members is None else members:
        rows.append(
            {
                "member": m,
                "id_number": m.id_number if sensitive else m.id_number_masked,
                "health": m.get_health_display() if sensitive else "***",
                "age": m.age,
            }
        )
    return rows


class HouseholdDetailView(ObjectDetailView):
    """一户一档: everything about one household on one page."""

    def scoped_queryset(self, queryset):
        return super().scoped_queryset(queryset).with_summary()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        household, user = self.object, self.request.user
        sensitive = can_see_sensitive(user)
        # Read once for their lists and for the exit readiness below (which keeps the members
        # it judged: the page lists those).
        incomes = list(household.incomes.all())
        assessments = list(household.assessments.select_related("assessor"))
        # An exited household's exit as it can be defended; another's, for its 脱贫时限.
        context["readiness"] = readiness.explain(
            household, household.exit_year, incomes=incomes, assessments=assessments
        )
        context["members"] = household_members(household, user, context["readiness"].members)
        context["sensitive"] = sensitive
        context["phone"] = household.phone if sensitive else None
        context["incomes"] = incomes
        context["assessments"] = assessments
        context["measures"] = household.measures.select_related("cadre")
        context["pairings"] = household.pairings.select_related("cadre", "cadre__unit")
        context["visits"] = household.visits.select_related("cadre")[:20]
        context["exit_records"] = household.exit_records.select_related("taken_by")
        context["periods"] = household.periods.select_related("village")
        context["quality_issues"] = household.quality_issues.exclude(status=QualityStatus.FIXED)
        context["rules"] = RULES
        context["steps"] = (
            services.available_steps(household) if user.has_perm(services.CHANGE_PERMISSION) else []
        )
        context["can_visit"] = user.has_perm("households.add_visit")
        context["can_measure"] = user.has_perm("households.add_assistancemeasure")
        context["can_change"] = user.has_perm("households.change_household")
        context["can_income"] = user.has_perm("households.add_incomerecord")
        context["can_assess"] = user.has_perm("households.add_assessment")
        context["can_pair"] = user.has_perm("households.add_householdpairing")
        record_access(user=user, households=[household.pk], what="查看一户一档")
        return context


class HouseholdAuditView(ObjectDetailView):
    """The household page's 变更记录, loaded into it when scrolled into view (htmx): field by
    field for the household, its members, measures and incomes. Most visits to a household
    never scroll that far, and building it cost a sixth of the page."""

    model = Household

    def get_template_names(self) -> list[str]:
        return ["households/household_audit.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["audit"] = audit_trail(self.object, sensitive=can_see_sensitive(user))
        # Full ID numbers and phones in the changes are logged, as on the page itself.
        record_access(user=user, households=[self.object.pk], what="查看变更记录")
        return context


class ReadinessView(ObjectListView):
    """退出条件排查: the remaining households judged for their 脱贫时限, criterion by criterion
    (households.readiness), with the count per blocking reason for each area under the one
    shown. The list's filters apply to both; each count links to its households."""

    model = Household
    filterset_class = HouseholdFilterSet
    table_class = tables.ReadinessTable
    template_name = "households/readiness.html"

    def scoped_queryset(self, queryset):
        return readiness.remaining(super().scoped_queryset(queryset))

    def get_table_data(self):
        return readiness.annotate(self.object_list.with_head().select_related("village"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        within = self.filterset.form.cleaned_data.get("within") if self.filterset.is_bound else None
        areas = list(user.areas.all())
        top = within or (areas[0] if len(areas) == 1 else None)
        key = readiness.BREAKDOWN.get(top.level if top else AreaLevel.COUNTY, "village_id")
        tallies = readiness.tally(self.object_list, key)
        names = dict(Area.objects.filter(pk__in=tallies).order_by("code").values_list("pk", "name"))
        query = self.request.GET.copy()
        for name in ("readiness", "within", "page"):
            query.pop(name, None)
        context["rows"] = [
            {"pk": pk, "name": names.get(pk, ""), "tally": t} for pk in names for t in [tallies[pk]]
        ]
        context["total"] = readiness.by_reason(tallies.values())
        context["criteria"] = readiness.CRITERIA
        context["query"] = query.urlencode()
        context["top"] = top
        return context


class HouseholdCardView(ObjectDetailView):
    """明白卡: a one-page card for the household's wall, with the paired cadre's phone in full.

    The cadre's number is printed on purpose so the household can call; the household's own
    ID numbers, phone and health are not on the card.
    """

    model = Household
    template_name = "households/household_card.html"

    def get_template_names(self):
        return [self.template_name]

    def scoped_queryset(self, queryset):
        return super().scoped_queryset(queryset).with_summary()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        household = self.object
        context["pairing"] = (
            HouseholdPairing.objects.active()
            .filter(household=household)
            .select_related("cadre", "cadre__unit")
            .first()
        )
        context["measures"] = household.measures.exclude(status="stopped").select_related("cadre")
        context["first_secretary"] = (
            VillagePosting.objects.active()
            .filter(village=household.village, role=PostingRole.FIRST_SECRETARY)
            .select_related("cadre")
            .first()
        )
        context["village_name"] = household.village.full_name()
        context["today"] = timezone.localdate()
        return context


class ExitNoticeView(ObjectDetailView):
    """村内公示: the households of an area now in publicity, for posting (A4).

    Only what a notice may show: no ID numbers, phone numbers, bank accounts or health.
    """

    model = Area
    template_name = "households/exit_notice.html"

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, area = self.request.user, self.object
        households = (
            Household.objects.restrict(user)
            .under([area.code])
            .filter(status=HouseholdStatus.PUBLICISED)
            .with_summary()
            .order_by("village__code", "group", "code")
        )
        records = {
            r.household_id: r
            for r in ExitRecord.objects.filter(
                household__in=households.values("pk"), step=ExitStep.PUBLICISE
            ).order_by("taken_at")
        }
        incomes = {}
        proposals = {
            r.household_id: r.year
            for r in ExitRecord.objects.filter(
                household__in=households.values("pk"), step=ExitStep.PROPOSE
            ).order_by("taken_at")
        }
        for hid, year, net in IncomeRecord.objects.filter(
            household__in=households.values("pk")
        ).values_list("household_id", "year", "per_capita_net"):
            if proposals.get(hid) == year:
                incomes[hid] = net
        rows = []
        for h in households:
            record = records.get(h.pk)
            rows.append(
                {
                    "household": h,
                    "publicity": record,
                    "year": proposals.get(h.pk),
                    "income": incomes.get(h.pk),
                }
            )
        periods = {
            (r["publicity"].publicity_start, r["publicity"].publicity_end)
            for r in rows
            if r["publicity"]
        }
        context["rows"] = rows
        context["periods"] = sorted(periods)
        context["places"] = sorted({r["publicity"].publicity_place for r in rows if r["publicity"]})
        context["area_name"] = area.full_name()
        context["today"] = timezone.localdate()
        return context


class ExitStepView(ObjectActionView):
    """One step of the exit procedure (or return to poverty, monitoring) on a household."""

    model = Household
    step: str = ""

    def get_form_class(self):
        return getattr(forms, services.STEPS[self.step].form)

    def get_initial(self):
        today = timezone.localdate()
        if self.step == "propose":
            # This year, once its standard is set; otherwise the household's own deadline.
            has_line = PovertyLine.objects.filter(year=today.year).exists()
            return {"year": today.year if has_line else self.object.planned_exit_year}
        if self.step == "publicise":
            return {"start": today, "end": today + timezone.timedelta(days=6)}
        if self.step == "return":
            return {"year": today.year}
        return {}

    @property
    def title(self) -> str:
        return services.STEPS[self.step].label

    @property
    def success_message(self) -> str:
        return f"已办理“{self.title}”。"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.step == "propose":
            year = context["form"].initial.get("year") or timezone.localdate().year
            with contextlib.suppress(ValueError):
                year = int(self.request.POST.get("year", year))
            context["readiness"] = readiness.explain(self.object, year)
        return context

    def get_template_names(self):
        return ["households/exit_step.html"]

    def perform(self, form) -> None:
        services.STEPS[self.step].perform(
            household=self.object, by=self.request.user, **form.cleaned_data
        )


class RecheckView(ObjectActionView):
    """Run the data-quality rules on one household now (after fixing its data)."""

    model = Household
    form_class = django_forms.Form
    title = "重新检查疑点"
    submit_label = "立即检查"

    def perform(self, form) -> None:
        result = check_quality(Household.objects.filter(pk=self.object.pk))
        self.success_message = (
            f"检查完成：新发现{result.opened + result.reopened}项，"
            f"仍存在{result.still}项，已消除{result.resolved}项。"
        )


class VisitCreateView(ObjectCreateView):
    """入户走访 from a phone: the form is short and the cadre's own households come first."""

    def get_success_url(self) -> str:
        return self.object.household.get_absolute_url()


class VisitDetailView(ObjectDetailView):
    """A visit with where it was recorded and how far that is from the village's reference
    point, for whoever checks that visits happened."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visit = self.object
        if visit.latitude is not None:
            accuracy = f"（精度约{visit.accuracy}米）" if visit.accuracy is not None else ""
            context["fields"].append(
                ("记录位置", f"纬度{visit.latitude}，经度{visit.longitude}{accuracy}")
            )
            metres = visit.distance_from_village
            context["fields"].append(
                (
                    "距村委会",
                    distance_text(metres) if metres is not None else "村委会位置未登记",
                )
            )
        else:
            context["fields"].append(("记录位置", "未附位置"))
        if visit.recorded_at:
            context["fields"].append(
                ("记录时间", f"{timezone.localtime(visit.recorded_at):%Y-%m-%d %H:%M}")
            )
        return context


class VisitReviewedView(ObjectActionView):
    """The cadre has checked a visit recorded offline against the household changed meanwhile
    (households/field.py flagged it): the flag goes, the history keeps who cleared it."""

    model = Visit
    form_class = django_forms.Form
    title = "核对离线走访"
    submit_label = "已核对"
    success_message = "已标记为核对无误。"

    def perform(self, form) -> None:
        self.object.needs_review = False
        self.object._history_user = self.request.user
        self.object._change_reason = "离线走访已核对"
        self.object.save(update_fields=["needs_review", "updated_at"])


class VisitCoverageView(ObjectDetailView):
    """走访覆盖: for an area and a month (?month=YYYY-MM, this month by default), the paired
    households visited per village and per cadre, least covered first. Whole on its own page;
    the township page loads the body (htmx)."""

    model = Area

    def get_template_names(self):
        if self.request.htmx:
            return ["households/visit_coverage_body.html"]
        return ["households/visit_coverage.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = month_start(timezone.localdate())
        text = self.request.GET.get("month", "")
        if text:
            try:
                month = parse_month(text)
            except ValidationError as exc:
                context["month_error"] = f"{exc.messages[0]}已显示本月。"
        context["coverage"] = visit_coverage(self.object, month, self.request.user)
        return context


class RosterImportListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return super().scoped_queryset(queryset).listed()


class RosterImportCreateView(ObjectCreateView):
    """Upload: the file is kept with the job, which a Celery worker runs after the commit."""

    def after_save(self, form, formset) -> None:
        queue_after_commit(tasks.import_roster, self.object)


class JobDetailView(ObjectDetailView):
    """A roster job's page: htmx polls it for the progress bars (households/job_progress.html)
    while the job runs; the poll that finds it ended reloads the whole page, which then shows
    the outcome (counts, errors, the finishing time) and stops polling."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if request.GET.get("download"):
            return self.download(request.GET["download"])
        if request.htmx:
            if not self.object.is_running:
                return HttpResponseClientRefresh()
            return render(request, "households/job_progress.html", {"object": self.object})
        return super().get(request, *args, **kwargs)

    def download(self, what: str) -> FileResponse:
        raise Http404


class RosterImportDetailView(JobDetailView):
    """An upload's job; ?download=errors gives the copy of the file with its errors marked.
    Its uploader gets the mapping step while columns are unknown and nothing is written."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        if (
            job.unknown_columns
            and job.user_id == self.request.user.pk
            and job.status in (RosterImport.Status.PREVIEWED, RosterImport.Status.FAILED)
        ):
            context["mapping_form"] = forms.RosterMappingStepForm(job=job)
        context["may_download"] = may_download(self.request.user, made_by_id=job.user_id)
        return context

    def download(self, what: str) -> FileResponse:
        job, user = self.object, self.request.user
        if what != "errors" or not job.error_file:
            raise Http404("没有错误标注文件。")
        # The uploader's rows, full ID numbers and phones included.
        if not may_download(user, made_by_id=job.user_id):
            raise Http404(
                "错误标注文件含完整身份证号和电话，仅上传人和有敏感数据权限的用户可以下载。"
            )
        record_access(user=user, households=[None], what="下载导入错误标注文件", full_only=False)
        return FileResponse(
            self.object.error_file.open("rb"),
            as_attachment=True,
            # Always a workbook, whatever was uploaded (.xls, .csv).
            filename=f"错误-{Path(self.object.file_name).stem}.xlsx",
        )


class RosterImportConfirmView(ObjectActionView):
    """确认导入 (or 放弃) a previewed upload; the uploader's alone (the service checks)."""

    model = RosterImport
    action = "add"
    form_class = forms.RosterImportConfirmForm
    title = "确认导入花名册"
    submit_label = "确认导入"
    success_message = "已确认，正在写入。"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "job": self.object}

    def perform(self, form) -> None:
        if "cancel" in self.request.POST:
            roster_import_cancel(job=self.object, by=self.request.user)
            self.success_message = "已放弃这次导入，未写入任何数据。"
            return
        roster_import_confirm(
            job=self.object,
            by=self.request.user,
            removals_checked=form.cleaned_data.get("removals_checked", False),
        )


class RosterImportMapView(ObjectActionView):
    """The mapping step: the uploader says what the unknown columns are; checked again."""

    model = RosterImport
    action = "add"
    form_class = forms.RosterMappingStepForm
    title = "设置列名对应"
    submit_label = "按此对应并重新校验"
    success_message = "已设置列名对应，正在重新校验。"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "job": self.object}

    def perform(self, form) -> None:
        roster_import_map(
            job=self.object,
            by=self.request.user,
            columns=form.columns(),
            template_name=form.cleaned_data["template_name"],
        )


class RosterExportDetailView(JobDetailView):
    """A large export's job; ?download=1 gives the file, to the user who asked for it alone (it
    may hold full ID numbers). The page says in words what the export's filter chose; the search
    text (it may be an ID number or a name) only to the user who exported."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = QueryDict(self.object.query, mutable=True)
        hidden = self.object.user_id != self.request.user.pk and any(query.pop("q", []))
        filterset = HouseholdFilterSet(
            query, queryset=Household.objects.none(), request=self.request
        )
        context["filters"] = described(filterset) + (
            [("搜索", "（仅导出人可见）")] if hidden else []
        )
        context["list_query"] = query.urlencode()
        return context

    def download(self, what: str) -> FileResponse:
        job = self.object
        if job.user_id != self.request.user.pk or not job.file:
            raise Http404("没有可下载的文件。")
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)


class QualityIssueEditView(ObjectEditView):
    def save_object(self, form) -> QualityIssue:
        return services.quality_issue_resolve(
            issue=form.instance,
            by=self.request.user,
            status=form.cleaned_data["status"],
            explanation=form.cleaned_data["explanation"],
        )


class QualityIssueListView(ObjectListView):
    """The worklist, with counts per rule for the filtered set (one grouped query)."""

    template_name = "households/qualityissue_list.html"

    def scoped_queryset(self, queryset):
        return super().scoped_queryset(queryset).select_related("household__village")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        qs = context["filter"].qs
        counts = dict(
            qs.filter(status=QualityStatus.OPEN)
            .order_by()
            .values("rule")
            .annotate(n=Count("pk"))
            .values_list("rule", "n")
        )
        context["rule_counts"] = [(r, counts.get(r.code, 0)) for r in RULES.values()]
        return context
