from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "rucher.spaces"
    label = "spaces"
