from django.urls import path

from poverty.common.views import crud_urls

from . import filtersets, forms, tables, views
from .models import (
    Assessment,
    AssistanceMeasure,
    Household,
    HouseholdPairing,
    IncomeRecord,
    PovertyLine,
    QualityIssue,
    Visit,
)
from .services import STEPS

app_name = "households"

urlpatterns = [
    *crud_urls(
        Household,
        form=forms.HouseholdForm,
        filterset=filtersets.HouseholdFilterSet,
        table=tables.HouseholdTable,
        list_view=views.HouseholdListView,
        detail_view=views.HouseholdDetailView,
        create_view=views.HouseholdCreateView,
        edit_view=views.HouseholdEditView,
        detail_fields=(),
    ),
    path(
        "households/<int:pk>/card/",
        views.HouseholdCardView.as_view(),
        name="household_card",
    ),
    path(
        "households/<int:pk>/recheck/",
        views.RecheckView.as_view(),
        name="household_recheck",
    ),
    *[
        path(
            f"households/<int:pk>/{step}/",
            views.ExitStepView.as_view(step=step),
            name=f"household_{step}",
        )
        for step in STEPS
    ],
    path(
        "exit-notice/<int:pk>/",
        views.ExitNoticeView.as_view(),
        name="exit_notice",
    ),
    *crud_urls(
        IncomeRecord,
        form=forms.IncomeRecordForm,
        filterset=filtersets.IncomeRecordFilterSet,
        table=tables.IncomeRecordTable,
        select_related=("household",),
        detail_fields=(
            "household",
            "year",
            "persons",
            "wage",
            "business",
            "property_income",
            "transfer",
            "business_costs",
            "per_capita_net",
        ),
    ),
    *crud_urls(
        Assessment,
        form=forms.AssessmentForm,
        filterset=filtersets.AssessmentFilterSet,
        table=tables.AssessmentTable,
        select_related=("household", "assessor"),
        detail_fields=(
            "household",
            "assessed_on",
            "assessor",
            "recorded_by",
            "food",
            "clothing",
            "education",
            "medical",
            "housing",
            "water",
            "note",
        ),
    ),
    *crud_urls(
        AssistanceMeasure,
        form=forms.AssistanceMeasureForm,
        filterset=filtersets.AssistanceMeasureFilterSet,
        table=tables.AssistanceMeasureTable,
        select_related=("household", "cadre"),
        detail_fields=(
            "household",
            "measure_type",
            "description",
            "amount",
            "start_date",
            "end_date",
            "status",
            "cadre",
        ),
    ),
    *crud_urls(
        HouseholdPairing,
        form=forms.HouseholdPairingForm,
        filterset=filtersets.HouseholdPairingFilterSet,
        table=tables.HouseholdPairingTable,
        select_related=("household", "cadre"),
        detail_fields=("household", "cadre", "start_date", "end_date"),
    ),
    *crud_urls(
        Visit,
        form=forms.VisitForm,
        filterset=filtersets.VisitFilterSet,
        table=tables.VisitTable,
        select_related=("household", "cadre"),
        create_view=views.VisitCreateView,
        detail_fields=(
            "household",
            "cadre",
            "visited_on",
            "findings",
            "problems",
            "follow_up",
            "follow_up_due",
            "photo",
            "recorded_by",
        ),
    ),
    *crud_urls(
        PovertyLine,
        form=forms.PovertyLineForm,
        filterset=filtersets.PovertyLineFilterSet,
        table=tables.PovertyLineTable,
        detail_fields=("year", "income_line", "note"),
    ),
    *crud_urls(
        QualityIssue,
        form=forms.QualityIssueForm,
        filterset=filtersets.QualityIssueFilterSet,
        table=tables.QualityIssueTable,
        list_view=views.QualityIssueListView,
        select_related=("household", "member"),
        detail_fields=(
            "household",
            "member",
            "rule",
            "detail",
            "status",
            "explanation",
            "resolved_by",
            "resolved_at",
            "last_seen",
        ),
        pages=("list", "detail", "edit"),
    ),
]
