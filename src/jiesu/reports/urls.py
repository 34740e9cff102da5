from django.urls import path

from jiesu.reports import views

urlpatterns = [
    path("ledgers/", views.ledger_page, name="ledgers"),
    path("ledgers/list.xlsx", views.ledger_list, name="ledger_list"),
    path("exports/", views.export_log, name="export_log"),
]
