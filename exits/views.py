"""Pages of 出列 and 摘帽: the standards, the readings, and an area's page (its indicators, its
procedure, and for a township or county its poor villages) with a page per procedure step."""

from __future__ import annotations

import contextlib

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

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
from .choices import LEVEL_OF_AREA, Step
from .models import ExitStep

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
