from django.urls import path

from jiesu.supervision import handover_views as views

urlpatterns = [
    path("", views.handover_list, name="handovers"),
    path("<int:pk>/", views.handover_detail, name="handover"),
    path("<int:pk>/notes", views.handover_notes, name="handover_notes"),
    path("<int:pk>/acknowledge", views.handover_acknowledge, name="handover_acknowledge"),
]
