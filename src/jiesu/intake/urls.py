from django.urls import path

from jiesu.intake import views

urlpatterns = [
    path("", views.import_page, name="import_page"),
    path("<int:run_id>/", views.import_run, name="import_run"),
    path("<int:run_id>/progress/", views.import_progress, name="import_progress"),
    path("<int:run_id>/errors/", views.import_errors, name="import_errors"),
    path("mappings/", views.mappings, name="import_mappings"),
    path("mappings/<int:mapping_id>/delete/", views.mapping_delete, name="import_mapping_delete"),
]
