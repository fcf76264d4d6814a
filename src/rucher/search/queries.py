"""Searching: what a person may find, ranked, one page at a time.

``search(person, text, filters, cursor, limit)`` is the one read path behind the search page,
the suggestions under the box and ``GET /api/v1/search``:

1. ``allowed_entries``: the index rows this person may see *now*, through the read policy
   (``spaces.permissions``) evaluated against the live content, people and spaces, with the
   filters (kind, space, author, topic, dates) applied to the live content too.
2. Ranked lists over those rows, fused by ``ranking.fuse`` (reciprocal rank fusion): the
   engine's full-text ranking of the analysed query (``words_list``) and, for a submitted
   search (not the suggestions while typing), the items nearest in meaning to the query
   (``rucher.meaning.nearest``, mapped through the same rows by ``ranked_from_objects``).
3. The page after the cursor, its snippets highlighted, and the confidential items shown
   recorded as read (``spaces.confidential``), as every page that shows content does.

Each list goes ``RANK_DEPTH`` rows deep: fusion needs each list's top, and a person reads
the first pages; results past that depth are not served (docs/search.md).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from rucher import meaning, paging, text
from rucher.conversations.models import Content
from rucher.errors import Invalid
from rucher.search import ranking
from rucher.search.analysis import Query, parse_query
from rucher.search.models import Entry
from rucher.spaces import permissions
from rucher.spaces.confidential import record_reads_by_id

RANK_DEPTH = 200
# The sentence encoder reads a query's first paragraph or so; a pasted page would only cost.
MEANING_QUERY_CHARACTERS = 1_000
# Below this cosine similarity an item is not "close in meaning" but merely the least far:
# without a floor, every item with a vector would join the results of any query. Set between
# what the encoder gives unrelated texts (-0.07 to 0.12) and paraphrases across French and
# English (about 0.6), measured on hand-written pairs, not on the evaluation data
# (docs/meaning.md); never tuned on a reported file.
MEANING_FLOOR = 0.35
SUGGESTIONS = 8
SNIPPET_WORDS = 32
CONTENT_KINDS = frozenset(kind.value for kind in Content.Kind)
KINDS = tuple(kind.value for kind in Entry.Kind)
# The order of the groups on the result page.
GROUP_ORDER = (
    "question",
    "answer",
    "post",
    "comment",
    "poll",
    "person",
    "space",
    "topic",
    "attachment",
)

_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SNIPPET_WORD = re.compile(rf"[^\W_{_UNSPACED}]+|[{_UNSPACED}]")


@dataclass(frozen=True)
class Filters:
    """What narrows a search. The content filters (space, author, topic, dates) keep content
    and attachments only; people, spaces and topics have no space, author or date."""

    kinds: tuple[str, ...] = ()
    space_id: int | None = None
    author_id: int | None = None
    topic: str = ""
    since: date | None = None
    until: date | None = None

    @property
    def narrows_content(self) -> bool:
        return bool(
            self.space_id is not None
            or self.author_id is not None
            or self.topic
            or self.since
            or self.until
        )


def _one_line(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(_("%(what)s must be text") % {"what": what})
    problem = text.problem(value)
    if problem is not None:
        raise Invalid(_("%(what)s: %(problem)s") % {"what": what, "problem": problem})
    return value.strip()


def _date(value: Any, what: str) -> date | None:
    raw = _one_line(value, what)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(_("%(what)s must be a date (YYYY-MM-DD)") % {"what": what}) from None


def parse_filters(
    person: Any,
    *,
    kind: Any = None,
    space: Any = None,
    author: Any = None,
    topic: Any = None,
    since: Any = None,
    until: Any = None,
) -> Filters:
    """Filters from what a form or the API received, or ``Invalid`` with the reason.

    ``space`` is an id or an address (slug), ``author`` an id or a username; one the person
    may not see narrows to nothing (no error: an error would tell it exists)."""
    kinds: list[str] = []
    for raw in _one_line(kind, _("kind")).split(","):
        if raw.strip():
            if raw.strip() not in KINDS:
                raise Invalid(
                    _("unknown kind %(kind)s (one of %(kinds)s)")
                    % {"kind": raw.strip()[:20], "kinds": ", ".join(KINDS)}
                )
            kinds.append(raw.strip())
    space_id = None
    if raw_space := _one_line(space, _("space")):
        if raw_space.isdigit():
            space_id = int(raw_space) if int(raw_space) <= paging.MAX_ID else 0
        else:
            found = (
                permissions.visible_spaces(person)
                .filter(slug=raw_space)
                .values_list("pk", flat=True)
            )
            space_id = next(iter(found), 0)
    author_id = None
    if raw_author := _one_line(author, _("author")).lstrip("@"):
        if raw_author.isdigit():
            author_id = int(raw_author) if int(raw_author) <= paging.MAX_ID else 0
        else:
            named = (
                permissions.visible_people(person)
                .filter(username=raw_author)
                .values_list("pk", flat=True)
            )
            author_id = next(iter(named), 0)
    since_day, until_day = _date(since, _("from")), _date(until, _("to"))
    if since_day and until_day and since_day > until_day:
        raise Invalid(_("the start date is after the end date"))
    return Filters(
        kinds=tuple(kinds),
        space_id=space_id,
        author_id=author_id,
        topic=_one_line(topic, _("topic")).lstrip("#").lower(),
        since=since_day,
        until=until_day,
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def allowed_entries(person: Any, filters: Filters) -> QuerySet[Entry]:
    """The index rows ``person`` may see, narrowed by ``filters``: the read policy applied to
    each row's live object (correlated EXISTS, so only matched rows are checked)."""
    content = Content.objects.filter(pk=OuterRef("content_id"))
    if filters.space_id is not None:
        content = content.filter(space_id=filters.space_id)
    if filters.author_id is not None:
        content = content.filter(author_id=filters.author_id)
    if filters.topic:
        content = content.filter(topics__name=filters.topic)
    if filters.since:
        content = content.filter(created_at__gte=_day_start(filters.since))
    if filters.until:
        content = content.filter(created_at__lt=_day_start(filters.until) + timedelta(days=1))
    visible = Q(content_id__isnull=False) & Q(Exists(permissions.visible_content(person, content)))
    if not filters.narrows_content:
        people = permissions.visible_people(person).filter(pk=OuterRef("object_id"))
        spaces = permissions.visible_spaces(person).filter(pk=OuterRef("object_id"))
        tagged = Content.objects.filter(topics=OuterRef("object_id"))
        visible |= Q(kind=Entry.Kind.PERSON) & Q(Exists(people))
        visible |= Q(kind=Entry.Kind.SPACE) & Q(Exists(spaces))
        # A topic is known once something the person may read carries it.
        visible |= Q(kind=Entry.Kind.TOPIC) & Q(Exists(permissions.visible_content(person, tagged)))
    rows = Entry.objects.filter(visible)
    if filters.kinds:
        rows = rows.filter(kind__in=filters.kinds)
    return rows


