from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "rucher.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The fan-out subscribes to the verbs that concern somebody (notifications/fanout.py).
        from rucher.notifications import fanout, mail, messages, push

        fanout.register()
        messages.register()  # direct messages (rucher.messaging): messages.py
        mail.register()  # e-mails at once: a hook after the fan-out commits (mail.py)
        push.register()  # web push to the person's devices: the same kind of hook (push.py)
