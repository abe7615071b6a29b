from django.urls import path

from poverty.common.views import crud_urls

from . import filtersets, forms, tables, views
from .models import Body, BodyMember, Decision, DispatchMeeting, KeyTask, ProgressReport

app_name = "command"

urlpatterns = [
    path(
        "bodies/tree/",
        views.BodyTreeView.as_view(filterset_class=filtersets.BodyFilterSet),
        name="body_tree",
    ),
    *crud_urls(
        Body,
        form=forms.BodyForm,
        filterset=filtersets.BodyFilterSet,
        table=tables.BodyTable,
        list_view=views.BodyListView,
        detail_view=views.BodyDetailView,
        detail_fields=(),
        plural="bodies",
    ),
    *crud_urls(
        BodyMember,
        form=forms.BodyMemberForm,
        filterset=filtersets.BodyMemberFilterSet,
        table=tables.BodyMemberTable,
        select_related=("body", "cadre"),
        plural="bodymembers",
        detail_fields=("body", "cadre", "role", "duty", "start_date", "end_date"),
    ),
    path("people/<int:pk>/", views.CadreDutiesView.as_view(), name="cadre_duties"),
    *crud_urls(
        KeyTask,
        form=forms.KeyTaskForm,
        filterset=filtersets.KeyTaskFilterSet,
        table=tables.KeyTaskTable,
        list_view=views.KeyTaskListView,
        detail_view=views.KeyTaskDetailView,
        create_view=views.KeyTaskCreateView,
        edit_view=views.KeyTaskEditView,
        detail_fields=(),
    ),
    path("keytasks/<int:pk>/report/", views.ReportView.as_view(), name="keytask_report"),
    # Reports are written through the task's 报告进展 step and kept as written.
    *crud_urls(
        ProgressReport,
        form=None,
        filterset=filtersets.ProgressReportFilterSet,
        table=tables.ProgressReportTable,
        select_related=("task", "milestone"),
        detail_fields=(),
        pages=("list",),
    ),
    *crud_urls(
        DispatchMeeting,
        form=forms.MeetingForm,
        filterset=filtersets.DispatchMeetingFilterSet,
        table=tables.DispatchMeetingTable,
        list_view=views.MeetingListView,
        detail_view=views.MeetingDetailView,
        create_view=views.MeetingCreateView,
        edit_view=views.MeetingEditView,
        detail_fields=(),
    ),
    path(
        "dispatchmeetings/<int:pk>/follow-up/",
        views.FollowUpView.as_view(),
        name="dispatchmeeting_follow_up",
    ),
    path(
        "dispatchmeetings/<int:pk>/minutes/",
        views.MinutesView.as_view(),
        name="dispatchmeeting_minutes",
    ),
    *crud_urls(
        Decision,
        form=forms.DecisionForm,
        filterset=filtersets.DecisionFilterSet,
        table=tables.DecisionTable,
        list_view=views.DecisionListView,
        detail_view=views.DecisionDetailView,
        detail_fields=(),
    ),
    path("decisions/<int:pk>/done/", views.DecisionDoneView.as_view(), name="decision_done"),
]