def words_list(
    allowed: QuerySet[Entry], query: Query, depth: int = RANK_DEPTH
) -> ranking.RankedList:
    """The engine's full-text ranking of ``query`` over ``allowed``: FTS5's BM25 on SQLite
    (title terms weigh 4, body terms 1), ts_rank_cd over the weighted tsvector on PostgreSQL.

    Two steps: the engine's best matches (``best_matches``, no permission involved), then
    the read policy over those rows only (``allowed``, by primary key). One query each: the
    policy never walks the matches, so a word found in a hundred thousand items costs what
    its best thousand cost."""
    cap, window = candidate_cap(depth), search_window()
    candidates, more = best_matches(query, cap, window)
    rows = _allowed_best(allowed, candidates, depth)
    if more and len(rows) < depth:
        # The policy or the filters left fewer than ``depth`` of the ``cap`` best matches,
        # and there were more: rank every match (exact within the window).
        candidates, _ = best_matches(query, 0, window)
        rows = _allowed_best(allowed, candidates, depth)
    return ranking.RankedList("words", [row[0] for row in rows], [row[1] for row in rows])


def candidate_cap(depth: int) -> int:
    """How many of the engine's best matches are checked by the read policy before ranking
    (``RUCHER_SEARCH_CANDIDATES``, default 5 × depth; 0: every match). Exact: when at least
    ``depth`` of them are allowed, they are the ``depth`` best allowed matches (any allowed
    match outside the cap scores lower than every match inside it)."""
    value = getattr(settings, "RUCHER_SEARCH_CANDIDATES", None)
    return depth * 5 if value is None else max(int(value), 0)


