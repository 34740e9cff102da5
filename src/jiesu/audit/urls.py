from django.urls import path

from jiesu.audit import views

urlpatterns = [
    path("", views.audit_events, name="audit_events"),
    path("reveals/", views.audit_reveals, name="audit_reveals"),
    path("export.csv", views.audit_export, name="audit_export"),
]
