"""What the moderation actions share: checking a choice and an optional text."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rucher.errors import Invalid
from rucher.text import clean, is_blank, require, strip


def one_of(value: object, choices: list[str], what: str) -> str:
    if value not in choices:
        raise Invalid(
            _("%(field)s must be one of %(choices)s")
            % {"field": what, "choices": ", ".join(choices)}
        )
    return str(value)


def optional_text(value: object, limit: int, what: str) -> str:
    if value is None:
        return ""
    text = strip(require(value, what))
    return "" if is_blank(text) else clean(text, limit, what)
