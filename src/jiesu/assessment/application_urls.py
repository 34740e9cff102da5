"""Exemption and appeal application pages, under /assessment/applications/."""

from django.urls import path

from jiesu.assessment import application_views as views

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/<int:case_id>/", views.application_new, name="application_new"),
    path("<int:app_id>/", views.application_detail, name="application_detail"),
    path("<int:app_id>/act/<str:action>/", views.application_act, name="application_act"),
    path("<int:app_id>/document.docx", views.application_document, name="application_document"),
]
