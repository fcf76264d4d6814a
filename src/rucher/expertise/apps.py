from django.apps import AppConfig


class ExpertiseConfig(AppConfig):
    name = "rucher.expertise"
    label = "expertise"
    verbose_name = "Expertise"

    def ready(self) -> None:
        # Retrain the expert model after enough new accepted answers (training.py).
        from rucher.expertise import training

        training.register()
