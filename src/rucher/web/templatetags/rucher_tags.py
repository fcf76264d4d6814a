"""Small display helpers for rucher's templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from rucher.conversations.models import Reaction

register = template.Library()


@register.simple_tag
def reaction_kinds() -> list[tuple[str, Any]]:
    """(value, translated label) for each reaction of the fixed set. Words, not emoji: no
    emoji font is guaranteed on the readers' machines and nothing is fetched from outside."""
    return [(k.value, k.label) for k in Reaction.Kind]


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (None or "" removes them)."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for name, value in changes.items():
        if value in (None, ""):
            query.pop(name, None)
        else:
            query[name] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def max_text_length() -> int:
    return int(settings.RUCHER_MAX_TEXT_LENGTH)


@register.simple_tag
def max_comment_length() -> int:
    return int(settings.RUCHER_MAX_COMMENT_LENGTH)


@register.filter
def visibility_label(value: str) -> Any:
    labels = {"open": _("open"), "private": _("private"), "secret": _("secret")}
    return labels.get(value, value)
