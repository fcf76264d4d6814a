"""Directory connections in the admin pages: making one (or saving it with "new token")
shows its token once, in the page's message; only its hash is kept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rucher.provisioning.actions import create_connection
from rucher.provisioning.models import DirectoryConnection


class ConnectionForm(forms.ModelForm):
    new_token = forms.BooleanField(
        label=gettext_lazy("make a new token (the old one stops working)"), required=False
    )

    class Meta:
        model = DirectoryConnection
        fields = ("name", "group_target", "acting_as")


@admin.register(DirectoryConnection)
class DirectoryConnectionAdmin(admin.ModelAdmin):
    form = ConnectionForm
    list_display = ("name", "group_target", "acting_as", "token_prefix", "last_used_at")
    readonly_fields = ("token_prefix", "created_at", "last_used_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and not form.cleaned_data.get("new_token"):
            super().save_model(request, obj, form, change)
            return
        connection, raw = create_connection(obj.acting_as, obj.name, obj.group_target)
        obj.pk, obj.token_hash = connection.pk, connection.token_hash
        messages.warning(
            request,
            _("The token of %(name)s, shown this once: %(token)s")
            % {"name": connection.name, "token": raw},
        )
