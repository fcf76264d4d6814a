from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "rucher.live"
    label = "live"
    verbose_name = "Live updates"

    def ready(self) -> None:
        from rucher.live import signals

        signals.connect()
