"""One-click unsubscribe links (RFC 8058): signed, per person and category.

A category is a notification kind (``mention``…: stop the e-mails about it; it stays in the
notification centre) or a digest (``daily``, ``weekly``: stop that digest). The link carries
the person and the category, signed with ``django.core.signing`` under a salt of its own (a
signature made for another purpose, a password reset for instance, is refused here), and
stamped: it works for ``RUCHER_UNSUBSCRIBE_MAX_AGE_DAYS`` days (RFC 8058 asks for a link that
keeps working long after the message was sent; half a year does).

Unsubscribing again changes nothing and says so: a link replayed, or clicked twice, is
harmless. A digest is on while at least one of the person's preferences (their own, or the
default of a kind they never changed) chooses it (``digest_on``); turning it off moves every
preference that chose it to ``app`` (still in the centre, no e-mail).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from rucher.notifications.models import DEFAULT_CHANNELS, Channel, Kind, Preference

SALT = "rucher.notifications.unsubscribe"
DIGESTS = (Channel.DAILY.value, Channel.WEEKLY.value)
E_MAILED = (Channel.EMAIL.value, Channel.DAILY.value, Channel.WEEKLY.value)


class BadLink(ValueError):
    """A link that is not one of ours, was altered, or is too old (the reason, translated)."""


def categories() -> set[str]:
    return {kind.value for kind in Kind} | set(DIGESTS)


def token_for(person_id: int, category: str) -> str:
    if category not in categories():
        raise ValueError(f"unknown unsubscribe category {category!r}")
    return signing.dumps([person_id, category], salt=SALT, compress=False)


def read_token(token: str) -> tuple[int, str]:
    """(person id, category) from a link; ``BadLink`` with a reason a person understands."""
    max_age = settings.RUCHER_UNSUBSCRIBE_MAX_AGE_DAYS * 86400
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise BadLink(
            _("This unsubscribe link has expired. Change your e-mails in your preferences.")
        ) from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise BadLink(
            _("This unsubscribe link is not valid: it may have been cut or altered.")
        ) from None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not isinstance(payload[0], int)
        or payload[1] not in categories()
    ):
        raise BadLink(_("This unsubscribe link is not valid: it may have been cut or altered."))
    return payload[0], payload[1]


def absolute(path: str) -> str:
    return settings.RUCHER_BASE_URL.rstrip("/") + path


def link_for(person_id: int, category: str) -> str:
    return absolute(reverse("unsubscribe", args=[token_for(person_id, category)]))


def category_label(category: str) -> str:
    """What the person stops receiving, in words (in the active language)."""
    labels: dict[str, str] = {
        Kind.MENTION: _("e-mails when someone mentions you"),
        Kind.REPLY: _("e-mails about replies to your posts and comments"),
        Kind.REACTION: _("e-mails about reactions to what you wrote"),
        Kind.ANSWER: _("e-mails about answers to your questions"),
        Kind.ACCEPTED_ANSWER: _("e-mails when your answer is accepted"),
        Kind.INVITATION: _("e-mails about invitations to a space"),
        Kind.JOIN_REQUEST: _("e-mails about requests to join a space you manage"),
        Kind.ROLE_CHANGE: _("e-mails about changes of your role in a space"),
        Kind.MODERATION: _("e-mails about moderation of what you wrote or flagged"),
        Kind.NEW_POST: _("e-mails about new posts in spaces and topics you watch"),
        Channel.DAILY: _("the daily digest"),
        Channel.WEEKLY: _("the weekly digest"),
    }
    return labels[category]


def channels_of(person_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Each person's channel for every kind (their preference, or the default): one query."""
    ids = list(person_ids)
    chosen: dict[int, dict[str, str]] = {pk: dict(DEFAULT_CHANNELS) for pk in ids}
    rows = Preference.objects.filter(person_id__in=ids, space__isnull=True, topic__isnull=True)
    for person_id, kind, channel in rows.values_list("person_id", "kind", "channel"):
        chosen[person_id][kind] = channel
    return chosen


def digest_on(person_ids: Iterable[int], channel: str) -> set[int]:
    """The people whose ``channel`` digest is on: a kind, a space or a topic chooses it."""
    ids = list(person_ids)
    on = {pk for pk, kinds in channels_of(ids).items() if channel in kinds.values()}
    # Spaces and topics watched through this digest (their preferences have no kind).
    watched = Preference.objects.filter(person_id__in=ids, channel=channel, kind="")
    return on | set(watched.values_list("person_id", flat=True).distinct())


@dataclass(frozen=True)
class Outcome:
    category: str
    changed: bool  # False: it was already off (a replayed link)


def unsubscribe(person_id: int, category: str) -> Outcome:
    """Stop the e-mails of ``category`` for this person (idempotent)."""
    if category not in categories():
        raise ValueError(f"unknown unsubscribe category {category!r}")
    with transaction.atomic():
        if category in DIGESTS:
            changed = _digest_off(person_id, category)
        else:
            changed = _kind_in_app_only(person_id, category)
    return Outcome(category, changed)


def _in_app(person_id: int, kind: str) -> None:
    """The kind's preference set to ``app`` (what ``preferences.set_kind_channel`` writes,
    by id: the link carries no signed-in person)."""
    Preference.objects.update_or_create(
        person_id=person_id, kind=kind, space=None, topic=None, defaults={"channel": Channel.APP}
    )


def _kind_in_app_only(person_id: int, kind: str) -> bool:
    current = channels_of([person_id])[person_id][kind]
    if current not in E_MAILED:
        return False  # already in the app only, or off: nothing e-mailed to stop
    _in_app(person_id, kind)
    return True


def _digest_off(person_id: int, channel: str) -> bool:
    kinds = channels_of([person_id])[person_id]
    moved = [kind for kind, chosen in kinds.items() if chosen == channel]
    for kind in moved:
        _in_app(person_id, kind)
    # Spaces and topics watched through this digest (a kind preference is never blank).
    watched = Preference.objects.filter(person_id=person_id, channel=channel, kind="")
    return bool(watched.update(channel=Channel.APP)) or bool(moved)
