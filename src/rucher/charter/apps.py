from django.apps import AppConfig


class CharterConfig(AppConfig):
    name = "rucher.charter"
    label = "charter"
    verbose_name = "Charter"
