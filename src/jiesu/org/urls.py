from django.urls import path

from jiesu.org import views

urlpatterns = [
    path("", views.roster_page, name="roster"),
    path("units/<int:unit_id>/add", views.roster_add, name="roster_add"),
    path("<int:pk>/remove", views.roster_remove, name="roster_remove"),
    path("<int:pk>/swap", views.swap_ask, name="swap_ask"),
    path("swaps/<int:pk>/decide", views.swap_decide, name="swap_decide"),
    path("units/<int:unit_id>/rota", views.rota_save, name="rota_save"),
    path("rota/<int:pk>/apply", views.rota_apply, name="rota_apply"),
    path("units/<int:unit_id>/periods", views.period_add, name="period_add"),
]
