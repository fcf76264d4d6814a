"""Small display helpers for rucher's templates."""

from __future__ import annotations

import functools
import hashlib
import html
from typing import Any

from django import template
from django.conf import settings
from django.http import QueryDict
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from rucher.conversations.models import Reaction

register = template.Library()


@register.simple_tag
def reaction_kinds() -> list[tuple[str, Any]]:
    """(value, translated label) for each reaction of the fixed set. Words, not emoji: no
    emoji font is guaranteed on the readers' machines and nothing is fetched from outside."""
    return [(k.value, k.label) for k in Reaction.Kind]


_REACTION_FORM = (
    '\n  <form method="post" action="{url}" class="inline"\n'
    '        hx-post="{url}" hx-target="#reactions-{pk}" hx-swap="outerHTML">\n'
    "    {csrf}\n"
    '    <input type="hidden" name="kind" value="{value}">\n'
    '    <input type="hidden" name="next" value="{next}">\n'
    '    <button type="submit" class="reaction{active}"\n'
    '            aria-pressed="{pressed}"\n'
    "            >{label}{n}</button>\n"
    "  </form>\n  "
)


@functools.lru_cache(maxsize=64)
def _reaction_labels(language: str | None) -> tuple[tuple[str, str, str], ...]:
    """(value, escaped value, escaped capitalised label) per reaction, in one language: the
    labels are fixed, so they are translated and escaped once per language, not per item."""
    return tuple(
        (kind.value, html.escape(kind.value), html.escape(capfirst(str(kind.label))))
        for kind in Reaction.Kind
    )


@functools.lru_cache(maxsize=512)
def _reaction_count(language: str | None, count: int) -> str:
    # As {% blocktranslate %} does: the number escaped, the translated sentence not.
    return ngettext("%(counter)s reaction", "%(counter)s reactions", count) % {
        "counter": html.escape(localize(count))
    }


@register.simple_tag(takes_context=True)
def reactions(context: template.Context, item: Any, my_reaction: Any = None) -> SafeString:
    """The reaction buttons of one item (a stream item, a post, a reply): a count, then a
    form per reaction of the fixed set, the reader's own one pressed.

    Written here rather than as a template: a page shows it once per item (a hundred times on
    a long thread) and, as a template, its five forms cost ten URL reversals and some sixty
    variable look-ups each time, the largest share of a thread's server time (issue 16). The
    markup is the one ``streams/_reactions.html`` had, byte for byte (the French and English
    pages were compared); that template now calls this tag, for the answer to a click."""
    pk = str(item.pk)
    url = html.escape(reverse("react", args=[item.pk]))
    token = context.get("csrf_token")
    csrf = ""
    if token and token != "NOTPROVIDED":
        csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
    request = context.get("request")
    next_path = html.escape(request.get_full_path()) if request is not None else ""
    counts = item.reaction_counts if isinstance(item.reaction_counts, dict) else {}
    language = get_language()
    count = item.reaction_count
    if type(count) is int:
        count_text = _reaction_count(language, count)
    else:  # pragma: no cover - the field is an integer
        count_text = ngettext("%(counter)s reaction", "%(counter)s reactions", count) % {
            "counter": conditional_escape(localize(count))
        }
    parts = [
        f'\n<div class="reactions" id="reactions-{pk}">\n'
        f'  <span class="count">{count_text}</span>\n  \n  '
    ]
    for value, escaped_value, label in _reaction_labels(language):
        mine = my_reaction == value
        n = counts.get(value)
        parts.append(
            _REACTION_FORM.format(
                url=url,
                pk=pk,
                csrf=csrf,
                value=escaped_value,
                next=next_path,
                active=" active" if mine else "",
                pressed="true" if mine else "false",
                label=label,
                n=f' <span class="n">{conditional_escape(localize(n))}</span>' if n else "",
            )
        )
    parts.append("\n</div>\n")
    return mark_safe("".join(parts))  # every value above is escaped


_STAND_IN_ID = 987_654_321_012_345  # no real id is this large


@functools.lru_cache(maxsize=256)
def _around_id(urlconf: Any, prefix: str, name: str, fixed: tuple[str, ...]) -> tuple[str, str]:
    """The address of route ``name`` for a stand-in id, cut where the id goes; ("", "") when
    the stand-in does not appear exactly once (then each address is reversed whole)."""
    url = reverse(name, urlconf=urlconf, args=[*fixed, _STAND_IN_ID])
    head, found, tail = url.partition(str(_STAND_IN_ID))
    if not found or str(_STAND_IN_ID) in tail:
        return "", ""
    return head, tail


@register.simple_tag
def id_url(name: str, *args: Any) -> str:
    """``{% url name ... id %}`` for a route whose last argument is an id (a profile, a post,
    its actions), on pages that list many: the route is reversed once (with a stand-in id)
    and each item's id put in its place, instead of a full reversal per item (~30 µs each, a
    few per item; issue 16). Anything else is reversed as ``{% url %}`` does."""
    *fixed, last = args
    if type(last) is int and last >= 0 and all(type(a) is str for a in fixed):
        head, tail = _around_id(get_urlconf(), get_script_prefix(), name, tuple(fixed))
        if head:
            return f"{head}{last}{tail}"
    return reverse(name, args=args)


@register.simple_tag
def options(choices: Any, selected: Any = None) -> SafeString:
    """The ``<option>`` elements of ``(value, label)`` choices, ``selected`` marked: for a
    select repeated on every row of a table (the space page's roles, one per member; issue
    16), where a template loop per row cost more than the rest of the row."""
    return mark_safe(  # both escaped
        "".join(
            f'<option value="{conditional_escape(value)}"'
            f"{' selected' if value == selected else ''}>{conditional_escape(label)}</option>"
            for value, label in choices
        )
    )


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


AVATAR_SIZES = {"small": 32, "": 40, "big": 96}


def avatar_colour(name: str) -> str:
    """A colour from the name, stable across pages and processes (not Python's salted hash):
    a hue on a dark enough lightness for white initials to read (WCAG AA for large text)."""
    hue = int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:4], 16) % 360
    return f"hsl({hue} 45% 32%)"


@register.simple_tag
def avatar(person: Any, size: str = "") -> str:
    """A person's picture, the same everywhere: their photo (served resized and cached by
    ``people/<id>/photo/<version>.jpg``) or their initials on a colour from their name, as an
    SVG. Decorative (``alt=""``, aria-hidden): the name is always written beside it."""
    px = AVATAR_SIZES.get(size, 40)
    css = f"avatar {size}".strip()
    photo = getattr(person, "photo", None)
    if photo and not getattr(person, "is_erased", False):
        version = hashlib.sha256(photo.name.encode("utf-8")).hexdigest()[:12]
        url = reverse("photo", args=[person.pk, version])
        return format_html(
            '<img class="{}" src="{}" alt="" width="{}" height="{}" loading="lazy">',
            css,
            url,
            px,
            px,
        )
    initials = person.initials if not getattr(person, "is_erased", False) else "?"
    return format_html(
        '<svg class="{}" viewBox="0 0 40 40" width="{}" height="{}" aria-hidden="true" '
        'focusable="false"><circle cx="20" cy="20" r="20" fill="{}"/>'
        '<text x="20" y="20" dy=".35em" text-anchor="middle" font-size="15" fill="#fff">{}</text>'
        "</svg>",
        css,
        px,
        px,
        avatar_colour(person.display_name),
        initials[:2],
    )
