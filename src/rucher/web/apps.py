from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rucher.web"
    label = "web"
