from django.urls import path

from jiesu.cases import queue_views, views

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/bulk/", views.case_bulk, name="case_bulk"),
    path("queues/counts/", queue_views.queue_counts, name="queue_counts"),
    path("queues/<str:code>/", queue_views.queue_page, name="queue"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/act/<str:action>/", views.case_act, name="case_act"),
    path("cases/<int:case_id>/reveal/<str:field>/", views.case_reveal, name="case_reveal"),
    path("cases/<int:case_id>/reply-check/", views.case_reply_check, name="case_reply_check"),
    path("cases/<int:case_id>/attachments/", views.case_upload, name="case_upload"),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>/",
        views.case_attachment,
        name="case_attachment",
    ),
]
