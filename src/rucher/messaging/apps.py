from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "rucher.messaging"
    label = "messaging"
    verbose_name = "Messaging"
