from django.urls import path

from jiesu.intake import views

urlpatterns = [
    path("", views.import_page, name="import_page"),
    path("<int:run_id>/", views.import_run, name="import_run"),
    path("<int:run_id>/progress/", views.import_progress, name="import_progress"),
    path("<int:run_id>/errors/", views.import_errors, name="import_errors"),
    path("mappings/", views.mappings, name="import_mappings"),
    path("mappings/<int:mapping_id>/delete/", views.mapping_delete, name="import_mapping_delete"),
    path("mappings/values/", views.value_synonym_create, name="value_synonym_create"),
    path(
        "mappings/values/<int:synonym_id>/apply/",
        views.value_synonym_apply,
        name="value_synonym_apply",
    ),
    path(
        "mappings/values/<int:synonym_id>/delete/",
        views.value_synonym_delete,
        name="value_synonym_delete",
    ),
    path(
        "mappings/categories/<int:category_id>/confirm/",
        views.category_confirm,
        name="category_confirm",
    ),
]
