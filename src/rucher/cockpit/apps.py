from __future__ import annotations

from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "rucher.cockpit"
    label = "cockpit"
    verbose_name = "Cockpit"

    def ready(self) -> None:
        from rucher.cockpit import warm

        warm.register()  # the worker computes the overview again after new events
