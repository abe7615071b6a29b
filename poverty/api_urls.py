"""/api/v1/: every app's router, the OpenAPI schema and the offline docs."""

from csp import constants as csp
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from poverty.dashboard.api import ExitStatisticsView

app_name = "api"

urlpatterns = [
    path("", include("villages.api.urls")),
    path("", include("households.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("inspections.api.urls")),
    path("", include("command.api.urls")),
    path("", include("assessments.api.urls")),
    path("", include("exits.api.urls")),
    path("stats/exits/", ExitStatisticsView.as_view(), name="stats-exits"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path(
        "docs/",
        # The split view serves Swagger UI's start-up script as a file: no inline script,
        # as the Content-Security-Policy requires. Swagger UI writes <style> elements: allowed
        # on this page only.
        csp_update({"style-src": [csp.UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", permission_classes=[AllowAny]
            )
        ),
        name="docs",
    ),
]
