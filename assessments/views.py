"""Pages of the assessment: schemes with their indicators, groups, scores and deductions, the
computing and publishing steps, and the results (page and .xlsx)."""

from __future__ import annotations

from django import forms as django_forms
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
from .models import Group, Scheme


class SchemeListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("area")


class SchemeDetailView(ObjectDetailView):
    select_related = ("area", "published_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scheme = self.object
        context["indicators"] = list(scheme.indicators.all())
        context["groups"] = list(
            Group.objects.restrict(self.request.user)
            .filter(scheme=scheme)
            .prefetch_related("members", "areas", "units")
        )
        context.update(results_context(scheme, self.request.user))
        user = self.request.user
        for key, perm in (
            ("group", "add_group"),
            ("score", "add_score"),
            ("adjust", "add_adjustment"),
        ):
            context[f"can_{key}"] = user.has_perm(f"assessments.{perm}")
        return context


def results_context(scheme: Scheme, user) -> dict:
    indicators = list(scheme.indicators.all())
    rows = services.results(scheme, user)
    return {
        "indicators": indicators,
        "rows": [(row, [row.points.get(i.pk) for i in indicators]) for row in rows],
    }


class SchemeCreateView(ObjectCreateView):
    formset_class = forms.IndicatorFormSet
    extra_context = {"formset_title": "考核指标（分值合计一般为100分）"}


class SchemeEditView(ObjectEditView):
    formset_class = forms.IndicatorFormSet
    extra_context = SchemeCreateView.extra_context


class ComputeView(ObjectActionView):
    model = Scheme
    form_class = django_forms.Form
    title = "按实时数据计分"
    success_message = "自动计分指标已按实时数据重新计算。"
    submit_label = "开始计分"

    def perform(self, form) -> None:
        services.compute_scores(scheme=self.object, by=self.request.user)


class PublishView(ObjectActionView):
    model = Scheme
    form_class = django_forms.Form
    title = "公布考核结果"
    success_message = "考核结果已公布，此后不能再修改。"
    submit_label = "确认公布"

    def perform(self, form) -> None:
        services.publish(scheme=self.object, by=self.request.user)


class ResultsView(ObjectDetailView):
    """The results and ranking (考核结果), printable."""

    model = Scheme
    select_related = ("area",)
    template_name = "assessments/results.html"

    def get_template_names(self) -> list[str]:
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(results_context(self.object, self.request.user))
        return context


class SchemeXlsxView(ResultsView):
    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        indicators = context["indicators"]
        header = ["名次", "考核对象", *(f"{i.name}（{i.weight}分）" for i in indicators)]
        header += ["指标得分", "加减分", "总分"]
        rows = [
            [
                row.rank,
                str(row.assessee),
                *(p if p is not None else "" for p in points),
                row.indicator_total,
                row.adjustments,
                row.total,
            ]
            for row, points in context["rows"]
        ]
        return xlsx_response(f"{self.object.title}.xlsx", [("考核结果", header, rows)])


class GroupListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("scheme")


class ScoreCreateView(ObjectCreateView):
    def save_object(self, form):
        data = form.cleaned_data
        return services.score_manual(
            indicator=data["indicator"],
            assessee=data["assessed"] or data["unit"],
            points=data["points"],
            basis=data["basis"],
            evidence=data.get("evidence"),
            by=self.request.user,
        )


class AdjustmentCreateView(ObjectCreateView):
    def save_object(self, form):
        data = form.cleaned_data
        return services.adjust(
            scheme=data["scheme"],
            assessee=data["assessed"] or data["unit"],
            kind=data["kind"],
            points=data["points"],
            reason=data["reason"],
            evidence=data.get("evidence"),
            by=self.request.user,
        )


class ScoreListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("scheme", "indicator", "assessed", "unit")


class AdjustmentListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("scheme", "assessed", "unit")
