from django.contrib.auth.decorators import login_required
from django.urls import path

from poverty.common.views import crud_urls

from . import filtersets, forms, tables, views
from .choices import Step
from .models import ExitStep, Reading, Rehearsal, Standard, Survey

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
    *crud_urls(
        Rehearsal,
        form=forms.RehearsalForm,
        filterset=filtersets.RehearsalFilterSet,
        table=tables.RehearsalTable,
        list_view=views.RehearsalListView,
        detail_view=views.RehearsalDetailView,
        detail_fields=(),
    ),
    path("rehearsals/<int:pk>/draw/", views.DrawView.as_view(), name="rehearsal_draw"),
    path("rehearsals/<int:pk>/close/", views.CloseView.as_view(), name="rehearsal_close"),
    path(
        "rehearsals/<int:pk>/questionnaires/",
        views.QuestionnaireView.as_view(),
        name="rehearsal_questionnaires",
    ),
    path("rehearsals/<int:pk>/xlsx/", views.RehearsalXlsxView.as_view(), name="rehearsal_xlsx"),
    # A questionnaire is filled through its own page (exits.rehearsal.survey_record).
    *crud_urls(
        Survey,
        form=None,
        filterset=filtersets.SurveyFilterSet,
        table=tables.SurveyTable,
        list_view=views.SurveyListView,
        detail_view=views.SurveyDetailView,
        detail_fields=(),
        pages=("list", "detail"),
    ),
    path("surveys/<int:pk>/record/", views.SurveyRecordView.as_view(), name="survey_record"),
    path("areas/<int:pk>/", views.AreaExitView.as_view(), name="area"),
    *[
        path(f"areas/<int:pk>/{step}/", views.StepView.as_view(step=step), name=f"area_{step}")
        for step in Step.values
    ],
]
