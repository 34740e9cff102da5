"""Paste-to-case pages."""

urlpatterns = []
