from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "rucher.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from rucher.notifications import mail

        mail.register()  # e-mails at once (the `mail` helper's one line)
