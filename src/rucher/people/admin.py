from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from rucher.people.actions import tokens
from rucher.people.models import (
    AccessToken,
    Department,
    Organisation,
    Person,
    SessionRecord,
    Site,
    Tag,
)


@admin.register(Person)
class PersonAdmin(UserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "kind",
        "department",
        "site",
        "is_active",
    )
    list_filter = ("kind", "department", "site", "organisation", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "rucher",
            {
                "fields": (
                    "kind",
                    "organisation",
                    "department",
                    "site",
                    "job_title",
                    "manager",
                    "languages",
                    "bio",
                    "left_at",
                )
            },
        ),
    )


admin.site.register([Department, Site, Organisation, Tag])


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Administrators see every personal access token (never the secret) and revoke any."""

    list_display = (
        "person",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("person__username", "name", "prefix")
    readonly_fields = (
        "person",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    exclude = ("token_hash",)
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True).select_related("person"):
            tokens.revoke_token(token.person, token.pk)


@admin.register(SessionRecord)
class SessionRecordAdmin(admin.ModelAdmin):
    """Every signed-in session; deleting one signs it out (its Django session goes too)."""

    list_display = ("person", "user_agent", "address", "created_at", "last_seen_at")
    search_fields = ("person__username", "address")
    readonly_fields = (
        "person",
        "session_key",
        "user_agent",
        "address",
        "created_at",
        "last_seen_at",
    )
    actions = ("sign_out",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=gettext_lazy("Sign the selected sessions out"))
    def sign_out(self, request: HttpRequest, queryset: QuerySet[SessionRecord]) -> None:
        from django.contrib.sessions.models import Session

        keys = list(queryset.values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        queryset.delete()
