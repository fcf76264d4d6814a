from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "rucher.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Registers the after-commit subscriber for the verbs behind the event types.
        from rucher.webhooks import subscriber  # noqa: F401
