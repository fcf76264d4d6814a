from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "rucher.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from rucher.moderation import audited, held, screens

        audited.register()
        held.register()
        screens.register()
