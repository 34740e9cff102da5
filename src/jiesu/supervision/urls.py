from django.urls import path

from jiesu.supervision import order_views, preference_views, views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("bell/", views.bell, name="notification_bell"),
    path("read/", views.notification_read, name="notification_read"),
    path("preferences/", preference_views.preferences, name="notification_preferences"),
    path("orders/", order_views.order_list, name="orders"),
    path("orders/new/", order_views.order_new, name="order_new"),
    path("orders/summary/", order_views.orders_summary, name="orders_summary"),
    path("orders/<int:pk>/", order_views.order_detail, name="order_detail"),
    path("orders/<int:pk>/forward/", order_views.order_forward, name="order_forward"),
    path("orders/<int:pk>/chase/", order_views.order_chase, name="order_chase"),
    path("orders/<int:pk>/summary/", order_views.order_summary, name="order_summary"),
    path("orders/answers/<int:pk>/", order_views.answer_page, name="order_answer"),
    path("orders/carried-over/", order_views.carried_over, name="orders_carried_over"),
    path("orders/direct/", order_views.sent_direct, name="orders_direct"),
]
