from django.apps import AppConfig


class MeaningConfig(AppConfig):
    name = "rucher.meaning"
    label = "meaning"
    verbose_name = "Meaning (sentence vectors)"

    def ready(self) -> None:
        from rucher.meaning import subscriber

        subscriber.connect()
