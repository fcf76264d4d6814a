from django.contrib import admin

from rucher.spaces.models import ConfidentialRead, Membership, Space


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ("name", "visibility", "kind", "confidential", "parent", "member_count")
    list_filter = ("visibility", "kind", "confidential")
    search_fields = ("name",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("space", "person", "role", "status")
    list_filter = ("role", "status")
    raw_id_fields = ("space", "person", "invited_by")


@admin.register(ConfidentialRead)
class ConfidentialReadAdmin(admin.ModelAdmin):
    """Read-only: the record of confidential reads cannot be edited, even by administrators."""

    list_display = ("at", "person", "space", "object_type", "object_id", "channel")
    list_filter = ("space", "channel")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
