from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from disclosure.sitemaps import SITEMAPS
from portal import health, views, views_audit
from portal.auth import views as auth

admin.site.site_header = _("基层政务公开平台 · 后台")
admin.site.site_title = _("基层政务公开平台")
admin.site.index_title = _("工作台")

urlpatterns = [
    path("", views.home, name="home"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("units/", views.unit_list, name="units"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("tools/workdays/", views.workday_calculator, name="workdays"),
    path("display/", views.display_mode, name="display-mode"),
    path("accounts/login/", auth.SignInView.as_view(), name="login"),
    path("accounts/login/code/", auth.login_second_step, name="login-second-step"),
    path("accounts/2fa/", auth.two_factor, name="two-factor"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/register/", views.register, name="register"),
    path("accounts/", views.account, name="account"),
    path("accounts/residency/", views.residency_apply, name="residency-apply"),
    path("", include("disclosure.urls")),
    path("supervision/disclosure/", include("disclosure.urls_supervision")),
    path("", include("mailbox.urls")),
    path("letters/public/", include("mailbox.urls_public")),
    path("supervision/letters/", include("mailbox.urls_supervision")),
    path("", include("participation.urls")),
    path("supervision/participation/", include("participation.urls.supervision")),
    path("", include("funds.urls")),
    path("supervision/funds/", include("funds.urls.supervision")),
    path("", include("services.urls")),
    path("info-requests/", include("disclosure.requests.urls")),
    path("annual-reports/", include("disclosure.annual.urls")),
    path("supervision/services/", include("services.urls.supervision")),
    path("supervision/audit/", views_audit.audit_supervision, name="audit-supervision"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("bench/floor/", views.bench_floor, name="bench-floor"),
    path("api/v1/", include("portal.api.urls")),
    # Before the admin's own: its login has the same lockout and second step as the site's.
    path("admin/login/", auth.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
]

# API addresses that match no route answer in JSON (portal/api/errors.py).
handler404 = "portal.api.errors.not_found"
