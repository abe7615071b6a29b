from django.urls import path

from poverty.common.views import crud_urls

from . import filtersets, forms, tables, views
from .models import Adjustment, Group, Scheme, Score

app_name = "assessments"

urlpatterns = [
    *crud_urls(
        Scheme,
        form=forms.SchemeForm,
        filterset=filtersets.SchemeFilterSet,
        table=tables.SchemeTable,
        list_view=views.SchemeListView,
        detail_view=views.SchemeDetailView,
        create_view=views.SchemeCreateView,
        edit_view=views.SchemeEditView,
        detail_fields=(),
    ),
    path("schemes/<int:pk>/compute/", views.ComputeView.as_view(), name="scheme_compute"),
    path("schemes/<int:pk>/publish/", views.PublishView.as_view(), name="scheme_publish"),
    path("schemes/<int:pk>/results/", views.ResultsView.as_view(), name="scheme_results"),
    path("schemes/<int:pk>/xlsx/", views.SchemeXlsxView.as_view(), name="scheme_xlsx"),
    *crud_urls(
        Group,
        form=forms.GroupForm,
        filterset=filtersets.GroupFilterSet,
        table=tables.GroupTable,
        list_view=views.GroupListView,
        detail_fields=("scheme", "name"),
        select_related=("scheme",),
    ),
    # A score or a deduction is given (a new one replaces a score), never edited: the history
    # of the scheme keeps what was given when.
    *crud_urls(
        Score,
        form=forms.ScoreForm,
        filterset=filtersets.ScoreFilterSet,
        table=tables.ScoreTable,
        list_view=views.ScoreListView,
        create_view=views.ScoreCreateView,
        detail_fields=(
            "scheme",
            "indicator",
            "assessed",
            "unit",
            "rate",
            "points",
            "basis",
            "evidence",
        ),
        select_related=("scheme", "indicator", "assessed", "unit"),
        pages=("list", "add", "detail"),
    ),
    *crud_urls(
        Adjustment,
        form=forms.AdjustmentForm,
        filterset=filtersets.AdjustmentFilterSet,
        table=tables.AdjustmentTable,
        list_view=views.AdjustmentListView,
        create_view=views.AdjustmentCreateView,
        detail_fields=("scheme", "assessed", "unit", "kind", "points", "reason", "evidence"),
        select_related=("scheme", "assessed", "unit"),
        pages=("list", "add", "detail"),
    ),
]
