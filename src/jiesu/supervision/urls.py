from django.urls import path

from jiesu.supervision import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("bell/", views.bell, name="notification_bell"),
    path("read/", views.notification_read, name="notification_read"),
]
