from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "rucher.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The fan-out subscribes to the verbs that concern somebody (notifications/fanout.py).
        from rucher.notifications import fanout

        fanout.register()
