from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "rucher.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from rucher.audit import mirror

        mirror.register()
