from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "rucher.idempotency"
    label = "idempotency"
    verbose_name = "Idempotency keys"
