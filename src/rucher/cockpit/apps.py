from __future__ import annotations

from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "rucher.cockpit"
    label = "cockpit"
    verbose_name = "Cockpit"
