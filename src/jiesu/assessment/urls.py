from django.urls import path

from jiesu.assessment import views

urlpatterns = [
    path("", views.assessment_page, name="assessment"),
    path("cases/", views.assessment_cases, name="assessment_cases"),
    path("cases/export.xlsx", views.assessment_cases_export, name="assessment_cases_export"),
    path("export.xlsx", views.assessment_export, name="assessment_export"),
]
