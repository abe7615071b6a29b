"""/api/v1/: every app's router, the OpenAPI schema and the offline docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from poverty.dashboard.api import ExitStatisticsView

app_name = "api"

urlpatterns = [
    path("", include("villages.api.urls")),
    path("", include("households.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("inspections.api.urls")),
    path("stats/exits/", ExitStatisticsView.as_view(), name="stats-exits"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", permission_classes=[AllowAny]),
        name="docs",
    ),
]