def search_window() -> int:
    """How many matches of a query are ranked at most: the most recent ones
    (``RUCHER_SEARCH_WINDOW``, default 20,000; 0: no window).

    Scoring a match costs the engine a lookup of the document's length (BM25 normalises by
    it): a few microseconds, so a word found in 150,000 items of a million costs half a
    second before the first result. Reading matches newest first costs almost nothing. A
    query that matches more than the window is ranked among its newest matches: in a
    network where people look for what is being said, the newest of 20,000 matches of a
    common word are where the answer is, and a second word narrows any query below the
    window (docs/search.md, "The window")."""
    value = getattr(settings, "RUCHER_SEARCH_WINDOW", None)
    return 20_000 if value is None else max(int(value), 0)


def best_matches(query: Query, cap: int, window: int) -> tuple[list[tuple[int, float]], bool]:
    """The engine's ``cap`` best matches (0: all) among its ``window`` newest (0: all), as
    (index row id, score) best first, and whether matches were left out by the cap."""
    if connection.vendor == "postgresql":
        params: list[Any]
        matched = "e.document @@ to_tsquery('simple', %s)"
        score = "ts_rank_cd(e.document, to_tsquery('simple', %s))"
        source, params = "search_entry e", [query.tsquery(), query.tsquery()]
        row_id = "e.id"
    else:
        matched, score = "search_fts MATCH %s", "-bm25(search_fts, 4.0, 1.0)"
        source, params = "search_fts", [query.fts5()]
        row_id = "rowid"
    inner = f"SELECT {row_id} AS id, {score} AS score FROM {source} WHERE {matched}"
    if window:
        # The newest matches, read in id order without scoring (the engines do this
        # cheaply), then scored: each match of the window is scored once.
        inner += f" ORDER BY {row_id} DESC LIMIT %s"
        params = [*params, window]
    sql = f"SELECT id, score FROM ({inner}) matched ORDER BY score DESC, id"
    if cap:
        sql += " LIMIT %s"
        params = [*params, cap + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = [(int(row[0]), float(row[1])) for row in cursor.fetchall()]
    more = bool(cap) and len(found) > cap
    return found[:cap] if cap else found, more


# Ids per policy query: well under SQLite's limit of bound parameters.
POLICY_CHUNK = 5_000


def _allowed_best(
    allowed: QuerySet[Entry], candidates: list[tuple[int, float]], depth: int
) -> list[tuple[int, float]]:
    """The ``depth`` best of ``candidates`` that ``allowed`` keeps, best first (ties by id)."""
    kept: set[int] = set()
    ids = [row_id for row_id, _score in candidates]
    for start in range(0, len(ids), POLICY_CHUNK):
        chunk = ids[start : start + POLICY_CHUNK]
        kept.update(allowed.filter(pk__in=chunk).values_list("pk", flat=True))
    return [row for row in candidates if row[0] in kept][:depth]


def ranked_from_objects(
    allowed: QuerySet[Entry], name: str, found: list[tuple[str, int, float]]
) -> ranking.RankedList:
    """A ranked list from another ranking's ``(kind, object_id, score)`` triples, best
    first (the meaning list): mapped to index rows *through ``allowed``*, so what the
    searcher may not see, or what the filters leave out, drops out here. One query."""
    if not found:
        return ranking.RankedList(name, [], [])
    # Two IN lists rather than one OR of (kind, id) pairs: the same rows once the pairs are
    # matched below, and a few hundred OR-ed conditions cost the ORM milliseconds to build.
    rows = allowed.filter(
        kind__in={kind for kind, _id, _score in found},
        object_id__in={object_id for _kind, object_id, _score in found},
    ).values_list("id", "kind", "object_id")
    ids = {(kind, object_id): entry_id for entry_id, kind, object_id in rows}
    pairs = [(ids[(k, o)], score) for k, o, score in found if (k, o) in ids]
    return ranking.RankedList(name, [p[0] for p in pairs], [p[1] for p in pairs])


@dataclass(frozen=True)
class Result:
    kind: str
    object_id: int
    title: SafeString
    snippet: SafeString
    url: str
    score: dict[str, Any]


@dataclass(frozen=True)
class Page:
    query: Query
    items: list[Result] = field(default_factory=list)
    next: str | None = None

    def groups(self) -> list[tuple[str, list[Result]]]:
        """The page's results by kind, in the page's order of kinds."""
        by_kind: dict[str, list[Result]] = {}
        for item in self.items:
            by_kind.setdefault(item.kind, []).append(item)
        return [(kind, by_kind[kind]) for kind in GROUP_ORDER if kind in by_kind]


def _after(cursor: str) -> tuple[float, int]:
    raw_score, last_id = paging.decode_cursor(cursor, 2)
    try:
        score = float(raw_score)
    except ValueError:
        raise paging.invalid_cursor() from None
    if not math.isfinite(score):
        raise paging.invalid_cursor()
    return score, last_id


def highlight(source: str, query: Query, *, window: int | None = SNIPPET_WORDS) -> SafeString:
    """``source`` escaped, the words the query matched wrapped in ``<mark>`` (escape first,
    then mark: the text can never inject markup). With ``window``, only that many words
    around the first match, with "…" where it was cut."""
    matches = list(_SNIPPET_WORD.finditer(source))
    start, end = 0, len(source)
    if window is not None and len(matches) > window:
        first = next((i for i, m in enumerate(matches) if query.highlights(m.group())), 0)
        begin = max(0, first - window // 4)
        last = min(len(matches), begin + window)
        start = matches[begin].start() if begin else 0
        end = matches[last - 1].end() if last < len(matches) else len(source)
        matches = matches[begin:last]
    pieces: list[str] = ["…"] if start else []
    position = start
    for match in matches:
        if query.highlights(match.group()):
            pieces.append(escape(source[position : match.start()]))
            pieces.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
    pieces.append(escape(source[position:end]))
    if end < len(source):
        pieces.append("…")
    return mark_safe("".join(pieces).strip())


def search(
    person: Any,
    text_in: str,
    filters: Filters | None = None,
    cursor: str | None = None,
    limit: Any = None,
    *,
    channel: str = "web",
    typing: bool = True,
) -> Page:
    """One page of what ``person`` may find for ``text_in`` (see the module's doc)."""
    size = paging.page_size(limit)
    query = parse_query(text_in, prefix=typing)
    after = _after(cursor) if cursor else None
    if query.empty:
        return Page(query)
    allowed = allowed_entries(person, filters or Filters())
    lists = [words_list(allowed, query)]
    if not typing:
        # Meaning: the items nearest to the query's sentence vector (rucher.meaning), mapped
        # through ``allowed`` like the words list. Not while typing: the suggestions answer
        # each keystroke, and a half-typed word has no meaning yet.
        near = meaning.nearest(text_in[:MEANING_QUERY_CHARACTERS], limit=RANK_DEPTH)
        found = [(c.kind, c.id, c.similarity) for c in near if c.similarity >= MEANING_FLOOR]
        lists.append(ranked_from_objects(allowed, "meaning", found))
    fused = ranking.fuse(lists)
    if after is not None:
        fused = ranking.after(fused, *after)
    shown, more = fused[:size], len(fused) > size
    if not shown:
        return Page(query)
    rows = Entry.objects.in_bulk([item.entry_id for item in shown])
    items = []
    for item in shown:
        row = rows.get(item.entry_id)
        if row is None:
            continue  # removed between the two reads
        items.append(
            Result(
                kind=row.kind,
                object_id=row.object_id,
                title=highlight(row.title, query, window=None),
                snippet=highlight(row.text, query),
                url=row.url,
                score=item.score(),
            )
        )
    _record_confidential(person, [rows[i.entry_id] for i in shown if i.entry_id in rows], channel)
    last = shown[-1]
    next_cursor = paging.encode_cursor([repr(last.fused), last.entry_id]) if more else None
    return Page(query, items, next_cursor)


def _record_confidential(person: Any, rows: list[Entry], channel: str) -> None:
    """A snippet shows the content: confidential items shown are reads, as in any stream."""
    content_ids = {row.content_id for row in rows if row.content_id is not None}
    if not content_ids:
        return
    confidential = Content.objects.filter(pk__in=content_ids, space__confidential=True).values_list(
        "space_id", "kind", "pk"
    )
    record_reads_by_id(person, [(s, k, pk) for s, k, pk in confidential], channel)


def suggest(person: Any, text_in: str) -> Page:
    """Suggestions under the box: the first results of the prefix search, from 2 letters."""
    if len(text_in.strip()) < 2:
        return Page(parse_query(""))
    return search(person, text_in, limit=SUGGESTIONS, channel="web")
