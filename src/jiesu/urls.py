from django.contrib import admin
from django.urls import include, path

from jiesu.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", include("jiesu.ops.urls")),
    path("api/", api.urls),
    path("audit/", include("jiesu.audit.urls")),
    path("reports/", include("jiesu.reports.urls")),
    path("notifications/", include("jiesu.supervision.urls")),
    path("duty/handover/", include("jiesu.supervision.handover_urls")),
    path("duty/", include("jiesu.org.urls")),
    path("open311/v2/", include("jiesu.intake.open311_urls")),
    path("intake/paste/", include("jiesu.intake.paste_urls")),
    path("intake/import/", include("jiesu.intake.urls")),
    path("assessment/applications/", include("jiesu.assessment.application_urls")),
    path("assessment/", include("jiesu.assessment.urls")),
    path("rules/", include("jiesu.knowledge.urls")),
    path("dashboard/", include("jiesu.dashboard.urls")),
    path("", include("jiesu.cases.urls")),
    path("", include("jiesu.web.urls")),
]

handler400 = "jiesu.web.errors.bad_request"
handler403 = "jiesu.web.errors.forbidden"
handler404 = "jiesu.web.errors.not_found"
handler500 = "jiesu.web.errors.server_error"
