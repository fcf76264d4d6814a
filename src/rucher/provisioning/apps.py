from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    name = "rucher.provisioning"
    label = "provisioning"
    verbose_name = _("Directory provisioning")
    default_auto_field = "django.db.models.BigAutoField"
