"""What a topic name is: the one normalisation of a ``#topic`` wherever a name comes in (a
text's hashtags, the loader's datasets, a follow or mute, a topic page, a stream filter).

A topic is stored lower case, without the hash and the surrounding spaces, 1 to
``MAX_TOPIC_LENGTH`` characters (``Topic.name``'s column).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from rucher import text
from rucher.errors import Invalid

MAX_TOPIC_LENGTH = 50


def topic_key(name: object) -> str:
    """How ``name`` is stored: stripped (invisible characters too), without the leading '#',
    lower case (may be empty or too long: ``normalise_topic`` checks). A name that cannot be
    stored (a NUL, a lone surrogate) is ``Invalid``: a 422, never a database error."""
    raw = text.require(name if isinstance(name, str) else str(name), _("topic"))
    return text.strip(text.strip(raw).lstrip("#")).lower()


def is_topic_name(key: str) -> bool:
    return 0 < len(key) <= MAX_TOPIC_LENGTH


def normalise_topic(name: object) -> str:
    """The stored form of a topic name, or ``Invalid`` (a 422) when it is empty or too long."""
    key = topic_key(name) if isinstance(name, str | int) else ""
    if not is_topic_name(key):
        raise Invalid(_("a topic name has 1 to %(max)s characters") % {"max": MAX_TOPIC_LENGTH})
    return key
