from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "rucher.recognition"
    label = "recognition"
    verbose_name = "Recognition"
