from django.urls import path

from . import views

app_name = "work"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.open_notification, name="notification_open"),
]
