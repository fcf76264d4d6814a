"""How a person wants to be told: a channel per kind, per watched space or topic, and their
e-mail settings (language, time zone, quiet hours, digest hour and weekday).

These writes are the person's own inbox state, not events of the network: they append no
event and are not ``actions`` (docs/architecture.md, "Notifications"). They validate like
actions do (``Invalid`` 422, ``NotFound`` 404, ``Forbidden`` 403, messages translated).

Resolution (``channel_for`` for one person, ``resolve_channel`` for the fan-out's bulk
reads): for new posts, the loudest preference among the post's topics, else the space's
preference, else the kind's, else ``DEFAULT_CHANNELS``; for every other kind, the kind's
preference, else the default. Space and topic preferences are about new posts only
(watching); muting a space, topic or person (stream controls) silences everything from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from rucher.conversations.models import Topic
from rucher.conversations.topics import normalise_topic
from rucher.errors import Forbidden, Invalid
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Space

from .models import DEFAULT_CHANNELS, PUSH_DEFAULT_KINDS, Channel, Kind, Preference, Settings

# The loudest first: when several topic preferences of a post disagree, the loudest wins
# (a watched topic is news to its watcher, whatever the other topics of the post).
LOUDNESS = (Channel.EMAIL, Channel.APP, Channel.DAILY, Channel.WEEKLY, Channel.OFF)


def check_kind(kind: object) -> str:
    if not isinstance(kind, str) or kind not in Kind.values:
        raise Invalid(_("kind must be one of %(choices)s") % {"choices": ", ".join(Kind.values)})
    return kind


def check_channel(channel: object) -> str:
    if not isinstance(channel, str) or channel not in Channel.values:
        raise Invalid(
            _("channel must be one of %(choices)s") % {"choices": ", ".join(Channel.values)}
        )
    return channel


def loudest(channels: Iterable[str]) -> str | None:
    found = set(channels)
    for channel in LOUDNESS:
        if channel in found:
            return channel
    return None


def resolve_channel(
    kind: str,
    kind_pref: str | None,
    space_pref: str | None = None,
    topic_prefs: Iterable[str] = (),
) -> str:
    """The channel from the preferences already read (the fan-out reads them in bulk)."""
    if kind == Kind.NEW_POST:
        by_topic = loudest(topic_prefs)
        if by_topic is not None:
            return by_topic
        if space_pref is not None:
            return space_pref
    if kind_pref is not None:
        return kind_pref
    return DEFAULT_CHANNELS[kind]


def channel_for(
    person: Person | int,
    kind: str,
    space_id: int | None = None,
    topic_ids: Iterable[int] = (),
) -> str:
    """How ``person`` hears of a ``kind`` notification about something in ``space_id`` with
    ``topic_ids`` (one query)."""
    person_id = person if isinstance(person, int) else person.pk
    topics = list(topic_ids)
    rows = Preference.objects.filter(person_id=person_id, kind=kind)
    if kind == Kind.NEW_POST:
        rows = Preference.objects.filter(person_id=person_id).filter(
            _scope_filter(kind, space_id, topics)
        )
    kind_pref = space_pref = None
    topic_prefs: list[str] = []
    for row in rows.values("kind", "space_id", "topic_id", "channel"):
        if row["topic_id"] is not None:
            topic_prefs.append(row["channel"])
        elif row["space_id"] is not None:
            space_pref = row["channel"]
        else:
            kind_pref = row["channel"]
    return resolve_channel(kind, kind_pref, space_pref, topic_prefs)


def _scope_filter(kind: str, space_id: int | None, topic_ids: list[int]) -> Q:
    scope = Q(kind=kind, space__isnull=True, topic__isnull=True)
    if space_id is not None:
        scope |= Q(space_id=space_id)
    if topic_ids:
        scope |= Q(topic_id__in=topic_ids)
    return scope


# --- writing one's preferences ---------------------------------------------------------------


@transaction.atomic
def set_kind_channel(person: Person, kind: object, channel: object) -> Preference:
    """The channel of every notification of ``kind`` (new posts: for spaces and topics without
    a preference of their own)."""
    kind, channel = check_kind(kind), check_channel(channel)
    row, _created = Preference.objects.update_or_create(
        person=person, kind=kind, space=None, topic=None, defaults={"channel": channel}
    )
    return row


def reset_kind_channel(person: Person, kind: object) -> None:
    Preference.objects.filter(
        person=person, kind=check_kind(kind), space__isnull=True, topic__isnull=True
    ).delete()


def watchable_space(person: Person, space_id: object) -> Space:
    """A space ``person`` may watch: one whose content they read (404 when they may not know
    of it, 403 when they see its card but not its content)."""
    space = permissions.get_visible_space(person, str(space_id))
    if not permissions.can_read_space(person, space):
        raise Forbidden(_("join this space to hear of its new posts"))
    return space


@transaction.atomic
def watch_space(person: Person, space_id: object, channel: object) -> Preference:
    """Hear of new posts in a space on ``channel`` (``off``: never, even through its topics'
    kind preference)."""
    channel = check_channel(channel)
    space = watchable_space(person, space_id)
    row, _created = Preference.objects.update_or_create(
        person=person, space=space, defaults={"channel": channel, "kind": "", "topic": None}
    )
    return row


def unwatch_space(person: Person, space_id: object) -> None:
    space = permissions.get_visible_space(person, str(space_id))
    Preference.objects.filter(person=person, space=space).delete()


def _topic(name: object, *, create: bool) -> Topic | None:
    key = normalise_topic(name)
    if create:
        return Topic.objects.get_or_create(name=key)[0]
    return Topic.objects.filter(name=key).first()


@transaction.atomic
def watch_topic(person: Person, name: object, channel: object) -> Preference:
    """Hear of new posts with ``#name`` (wherever ``person`` may read them)."""
    channel = check_channel(channel)
    topic = _topic(name, create=True)
    row, _created = Preference.objects.update_or_create(
        person=person, topic=topic, defaults={"channel": channel, "kind": "", "space": None}
    )
    return row


