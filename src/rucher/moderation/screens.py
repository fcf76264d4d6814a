"""Publishing rules applied before a text is saved: watched words, slow mode, new accounts'
first posts (docs/watched-words.md).

Publishing (``conversations``, a layer below) calls these through
``conversations.sensitive.add_screen``. The rules (every watched word, the spaces in slow
mode, the organisation's new-account setting) are read in three queries, kept in the cache
(shared through Redis when it is configured, else per process) and compiled once per
process, so a publish costs no query for them while they are warm. A change clears the cache
(at once and again after its commit); without Redis another server process sees it within
``RULES_TTL`` seconds.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rucher.conversations.models import Content
from rucher.conversations.sensitive import Draft, Screened, add_screen
from rucher.errors import TooManyRequests
from rucher.moderation.models import OrganisationRules, SpaceRules, WatchedWord
from rucher.sensitive.watched import MatchMode, WatchedAction, WatchList
from rucher.sensitive.watched import WatchedWord as Word
from rucher.spaces import permissions

CACHE_KEY = "rucher:moderation:publishing-rules"
STAMP_KEY = "rucher:moderation:publishing-rules:stamp"
RULES_TTL = 30  # seconds

WordRow = tuple[int, int | None, str, str, str, str]  # id, space, pattern, mode, action, repl


@dataclass
class Rules:
    stamp: str
    organisation: WatchList
    by_space: dict[int, WatchList]
    slow_mode: dict[int, int]  # space id -> minutes
    new_account_posts: int = 0
    new_account_days: int = 0
    _merged: dict[int | None, WatchList] = field(default_factory=dict)

    def words_for(self, space_id: int | None) -> WatchList:
        """The organisation's words and the space's, as one list (compiled once)."""
        if space_id is None or space_id not in self.by_space:
            return self.organisation
        merged = self._merged.get(space_id)
        if merged is None:
            merged = WatchList([*self.organisation.words, *self.by_space[space_id].words])
            self._merged[space_id] = merged
        return merged


_local: Rules | None = None


def _load() -> tuple[str, list[WordRow], dict[int, int], tuple[int, int]]:
    words: list[WordRow] = list(
        WatchedWord.objects.order_by("id").values_list(
            "id", "space_id", "pattern", "mode", "action", "replacement"
        )
    )
    slow = dict(
        SpaceRules.objects.filter(slow_mode_minutes__gt=0).values_list(
            "space_id", "slow_mode_minutes"
        )
    )
    org = OrganisationRules.objects.filter(pk=1).values_list(
        "new_account_posts", "new_account_days"
    ).first() or (0, 0)
    return uuid.uuid4().hex, words, slow, (int(org[0]), int(org[1]))


def current_rules() -> Rules:
    """The rules, from this process's compiled copy while the cache's stamp still matches
    (a small key read first: the rows are read from the cache only when they changed)."""
    global _local
    stamp = cache.get(STAMP_KEY)
    if stamp is not None and _local is not None and _local.stamp == stamp:
        return _local
    raw = cache.get(CACHE_KEY)
    if raw is None or raw[0] != stamp:
        raw = _load()
        cache.set_many({CACHE_KEY: raw, STAMP_KEY: raw[0]}, RULES_TTL)
    stamp, words, slow, (posts, days) = raw
    organisation: list[Word] = []
    by_space: dict[int, list[Word]] = {}
    for pk, space_id, pattern, mode, action, replacement in words:
        word = Word(pk, pattern, MatchMode(mode), WatchedAction(action), replacement)
        (organisation if space_id is None else by_space.setdefault(space_id, [])).append(word)
    _local = Rules(
        stamp,
        WatchList(organisation),
        {pk: WatchList(ws) for pk, ws in by_space.items()},
        slow,
        posts,
        days,
    )
    return _local


def forget_rules() -> None:
    """Rules changed: drop them now and again once the change commits (a request reading
    the old rows meanwhile must not keep them for ``RULES_TTL``)."""
    global _local
    _local = None
    cache.delete_many([CACHE_KEY, STAMP_KEY])
    transaction.on_commit(lambda: cache.delete_many([CACHE_KEY, STAMP_KEY]))


# --- the screens ------------------------------------------------------------------------


def _sentence(action: WatchedAction, matched: str, replacement: str) -> str:
    if action == WatchedAction.BLOCK:
        return _("“%(word)s” is not allowed here.") % {"word": matched}
    if action == WatchedAction.HOLD:
        return _("“%(word)s” needs a moderator's approval here.") % {"word": matched}
    if action == WatchedAction.FLAG:
        return _("“%(word)s” will be reviewed by the moderators.") % {"word": matched}
    return _("“%(word)s” is replaced by “%(replacement)s”.") % {
        "word": matched,
        "replacement": replacement or "***",
    }


def watched_words(draft: Draft) -> Screened | None:
    words = current_rules().words_for(draft.space.pk if draft.space is not None else None)
    if not len(words):
        return None
    screening = words.check(draft.text)
    if not screening.hits and not screening.timed_out:
        return None
    findings = [
        {
            "kind": "watched_word",
            "label": _sentence(hit.word.action, hit.matched, hit.word.replacement),
            "start": hit.start,
            "end": hit.end,
            "masked": hit.matched,
            "action": hit.word.action.value,
        }
        for hit in screening.hits
    ]
    blocked = [str(f["label"]) for f in findings if f["action"] == WatchedAction.BLOCK]
    holds = [str(f["label"]) for f in findings if f["action"] == WatchedAction.HOLD]
    if screening.timed_out:  # fail closed: a pattern that could not finish holds the text
        holds.append(_("A watched pattern took too long to check: a moderator will look."))
    record = [
        {"word_id": h.word.id, "pattern": h.word.pattern, "action": h.word.action.value}
        for h in screening.hits
    ] + [
        {"word_id": w.id, "pattern": w.pattern, "action": "hold", "timed_out": True}
        for w in screening.timed_out
    ]
    replaced = screening.replaced(draft.text)
    return Screened(
        findings=findings,
        block=" ".join(blocked),
        hold=" ".join(holds),
        text=replaced if replaced != draft.text else None,
        record={"watched": record},
    )


def _exempt(draft: Draft) -> bool:
    """Community managers of the space and moderators are not slowed down."""
    assert draft.space is not None
    return permissions.can_moderate(draft.author, draft.space, draft.member)


def slow_mode(draft: Draft) -> Screened | None:
    """One post or comment per person per N minutes in a space in slow mode (edits pass)."""
    if draft.space is None or draft.kind == "edit":
        return None
    minutes = current_rules().slow_mode.get(draft.space.pk, 0)
    if not minutes or _exempt(draft):
        return None
    now = timezone.now()
    last = (
        Content.objects.filter(
            author_id=draft.author.pk,
            space_id=draft.space.pk,
            created_at__gt=now - timedelta(minutes=minutes),
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is None:
        return None
    allowed_at = last + timedelta(minutes=minutes)
    when = formats.time_format(timezone.localtime(allowed_at), "TIME_FORMAT")
    raise TooManyRequests(
        _(
            "This space is in slow mode: one post or comment per person every %(minutes)s "
            "minutes. You may post again at %(time)s."
        )
        % {"minutes": minutes, "time": when},
        max(1, math.ceil((allowed_at - now).total_seconds())),
    )


def new_accounts(draft: Draft) -> Screened | None:
    """An account younger than D days has its first K posts and comments held for review."""
    rules = current_rules()
    if draft.kind == "edit" or not rules.new_account_posts:
        return None
    author = draft.author
    if author.is_community_manager:  # moderators and administrators
        return None
    if author.date_joined < timezone.now() - timedelta(days=rules.new_account_days):
        return None
    written = Content.objects.filter(author_id=author.pk).count()
    if written >= rules.new_account_posts:
        return None
    return Screened(
        hold=_("The first posts of a new account are approved by a moderator."),
        record={"new_account": True},
    )


def register() -> None:
    add_screen(slow_mode)
    add_screen(watched_words)
    add_screen(new_accounts)
