from django.apps import AppConfig


class StreamsConfig(AppConfig):
    name = "rucher.streams"
    label = "streams"
