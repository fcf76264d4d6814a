from django.apps import AppConfig


class SentimentConfig(AppConfig):
    name = "rucher.sentiment"
    label = "sentiment"
    verbose_name = "Sentiment"
