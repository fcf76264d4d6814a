"""``{% feed_key as key %}``: the signed-in person's feed key (one query per page, then
remembered on the request), and ``{% feed_url key "space" space.slug %}``: a feed's URL."""

from __future__ import annotations

from typing import Any

from django import template

from rucher.feeds import links
from rucher.feeds.keys import active_key

register = template.Library()


@register.simple_tag(takes_context=True)
def feed_key(context: template.Context) -> str:
    request = context.get("request")
    if request is None:
        return ""
    found: str | None = getattr(request, "_rucher_feed_key", None)
    if found is None:
        found = active_key(getattr(request, "user", None)) or ""
        request._rucher_feed_key = found
    return found


@register.simple_tag
def feed_url(key: str, kind: str, name: Any = "", fmt: str = "atom") -> str:
    return links.feed_url(key, kind, str(name), fmt)
