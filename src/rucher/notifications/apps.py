from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "rucher.notifications"
    label = "notifications"
    verbose_name = "Notifications"
