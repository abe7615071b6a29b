"""Pages of 出列 and 摘帽: the standards, the readings, and an area's page (its indicators, its
procedure, and for a township or county its poor villages) with a page per procedure step."""

from __future__ import annotations

import contextlib

from django import forms as django_forms
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from households.models import head_name_of
from poverty.common.excel import xlsx_response
from poverty.common.views import (
    ObjectActionView,
    ObjectCreateView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)
from poverty.dashboard.stats import exit_statistics
from villages.choices import AreaLevel
from villages.models import Area

from . import forms, selectors, services
from .choices import GUARANTEES, LEVEL_OF_AREA, RehearsalStatus, Step, Stratum, Verdict
from .models import ExitStep, Rehearsal, Survey
from .rehearsal import INCOME_ITEMS, rehearsal_close, rehearsal_draw, survey_record
from .rehearsal import results as rehearsal_results

VIEW_PERMISSION = "exits.view_exitstep"


class StandardDetailView(ObjectDetailView):
    select_related = ("area",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = list(self.object.items.all())
        return context


class StandardCreateView(ObjectCreateView):
    formset_class = forms.ItemFormSet
    extra_context = {"formset_title": "退出指标"}


class StandardEditView(ObjectEditView):
    formset_class = forms.ItemFormSet
    extra_context = StandardCreateView.extra_context


class StandardListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("area")


class ReadingListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("area", "item")


class ReadingCreateView(ObjectCreateView):
    def save_object(self, form):
        return services.reading_record(reading=form.instance, by=self.request.user)


class ExitStepListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("area", "taken_by")


def year_of(request, area: Area) -> int:
    """?year=, else the area's own (exits.selectors.default_year)."""
    with contextlib.suppress(TypeError, ValueError):
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
        if 2013 <= year <= 2035:
            return year
    return selectors.default_year(area, timezone.localdate().year)


class AreaExitView(ObjectDetailView):
    """An area's exit page: a poor village's 出列 or a county's 摘帽 indicators, met or not, with
    the procedure; for a township or county, each of its poor villages (what holds it back)."""

    model = Area
    permission = VIEW_PERMISSION
    template_name = "exits/area.html"

    def get_template_names(self) -> list[str]:
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area, user = self.object, self.request.user
        year = year_of(self.request, area)
        context["year"] = year
        if LEVEL_OF_AREA.get(area.level) and area.is_poor:
            context["evaluation"] = selectors.evaluate(area, year)
            context["steps"] = list(
                ExitStep.objects.filter(area=area, year=year).select_related("taken_by")
            )
            step = services.next_step(area, year)
            context["next_step"] = (
                (step, Step(step).label)
                if step and user.has_perm(services.ADD_PERMISSION)
                else None
            )
        if area.level in (AreaLevel.TOWNSHIP, AreaLevel.COUNTY):
            context["villages"] = villages_of(area, year, user)
        context["can_record"] = user.has_perm("exits.add_reading")
        return context


def villages_of(area: Area, year: int, user) -> list:
    """The poor villages under a township or county with their evaluation for `year`."""
    villages = list(
        Area.objects.restrict(user)
        .under([area.code])
        .filter(level=AreaLevel.VILLAGE, is_poor=True)
        .select_related("parent")
        .order_by("code")
    )
    # The exit statistics' own incidence rate of each village, a township at a time (a few
    # queries per township, whatever its size).
    rates = {}
    for township in {v.parent_id: v.parent for v in villages}.values():
        for child in exit_statistics(township, year)["children"]:
            rates[child["area"]["code"]] = child["incidence_rate"]
    evaluations = selectors.evaluate_many(villages, year, rates)
    return [evaluations[v.pk] for v in villages]


class StepView(ObjectActionView):
    """One step of an area's exit (exits.services.exit_step)."""

    model = Area
    action = "view"
    permission = services.ADD_PERMISSION
    step: str = ""

    def get_form_class(self):
        return {
            Step.PROPOSE: forms.ProposeForm,
            Step.PUBLICISE: forms.PubliciseForm,
        }.get(self.step, forms.StepForm)

    @property
    def title(self) -> str:
        return f"{Step(self.step).label}（{self.object.name}）"

    @property
    def success_message(self) -> str:
        return f"已办理“{Step(self.step).label}”。"

    def get_initial(self):
        if self.step == Step.PUBLICISE:
            today = timezone.localdate()
            return {"start": today, "end": today + timezone.timedelta(days=6)}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.step == Step.PROPOSE:
            context["evaluation"] = selectors.evaluate(
                self.object, year_of(self.request, self.object)
            )
        return context

    def get_template_names(self):
        return ["exits/step.html"]

    def perform(self, form) -> None:
        services.exit_step(
            area=self.object,
            year=year_of(self.request, self.object),
            step=self.step,
            by=self.request.user,
            **form.cleaned_data,
        )

    def get_success_url(self) -> str:
        return (
            reverse("exits:area", args=[self.object.pk])
            + f"?year={year_of(self.request, self.object)}"
        )


def home(request):
    """The user's own area's exit page (the menu's entry); the standards for a user without
    an area."""
    area = request.user.areas.order_by("code").first()
    if area is None:
        return redirect("exits:standard_list")
    return AreaExitView.as_view()(request, pk=area.pk)


# --- 第三方评估预评估 ---------------------------------------------------------------------


class RehearsalListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("area")


class RehearsalDetailView(ObjectDetailView):
    """A rehearsal: its sample by village, the rates so far (kept ones once completed), and the
    steps: draw, the questionnaires, complete."""

    model = Rehearsal
    select_related = ("area", "closed_by", "inspection")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rehearsal, user = self.object, self.request.user
        context["villages"] = rehearsal_villages(rehearsal, user)
        if rehearsal.status == RehearsalStatus.CLOSED:
            context["results"] = rehearsal.results
        elif rehearsal.status == RehearsalStatus.DRAWN:
            context["results"] = rehearsal_results(rehearsal).as_dict()
        context["rates"] = rate_rows(context.get("results"))
        context["can_act"] = user.has_perm("exits.change_rehearsal")
        return context


RATES = (
    ("wrong_exit", "错退率", "错退人口 ÷ 抽查已脱贫人口"),
    ("missed", "漏评率", "漏评人口 ÷ 调查非建档立卡人口"),
    ("satisfaction", "群众认可度", "认可户 ÷ 作答建档立卡户"),
)


def _pct(value) -> str:
    return f"{value * 100:.2f}%" if value is not None else "—"


def rate_rows(results: dict | None) -> list[dict]:
    """The results' rates as the page and the export show them (percent, ± margin)."""
    if not results:
        return []
    rows = [
        {
            "label": label,
            "numerator": results[key]["numerator"],
            "denominator": results[key]["denominator"],
            "percent": _pct(results[key]["value"]),
            "margin": f"±{_pct(results[key]['margin'])}"
            if results[key]["margin"] is not None
            else "",
            "note": note,
        }
        for key, label, note in RATES
    ]
    rows.append(
        {
            "label": "综合贫困发生率",
            "numerator": "",
            "denominator": "",
            "percent": _pct(results.get("composite")),
            "margin": "",
            "note": "（剩余贫困人口＋漏评率×非建档立卡农业人口＋错退率×累计脱贫人口）÷农业户籍人口",
        }
    )
    return rows


def rehearsal_villages(rehearsal: Rehearsal, user) -> list[dict]:
    """Per sampled village: poor or not, and questionnaires done / planned per stratum."""
    rows: dict[int, dict] = {}
    for row in (
        Survey.objects.restrict(user)
        .filter(rehearsal=rehearsal)
        .values("village_id", "village__name", "village_poor", "stratum")
        .annotate(
            planned=Count("pk", filter=~Q(stratum=Stratum.OTHER) | ~Q(head_name="")),
            done=Count("pk", filter=~Q(verdict="")),
            errors=Count("pk", filter=Q(verdict__in=[Verdict.WRONGLY_EXITED, Verdict.MISSED])),
        )
        .order_by("village__code")
    ):
        village = rows.setdefault(
            row["village_id"],
            {"pk": row["village_id"], "name": row["village__name"], "poor": row["village_poor"]},
        )
        village[row["stratum"]] = f"{row['done']}/{row['planned']}"
        village["errors"] = village.get("errors", 0) + row["errors"]
    return list(rows.values())


class RehearsalCreateView(ObjectCreateView):
    pass


class DrawView(ObjectActionView):
    model = Rehearsal
    form_class = django_forms.Form
    title = "按规则抽样"
    submit_label = "开始抽样"
    success_message = "已抽样，可打印问卷或用手机逐户填写。"

    def perform(self, form) -> None:
        rehearsal_draw(rehearsal=self.object, by=self.request.user)


class CloseView(ObjectActionView):
    model = Rehearsal
    form_class = django_forms.Form
    title = "完成预评估"
    submit_label = "确认完成"
    success_message = "预评估已完成：结果已存档，错退、漏评户已转为督查问题。"

    def perform(self, form) -> None:
        rehearsal_close(rehearsal=self.object, by=self.request.user)


class QuestionnaireView(ObjectDetailView):
    """The questionnaires to print (A4), a sampled village after another."""

    model = Rehearsal
    select_related = ("area",)
    template_name = "exits/questionnaires.html"

    def get_template_names(self) -> list[str]:
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["surveys"] = list(
            Survey.objects.restrict(self.request.user)
            .filter(rehearsal=self.object)
            .select_related("village", "household")
            .annotate(household_head=head_name_of("household_id"))
        )
        return context


class RehearsalXlsxView(RehearsalDetailView):
    """The results and every questionnaire as .xlsx."""

    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        rows = [
            [r["label"], r["numerator"], r["denominator"], r["percent"], r["margin"]]
            for r in context["rates"]
        ]
        answers = [
            [
                s.village.name,
                s.get_stratum_display(),
                s.household.code if s.household_id else s.head_name,
                s.persons or "",
                s.surveyed_on or "",
                *(
                    getattr(s, item) if getattr(s, item) is not None else ""
                    for item in INCOME_ITEMS
                ),
                s.income if s.income is not None else "",
                *(
                    {True: "是", False: "否"}.get(getattr(s, f), "")
                    for f in (*GUARANTEES, "satisfied")
                ),
                s.get_verdict_display(),
            ]
            for s in Survey.objects.restrict(self.request.user)
            .filter(rehearsal=self.object)
            .select_related("village", "household")
        ]
        header = ["村", "类别", "户", "人口", "调查日期", "工资性", "经营性", "财产性", "转移性"]
        header += ["经营支出", "人均纯收入", "不愁吃", "不愁穿"]
        header += ["义务教育", "基本医疗", "住房安全", "饮水安全", "认可", "结论"]
        return xlsx_response(
            f"{self.object.title}.xlsx",
            [
                ("评估结果", ["指标", "分子", "分母", "比率", "95%误差"], rows),
                ("调查户", header, answers),
            ],
        )


class SurveyListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("village", "household")


class SurveyDetailView(ObjectDetailView):
    select_related = ("rehearsal", "village", "household", "surveyor", "finding")
    template_name = "exits/survey_detail.html"

    def get_template_names(self) -> list[str]:
        return [self.template_name]


class SurveyRecordView(ObjectActionView):
    """The questionnaire filled at the door (exits.rehearsal.survey_record)."""

    model = Survey
    form_class = forms.SurveyForm
    submit_label = "保存问卷"
    success_message = "问卷已保存。"

    title = "填写问卷"

    def get_initial(self):
        survey = self.object
        initial = {
            name: getattr(survey, name)
            for name in (
                "head_name",
                "address",
                "persons",
                "income",
                "note",
                "satisfied",
                *INCOME_ITEMS,
            )
        }
        initial.update({f: getattr(survey, f) for f in GUARANTEES})
        initial["surveyed_on"] = survey.surveyed_on or timezone.localdate()
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.object.household_id:  # a registered household: its name is the registry's
            del form.fields["head_name"]
        return form

    def perform(self, form) -> None:
        survey_record(survey=self.object, by=self.request.user, **form.cleaned_data)
