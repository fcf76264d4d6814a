from django.contrib import admin

from rucher.activity.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The event log is append-only: the admin only reads it."""

    list_display = ("at", "actor_id", "verb", "object_type", "object_id", "space_id", "target_id")
    list_filter = ("verb",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
