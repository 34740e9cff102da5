from django.contrib.auth import views as auth_views
from django.urls import path

from jiesu.dashboard.views import landing
from jiesu.web import twofactor_views
from jiesu.web.twofactor_views import Login
from jiesu.web.views import PasswordChange

urlpatterns = [
    path("", landing, name="home"),
    path("login/", Login.as_view(), name="login"),
    path("login/2fa/", twofactor_views.otp_verify, name="otp_verify"),
    path("login/2fa/enrol/", twofactor_views.otp_enrol, name="otp_enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", PasswordChange.as_view(), name="password_change"),
    path("account/2fa/", twofactor_views.otp_account, name="otp_account"),
    path("account/2fa/backup-codes/", twofactor_views.otp_backup_codes, name="otp_backup_codes"),
]
