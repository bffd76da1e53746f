from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from linli.core import account_views, calendar_views
from linli.core import views as core_views
from linli.core.admin import close_foreign_models
from linli.core.api.docs import RedocView, SwaggerView
from linli.dashboard import district_views
from linli.dashboard import views as dashboard_views
from linli.geo.api import views as geo_api

close_foreign_models()  # 三员分立: each admin page belongs to one administrator

router = DefaultRouter()
router.register("committees", geo_api.CommitteeViewSet, basename="committee")
router.register("estates", geo_api.EstateViewSet, basename="estate")
router.register("buildings", geo_api.BuildingViewSet, basename="building")
router.register("entrances", geo_api.EntranceViewSet, basename="entrance")
router.register("households", geo_api.HouseholdViewSet, basename="household")
router.register("residents", geo_api.ResidentViewSet, basename="resident")

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account_views.overview, name="account"),
    path("account/two-factor/", account_views.two_factor, name="two_factor"),
    path("account/two-factor/setup/", account_views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/recovery/", account_views.recovery_codes, name="recovery_codes"),
    path("account/password/", account_views.password_change, name="account_password"),
    path("account/sessions/", account_views.sessions, name="account_sessions"),
    path(
        "account/sessions/<int:row_id>/revoke/",
        account_views.revoke_session,
        name="account_session_revoke",
    ),
    path("account/idle/", account_views.idle, name="account_idle"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("display/large-type/", core_views.toggle_large_type, name="large_type"),
    path("modules/<str:key>/", core_views.module, name="module"),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("calendar/", calendar_views.work_calendar, name="work_calendar"),
    path("choices/", core_views.choice_search, name="choice_search"),
    path("places/", include("linli.geo.urls")),
    path("risk/", include("linli.risk.urls")),
    path("fire/", include("linli.fire.urls")),
    path("hall/", include("linli.hall.urls")),
    path("elevator/", include("linli.elevator.urls")),
    path("community/", include("linli.community.urls")),
    path("link/", include("linli.dashboard.urls")),
    path("district/", district_views.comparison, name="district"),
    path("district/pdf/", district_views.comparison_pdf, name="district_pdf"),
    path("ops/", include("linli.dashboard.ops_urls")),
    path("jobs/", include("linli.jobs.urls")),
    path("notices/", include("linli.notices.urls")),
    path("api/v1/", include(router.urls)),
    path("api/v1/risk/", include("linli.risk.api.urls")),
    path("api/v1/fire/", include("linli.fire.api.urls")),
    path("api/v1/hall/", include("linli.hall.api.urls")),
    path("api/v1/elevator/", include("linli.elevator.api.urls")),
    path("api/v1/community/", include("linli.community.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
]
