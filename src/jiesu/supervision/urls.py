from django.urls import path

from jiesu.supervision import preference_views, views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("bell/", views.bell, name="notification_bell"),
    path("read/", views.notification_read, name="notification_read"),
    path("preferences/", preference_views.preferences, name="notification_preferences"),
]
