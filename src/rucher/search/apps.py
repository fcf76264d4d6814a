from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "rucher.search"
    label = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rucher.search import indexing

        indexing.register()
