from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "rucher.moderation"
    label = "moderation"
    verbose_name = "Moderation"
