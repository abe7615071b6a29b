from django.urls import path

from poverty.common.views import crud_urls

from . import filtersets, forms, tables, views
from .models import Area, Cadre, LeaderPairing, Unit, UnitPairing, VillagePosting

app_name = "villages"

urlpatterns = [
    *crud_urls(
        Area,
        form=forms.AreaForm,
        filterset=filtersets.AreaFilterSet,
        table=tables.AreaTable,
        select_related=("parent",),
        list_view=views.AreaListView,
        detail_view=views.AreaDetailView,
        detail_fields=(
            "code",
            "name",
            "level",
            "parent",
            "is_poor",
            "planned_exit_year",
            "actual_exit_year",
            "rural_population",
        ),
    ),
    *crud_urls(
        Unit,
        form=forms.UnitForm,
        filterset=filtersets.UnitFilterSet,
        table=tables.UnitTable,
        select_related=("area",),
        detail_view=views.UnitDetailView,
        detail_fields=("name", "kind", "area", "contact_person"),
    ),
    path("cadres/pick/", views.CadrePickView.as_view(), name="cadre_pick"),
    *crud_urls(
        Cadre,
        form=forms.CadreForm,
        filterset=filtersets.CadreFilterSet,
        table=tables.CadreTable,
        select_related=("unit",),
        list_view=views.CadreListView,
        detail_view=views.CadreDetailView,
        detail_fields=("name", "unit", "position", "is_leader"),
    ),
    *crud_urls(
        VillagePosting,
        form=forms.VillagePostingForm,
        filterset=filtersets.VillagePostingFilterSet,
        table=tables.VillagePostingTable,
        select_related=("cadre", "village"),
        detail_fields=("village", "cadre", "role", "start_date", "end_date"),
    ),
    *crud_urls(
        UnitPairing,
        form=forms.UnitPairingForm,
        filterset=filtersets.UnitPairingFilterSet,
        table=tables.UnitPairingTable,
        select_related=("unit", "village"),
        detail_fields=("village", "unit", "start_date", "end_date"),
    ),
    *crud_urls(
        LeaderPairing,
        form=forms.LeaderPairingForm,
        filterset=filtersets.LeaderPairingFilterSet,
        table=tables.LeaderPairingTable,
        select_related=("leader", "area"),
        detail_fields=("area", "leader", "start_date", "end_date"),
    ),
]
