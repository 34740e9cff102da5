from django.urls import path

from jiesu.org import views

urlpatterns = [
    path("", views.roster_page, name="roster"),
    path("units/<int:unit_id>/add", views.roster_add, name="roster_add"),
    path("<int:pk>/remove", views.roster_remove, name="roster_remove"),
]
