from django.apps import AppConfig


class SentimentConfig(AppConfig):
    name = "rucher.sentiment"
    label = "sentiment"
    verbose_name = "Sentiment"

    def ready(self) -> None:
        from rucher.sentiment import subscriber

        subscriber.connect()
