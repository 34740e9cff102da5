from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from jiesu.cases import queue_views
from jiesu.cases import views as case_views
from jiesu.core import twofactor_views
from jiesu.core.twofactor_views import Login
from jiesu.core.views import PasswordChange
from jiesu.knowledge import views as knowledge_views

urlpatterns = [
    path("", RedirectView.as_view(url="/cases/", permanent=False)),
    path("login/", Login.as_view(), name="login"),
    path("login/2fa/", twofactor_views.otp_verify, name="otp_verify"),
    path("login/2fa/enrol/", twofactor_views.otp_enrol, name="otp_enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", PasswordChange.as_view(), name="password_change"),
    path("account/2fa/", twofactor_views.otp_account, name="otp_account"),
    path("account/2fa/backup-codes/", twofactor_views.otp_backup_codes, name="otp_backup_codes"),
    path("cases/", case_views.case_list, name="case_list"),
    path("cases/bulk/", case_views.case_bulk, name="case_bulk"),
    path("rules/", knowledge_views.rule_list, name="rule_list"),
    path("rules/<int:rule_id>/delete/", knowledge_views.rule_delete, name="rule_delete"),
    path("queues/counts/", queue_views.queue_counts, name="queue_counts"),
    path("queues/<str:code>/", queue_views.queue_page, name="queue"),
    path("cases/<int:case_id>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/act/<str:action>/", case_views.case_act, name="case_act"),
    path("cases/<int:case_id>/reveal/<str:field>/", case_views.case_reveal, name="case_reveal"),
    path("cases/<int:case_id>/reply-check/", case_views.case_reply_check, name="case_reply_check"),
    path("cases/<int:case_id>/attachments/", case_views.case_upload, name="case_upload"),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>/",
        case_views.case_attachment,
        name="case_attachment",
    ),
]
