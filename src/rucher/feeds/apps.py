from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "rucher.feeds"
    label = "feeds"
