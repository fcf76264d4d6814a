from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "rucher.recognition"
    label = "recognition"
    verbose_name = "Recognition"

    def ready(self) -> None:
        # Badges are awarded after commit by the worker (recognition/awarding.py).
        from rucher.recognition import awarding

        awarding.register()
