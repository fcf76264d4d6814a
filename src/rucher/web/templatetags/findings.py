"""The composer's preview of a refused text: what the detectors and the watched words found,
marked inside the text the author wrote (docs/watched-words.md, "In the composer")."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def marked_findings(text: str, findings: list[dict[str, Any]]) -> SafeString:
    """``text`` escaped, each finding's span in a ``<mark>`` numbered like the list of
    findings (the number and the reason are read out by screen readers; overlapping spans
    are marked once, by the first)."""
    out: list[str] = []
    position = 0
    for number, finding in enumerate(findings, start=1):
        start, end = int(finding.get("start", 0)), int(finding.get("end", 0))
        if start < position or end <= start or end > len(text):
            continue
        out.append(escape(text[position:start]))
        out.append(
            f'<mark data-kind="{escape(finding.get("kind", ""))}">{escape(text[start:end])}'
            f'<sup aria-hidden="true">{number}</sup>'
            f'<span class="visually-hidden"> ({escape(finding.get("label", ""))})</span></mark>'
        )
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # every piece is escaped above
