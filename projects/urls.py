from django.urls import path

from poverty.common.views import crud_urls

from . import filtersets, forms, tables, views
from .models import (
    Beneficiary,
    Disclosure,
    FundEntry,
    HelpPairing,
    HelpTeamMember,
    Project,
    ProjectApproval,
)

app_name = "projects"

CHILD_VIEWS = {
    "create_view": views.ProjectChildCreateView,
    "edit_view": views.ProjectChildEditView,
}

urlpatterns = [
    *crud_urls(
        Project,
        form=forms.ProjectForm,
        filterset=filtersets.ProjectFilterSet,
        table=tables.ProjectTable,
        list_view=views.ProjectListView,
        create_view=views.ProjectCreateView,
        detail_view=views.ProjectDetailView,
        detail_fields=(),
    ),
    path(
        "beneficiarys/pick-household/",
        views.BeneficiaryHouseholdPickView.as_view(),
        name="beneficiary_household_pick",
    ),
    path("projects/<int:pk>/stage/", views.StageView.as_view(), name="project_stage"),
    path("projects/<int:pk>/plan/", views.PlanBackwardsView.as_view(), name="project_plan"),
    path("projects/<int:pk>/schedule/", views.ScheduleView.as_view(), name="project_schedule"),
    path(
        "projects/<int:pk>/beneficiaries/",
        views.AddBeneficiariesView.as_view(),
        name="project_beneficiaries",
    ),
    *crud_urls(
        FundEntry,
        form=forms.FundEntryForm,
        filterset=filtersets.FundEntryFilterSet,
        table=tables.FundEntryTable,
        select_related=("project",),
        detail_fields=("project", "source", "kind", "amount", "date", "document", "note"),
        **CHILD_VIEWS,
    ),
    *crud_urls(
        Beneficiary,
        form=forms.BeneficiaryForm,
        filterset=filtersets.BeneficiaryFilterSet,
        table=tables.BeneficiaryTable,
        select_related=("project", "household__village", "measure"),
        detail_fields=("project", "household", "measure", "note"),
        **CHILD_VIEWS,
    ),
    *crud_urls(
        ProjectApproval,
        form=forms.ProjectApprovalForm,
        filterset=filtersets.ProjectApprovalFilterSet,
        table=tables.ProjectApprovalTable,
        select_related=("project", "unit"),
        detail_fields=("project", "unit", "decision", "decided_on", "comment"),
        **CHILD_VIEWS,
    ),
    *crud_urls(
        Disclosure,
        form=forms.DisclosureForm,
        filterset=filtersets.DisclosureFilterSet,
        table=tables.DisclosureTable,
        select_related=("project",),
        list_view=views.DisclosureListView,
        detail_view=views.DisclosureDetailView,
        create_view=views.DisclosureCreateView,
        edit_view=views.DisclosureEditView,
        detail_fields=(
            "project",
            "title",
            "content",
            "location",
            "start_date",
            "end_date",
            "phone",
        ),
    ),
    path(
        "disclosures/<int:pk>/notice/",
        views.DisclosureNoticeView.as_view(),
        name="disclosure_notice",
    ),
    *crud_urls(
        HelpPairing,
        form=forms.HelpPairingForm,
        filterset=filtersets.HelpPairingFilterSet,
        table=tables.HelpPairingTable,
        list_view=views.HelpPairingListView,
        detail_view=views.HelpPairingDetailView,
        create_view=views.HelpPairingCreateView,
        edit_view=views.HelpPairingEditView,
        detail_fields=(),
    ),
    *crud_urls(
        HelpTeamMember,
        form=forms.HelpTeamMemberForm,
        filterset=filtersets.HelpTeamMemberFilterSet,
        table=tables.HelpTeamMemberTable,
        list_view=views.HelpTeamMemberListView,
        detail_fields=(),
        pages=("list", "add", "edit", "delete"),
    ),
]
