from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "rucher.activity"
    label = "activity"
