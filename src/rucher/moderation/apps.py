from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "rucher.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from rucher.moderation import held, screens

        held.register()
        screens.register()
