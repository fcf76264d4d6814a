from django.contrib import admin

from rucher.identity.models import ExternalIdentity


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ("person", "protocol", "issuer", "subject", "created_at", "last_sign_in_at")
    list_filter = ("protocol", "issuer")
    search_fields = ("person__username", "person__email", "subject")
    raw_id_fields = ("person",)
    readonly_fields = ("created_at", "last_sign_in_at")
