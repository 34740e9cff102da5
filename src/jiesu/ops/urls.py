from django.urls import path

from jiesu.ops import views

urlpatterns = [path("", views.healthz, name="healthz")]
