from django.urls import path

from poverty.common.views import crud_urls

from . import filtersets, forms, tables, views
from .models import Accountability, Finding, Inspection, Notice, Pledge

app_name = "inspections"


urlpatterns = [
    *crud_urls(
        Pledge,
        form=forms.PledgeForm,
        filterset=filtersets.PledgeFilterSet,
        table=tables.PledgeTable,
        list_view=views.PledgeListView,
        detail_view=views.PledgeDetailView,
        create_view=views.PledgeCreateView,
        edit_view=views.PledgeEditView,
        detail_fields=(),
    ),
    *crud_urls(
        Inspection,
        form=forms.InspectionForm,
        filterset=filtersets.InspectionFilterSet,
        table=tables.InspectionTable,
        list_view=views.InspectionListView,
        detail_view=views.InspectionDetailView,
        detail_fields=(),
    ),
    *crud_urls(
        Finding,
        form=forms.FindingForm,
        filterset=filtersets.FindingFilterSet,
        table=tables.FindingTable,
        list_view=views.FindingListView,
        detail_view=views.FindingDetailView,
        detail_fields=(),
    ),
    path("findings/<int:pk>/plan/", views.PlanView.as_view(), name="finding_plan"),
    path("findings/<int:pk>/extend/", views.ExtensionRequestView.as_view(), name="finding_extend"),
    path(
        "findings/<int:pk>/extension/",
        views.ExtensionDecisionView.as_view(),
        name="finding_extension",
    ),
    path("findings/<int:pk>/progress/", views.ProgressView.as_view(), name="finding_progress"),
    path("findings/<int:pk>/submit/", views.SubmitView.as_view(), name="finding_submit"),
    path("findings/<int:pk>/close/", views.CloseView.as_view(), name="finding_close"),
    path("findings/<int:pk>/reject/", views.RejectView.as_view(), name="finding_reject"),
    *crud_urls(
        Accountability,
        form=forms.AccountabilityForm,
        filterset=filtersets.AccountabilityFilterSet,
        table=tables.AccountabilityTable,
        select_related=("finding", "unit"),
        create_view=views.AccountabilityCreateView,
        detail_fields=("finding", "kind", "person", "unit", "decided_on", "document", "reason"),
    ),
    # Notices are made by the monthly job only: read, print, download.
    *crud_urls(
        Notice,
        form=None,
        filterset=filtersets.NoticeFilterSet,
        table=tables.NoticeTable,
        list_view=views.NoticeListView,
        detail_view=views.NoticeDetailView,
        detail_fields=(),
        pages=("list", "detail"),
    ),
    path("notices/<int:pk>/print/", views.NoticePrintView.as_view(), name="notice_print"),
    path("notices/<int:pk>/xlsx/", views.NoticeXlsxView.as_view(), name="notice_xlsx"),
]
