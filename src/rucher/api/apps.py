from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rucher.api"
    label = "api"
