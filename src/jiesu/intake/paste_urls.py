"""Paste-to-case pages."""

from django.urls import path

from jiesu.intake import paste_views

urlpatterns = [
    path("", paste_views.paste_case, name="paste_case"),
]
