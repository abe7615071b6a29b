from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from households import field

from . import evidence, sheet_views, views
from .dashboard import views as dashboard
from .work import views as work

admin.site.site_header = "县扶贫办业务系统 · 管理后台"
admin.site.site_title = "县扶贫办业务系统"

urlpatterns = [
    path("", work.home, name="home"),
    path("work/", include("poverty.work.urls")),
    # The offline visit app: its own top-level path, which is its service worker's scope.
    path("field/", field.app, name="field"),
    path("field/sw.js", field.service_worker, name="field_sw"),
    path("field/manifest.webmanifest", field.manifest, name="field_manifest"),
    path("field/session.json", field.session, name="field_session"),
    path("field/households.json", field.households, name="field_households"),
    path("field/visits/", field.visit_upload, name="field_visit_upload"),
    path("system/", views.system_status, name="system_status"),
    path("setup/", sheet_views.setup_guide, name="setup_guide"),
    path("imports/jobs/<int:pk>/", sheet_views.SheetJobView.as_view(), name="sheet_job"),
    path(
        "imports/jobs/<int:pk>/confirm/",
        sheet_views.SheetJobConfirmView.as_view(),
        name="sheet_job_confirm",
    ),
    path("imports/<str:kind>/", sheet_views.SheetImportView.as_view(), name="sheet_import"),
    path("imports/<str:kind>/template/", sheet_views.sheet_template, name="sheet_template"),
    path("files/<str:app>/<str:model>/<int:pk>/<str:field>/", evidence.evidence, name="evidence"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path(
        "dashboard/household/<int:pk>/",
        dashboard.HouseholdView.as_view(),
        name="dashboard_household",
    ),
    path("dashboard/<str:code>/", dashboard.dashboard, name="dashboard_area"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/tokens/", account_views.tokens, name="tokens"),
    path("villages/", include("villages.urls")),
    path("registry/", include("households.urls")),
    path("projects/", include("projects.urls")),
    path("inspections/", include("inspections.urls")),
    path("command/", include("command.urls")),
    path("assessments/", include("assessments.urls")),
    path("exits/", include("exits.urls")),
    path("api/v1/", include("poverty.api_urls")),
    path("admin/", admin.site.urls),
]
