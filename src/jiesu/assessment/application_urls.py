"""Exemption and appeal application pages."""

urlpatterns = []
