from django.urls import path

from jiesu.dashboard import views

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("panel/", views.dashboard_panel, name="dashboard_panel"),
]
