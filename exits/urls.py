from django.contrib.auth.decorators import login_required
from django.urls import path

from poverty.common.views import crud_urls

from . import filtersets, forms, tables, views
from .choices import Step
from .models import ExitStep, Reading, Standard

app_name = "exits"

urlpatterns = [
    path("", login_required(views.home), name="home"),
    *crud_urls(
        Standard,
        form=forms.StandardForm,
        filterset=filtersets.StandardFilterSet,
        table=tables.StandardTable,
        list_view=views.StandardListView,
        detail_view=views.StandardDetailView,
        create_view=views.StandardCreateView,
        edit_view=views.StandardEditView,
        detail_fields=(),
    ),
    # A reading is added, never edited: a correction is a new reading (the latest counts).
    *crud_urls(
        Reading,
        form=forms.ReadingForm,
        filterset=filtersets.ReadingFilterSet,
        table=tables.ReadingTable,
        list_view=views.ReadingListView,
        create_view=views.ReadingCreateView,
        detail_fields=("item", "area", "met", "value", "note", "evidence", "recorded_at"),
        select_related=("item", "area"),
        pages=("list", "add", "detail"),
    ),
    *crud_urls(
        ExitStep,
        form=None,
        filterset=filtersets.ExitStepFilterSet,
        table=tables.ExitStepTable,
        list_view=views.ExitStepListView,
        detail_fields=(),
        pages=("list",),
        plural="steps",
    ),
    path("areas/<int:pk>/", views.AreaExitView.as_view(), name="area"),
    *[
        path(f"areas/<int:pk>/{step}/", views.StepView.as_view(step=step), name=f"area_{step}")
        for step in Step.values
    ],
]
