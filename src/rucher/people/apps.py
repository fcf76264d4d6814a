from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "rucher.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from rucher.people import signals  # noqa: F401  (records logged_in events)