def unwatch_topic(person: Person, name: object) -> None:
    topic = _topic(name, create=False)
    if topic is not None:
        Preference.objects.filter(person=person, topic=topic).delete()


# --- settings --------------------------------------------------------------------------------


def settings_of(person: Person) -> Settings:
    """The person's settings (an unsaved row with the defaults when they never chose)."""
    found = Settings.objects.filter(person_id=person.pk).first()
    if found is not None:
        return found
    return Settings(person_id=person.pk, language=default_language(person))


def default_language(person: Person) -> str:
    """The profile's first language rucher speaks, else the site's."""
    codes = {code for code, _name in django_settings.LANGUAGES}
    for code in (getattr(person, "languages", "") or "").split(","):
        code = code.strip().lower()
        if code in codes:
            return code
    return str(django_settings.LANGUAGE_CODE)


def check_language(value: object) -> str:
    codes = [code for code, _name in django_settings.LANGUAGES]
    if not isinstance(value, str) or value not in codes:
        raise Invalid(_("language must be one of %(choices)s") % {"choices": ", ".join(codes)})
    return value


def check_time_zone(value: object) -> str:
    """An IANA time zone name zoneinfo knows (``Europe/Paris``)."""
    if not isinstance(value, str) or not value or len(value) > 64:
        raise Invalid(_("unknown time zone"))
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise Invalid(_("unknown time zone")) from None
    return value


def time_zones() -> list[str]:
    """The time zones a person may choose, sorted (for the settings page's select)."""
    return sorted(name for name in available_timezones() if "/" in name or name == "UTC")


