from django.urls import path

from jiesu.knowledge import views

urlpatterns = [
    path("", views.rule_list, name="rule_list"),
    path("<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("approval/", views.approval_flags, name="approval_flags"),
]
