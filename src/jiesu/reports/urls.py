from django.urls import path

from jiesu.reports import views

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("order/", views.report_order, name="report_order"),
    path("runs/<int:pk>/", views.report_run, name="report_run"),
    path("runs/<int:pk>/<str:fmt>", views.report_file, name="report_file"),
    path("templates/", views.template_list, name="report_templates"),
    path("templates/<str:kind>/use", views.template_use, name="report_template_use"),
    path(
        "templates/<str:kind>/<int:version>.docx", views.template_file, name="report_template_file"
    ),
    path("ledgers/", views.ledger_page, name="ledgers"),
    path("ledgers/list.xlsx", views.ledger_list, name="ledger_list"),
    path("exports/", views.export_log, name="export_log"),
]