def check_hour(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 23:
        raise Invalid(_("%(field)s must be an hour from 0 to 23") % {"field": what})
    return value


def check_weekday(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
        raise Invalid(_("the digest's weekday must be from 0 (Monday) to 6 (Sunday)"))
    return value


def check_time(value: object, what: str) -> time | None:
    """A time of day (``22:00``), or None."""
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, str):
        try:
            return time.fromisoformat(value).replace(second=0, microsecond=0, tzinfo=None)
        except ValueError:
            pass
    raise Invalid(_("%(field)s must be a time of day such as 22:00") % {"field": what})


SETTING_FIELDS = (
    "language",
    "time_zone",
    "quiet_from",
    "quiet_until",
    "digest_hour",
    "digest_weekday",
)


@transaction.atomic
def update_settings(person: Person, changes: Mapping[str, Any]) -> Settings:
    """Change some of ``SETTING_FIELDS`` (the others keep their value). Quiet hours go in
    pairs: both set, or both empty."""
    unknown = sorted(set(changes) - set(SETTING_FIELDS))
    if unknown:
        raise Invalid(_("unknown setting: %(names)s") % {"names": ", ".join(unknown)})
    current = settings_of(person)
    values: dict[str, Any] = {}
    if "language" in changes:
        values["language"] = check_language(changes["language"])
    if "time_zone" in changes:
        values["time_zone"] = check_time_zone(changes["time_zone"])
    if "quiet_from" in changes:
        values["quiet_from"] = check_time(changes["quiet_from"], _("the start of quiet hours"))
    if "quiet_until" in changes:
        values["quiet_until"] = check_time(changes["quiet_until"], _("the end of quiet hours"))
    if "digest_hour" in changes:
        values["digest_hour"] = check_hour(changes["digest_hour"], _("the digest's hour"))
    if "digest_weekday" in changes:
        values["digest_weekday"] = check_weekday(changes["digest_weekday"])
    quiet_from = values.get("quiet_from", current.quiet_from)
    quiet_until = values.get("quiet_until", current.quiet_until)
    if (quiet_from is None) != (quiet_until is None):
        raise Invalid(_("quiet hours need a start and an end"))
    if quiet_from is not None and quiet_from == quiet_until:
        raise Invalid(_("quiet hours cannot start and end at the same time"))
    for name, value in values.items():
        setattr(current, name, value)
    current.save()
    return current


@transaction.atomic
def set_push(person: Person, choices: Mapping[str, Any]) -> Settings:
    """Which kinds are pushed to the person's devices: ``{kind: true|false}``; the kinds not
    given go back to their default (``PUSH_DEFAULT_KINDS``)."""
    pushed = set(PUSH_DEFAULT_KINDS)
    for kind, on in choices.items():
        kind = check_kind(kind)
        if not isinstance(on, bool):
            raise Invalid(_("push must be true or false for each kind"))
        (pushed.add if on else pushed.discard)(kind)
    current = settings_of(person)
    current.push_kinds = None if pushed == set(PUSH_DEFAULT_KINDS) else sorted(pushed)
    current.save()
    return current


def push_of(person_settings: Settings | None) -> dict[str, bool]:
    """Every kind: pushed or not (the defaults when the person never chose)."""
    chosen = person_settings.push_kinds if person_settings is not None else None
    pushed = set(chosen) if isinstance(chosen, list) else set(PUSH_DEFAULT_KINDS)
    return {kind: kind in pushed for kind in Kind.values}


# --- reading one's preferences ---------------------------------------------------------------


@dataclass
class Watch:
    """A watched space or topic, with a name to show."""

    id: int
    name: str
    channel: str
    slug: str = ""


@dataclass
class Choices:
    """Everything a person chose (the settings page and the API's GET)."""

    kinds: dict[str, str]  # every kind: the chosen channel, or the default
    chosen_kinds: set[str]
    spaces: list[Watch] = field(default_factory=list)
    topics: list[Watch] = field(default_factory=list)
    settings: Settings | None = None
    push: dict[str, bool] = field(default_factory=dict)  # every kind: pushed to my devices


def choices_of(person: Person) -> Choices:
    """Three queries: preferences (with spaces and topics), the spaces still visible, settings.
    A watched space the person may no longer know of is not shown."""
    rows = list(
        Preference.objects.filter(person=person)
        .select_related("space", "topic")
        .order_by("kind", "space__name", "topic__name")
    )
    space_ids = [row.space_id for row in rows if row.space_id is not None]
    visible = (
        set(
            permissions.visible_spaces(person).filter(pk__in=space_ids).values_list("pk", flat=True)
        )
        if space_ids
        else set()
    )
    kinds = {kind: DEFAULT_CHANNELS[kind] for kind in Kind.values}
    chosen: set[str] = set()
    spaces: list[Watch] = []
    topics: list[Watch] = []
    for row in rows:
        if row.space is not None:
            if row.space_id in visible:
                spaces.append(Watch(row.space.pk, row.space.name, row.channel, row.space.slug))
        elif row.topic is not None:
            topics.append(Watch(row.topic.pk, row.topic.name, row.channel))
        elif row.kind in kinds:
            kinds[row.kind] = row.channel
            chosen.add(row.kind)
    person_settings = settings_of(person)
    return Choices(kinds, chosen, spaces, topics, person_settings, push_of(person_settings))


@transaction.atomic
def replace_choices(
    person: Person,
    *,
    kinds: Mapping[str, Any] | None = None,
    spaces: Mapping[int, Any] | None = None,
    topics: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
    push: Mapping[str, Any] | None = None,
) -> Choices:
    """Replace each section given (kinds, push: the ones not given go back to their default;
    spaces, topics: the ones not given are no longer watched); sections left out (None) are
    unchanged. All or nothing: the first invalid value raises and nothing is written."""
    if kinds is not None:
        checked = {check_kind(kind): check_channel(channel) for kind, channel in kinds.items()}
        Preference.objects.filter(person=person, kind__gt="").exclude(kind__in=checked).delete()
        for kind, channel in checked.items():
            set_kind_channel(person, kind, channel)
    if spaces is not None:
        wanted = {watchable_space(person, sid).pk: check_channel(ch) for sid, ch in spaces.items()}
        Preference.objects.filter(person=person, space__isnull=False).exclude(
            space_id__in=wanted
        ).delete()
        for space_id, channel in wanted.items():
            watch_space(person, space_id, channel)
    if topics is not None:
        named = {normalise_topic(name): check_channel(ch) for name, ch in topics.items()}
        Preference.objects.filter(person=person, topic__isnull=False).exclude(
            topic__name__in=named
        ).delete()
        for name, channel in named.items():
            watch_topic(person, name, channel)
    if settings is not None:
        update_settings(person, settings)
    if push is not None:
        set_push(person, push)
    return choices_of(person)
