"""Essentiel, the short stream: which recent conversations matter to one reader, and why.

Pure (no Django): the product (``rucher.streams.essential``) and the held-out evaluation
(``evaluate_essential`` below, run by ``benchmarks/essential_eval.py``) run the same scoring, so the
figure in docs/insights.md is the product's.

A reader's *profile* is built from their own past acts (replies, answers, reactions, accepted
answers, mentions, shares, reads), each weighing less as it ages (half-life
``PROFILE_HALF_LIFE_DAYS``): how much they deal with each person, space and topic. A
*candidate* (a recent conversation the reader may read) scores by what ties it to that
profile (its author, its space, its topics, the people the reader deals with who replied or
reacted, a mention of the reader), what it is worth (replies from distinct people, reactions,
an accepted answer, a question still waiting where the reader knows the topic) and how fresh
it is, and how close its meaning is to what the reader writes (the cosine between its sentence
vector and the recency-weighted mean of the vectors of the reader's own recent contributions,
``interest_vector``; only the part above ``WEIGHTS["close_from"]``, 0.5, counts: two
unrelated texts are 0.1–0.3 apart for the multilingual encoder). Every part that adds to the
score is a *reason*, shown in words by the product ("because you follow #budget").
``choose`` keeps the best few with diversity (at most a few items per author and per space).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

PROFILE_HALF_LIFE_DAYS = 30.0
FRESHNESS_HALF_LIFE_HOURS = 12.0
FRESHNESS_FLOOR = 0.0
PER_AUTHOR = 2
PER_SPACE = 4
# The reader's own contributions whose meaning makes their interest vector (newest first).
INTEREST_ITEMS = 50
# Closeness below this says nothing (unrelated texts are 0.1–0.3 apart for the encoder);
# ``WEIGHTS["close_from"]`` overrides it.
CLOSE_FROM = 0.3

# How much one act of the reader says about their interest in what it touched.
ACT_WEIGHTS: dict[str, float] = {
    "answered": 3.0,
    "commented": 2.0,
    "accepted_answer": 3.0,
    "mentioned": 2.0,
    "shared": 2.0,
    "reacted": 1.0,
    "voted": 1.0,
    "followed": 2.0,
    "posted": 1.0,
    "asked": 1.0,
    "messaged": 1.0,
    "viewed": 0.2,
}

# The weights of a candidate's parts (chosen on the first half of each evaluation dataset's
# timeline, docs/insights.md "Essentiel, measured").
WEIGHTS: dict[str, float] = {
    "author": 1.0,
    "followed_person": 1.5,
    "space": 0.4,
    "followed_space": 0.5,
    "member_space": 0.2,
    "topic": 0.8,
    "followed_topic": 1.5,
    "people": 1.0,
    "mention": 3.0,
    "repliers": 0.5,
    "reactions": 0.25,
    "accepted": 0.3,
    "waiting": 0.6,
    "seen": -0.3,
    "replied": 1.5,
    "base": 0.1,
    # Meaning: tied best on both first halves with (1.0, 0.4); a strong closeness only.
    "close": 4.0,
    "close_from": 0.5,
}


@dataclass(frozen=True)
class Act:
    """One past act of the reader: when, what kind, and what it touched."""

    at: datetime
    verb: str
    person_id: int | None = None  # the person acted upon (author replied to, mentioned …)
    space_id: int | None = None
    topics: tuple[str, ...] = ()
    root_id: int | None = None  # the conversation it belongs to, when it is content


@dataclass
class Profile:
    """What the reader deals with, recency-weighted, and what they chose to follow."""

    people: dict[int, float] = field(default_factory=dict)
    spaces: dict[int, float] = field(default_factory=dict)
    topics: dict[str, float] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)  # conversations read
    replied: set[int] = field(default_factory=set)  # conversations already joined
    followed_people: frozenset[int] = frozenset()
    followed_spaces: frozenset[int] = frozenset()
    followed_topics: frozenset[str] = frozenset()
    member_spaces: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Candidate:
    """A recent conversation the reader may read (the caller applied the read policy)."""

    id: int
    at: datetime
    kind: str
    author_id: int
    space_id: int | None = None
    topics: tuple[str, ...] = ()
    repliers: tuple[int, ...] = ()  # distinct people who replied, not the reader
    reactors: tuple[int, ...] = ()  # distinct people who reacted, not the reader
    mentions_reader: bool = False
    accepted: bool = False  # a question with an accepted answer
    answered: bool = False  # a question with at least one answer
    # Cosine between the conversation's vector and the reader's interest (``interest_vector``);
    # 0 when either is unknown.
    closeness: float = 0.0


@dataclass(frozen=True)
class Reason:
    """One part of a score, for the words beside the item: ``code`` and its arguments."""

    code: str
    weight: float
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    reasons: tuple[Reason, ...]


def _decay(age: timedelta, half_life: timedelta) -> float:
    return float(0.5 ** (max(age.total_seconds(), 0.0) / half_life.total_seconds()))


def build_profile(
    acts: Iterable[Act],
    now: datetime,
    *,
    followed_people: Iterable[int] = (),
    followed_spaces: Iterable[int] = (),
    followed_topics: Iterable[str] = (),
    member_spaces: Iterable[int] = (),
    half_life_days: float = PROFILE_HALF_LIFE_DAYS,
) -> Profile:
    """A reader's profile from their acts before ``now`` (later ones are ignored)."""
    half_life = timedelta(days=half_life_days)
    people: dict[int, float] = defaultdict(float)
    spaces: dict[int, float] = defaultdict(float)
    topics: dict[str, float] = defaultdict(float)
    seen: set[int] = set()
    replied: set[int] = set()
    for act in acts:
        if act.at >= now:
            continue
        weight = ACT_WEIGHTS.get(act.verb, 0.0) * _decay(now - act.at, half_life)
        if act.root_id is not None:
            (seen if act.verb == "viewed" else replied).add(act.root_id)
        if weight <= 0:
            continue
        if act.person_id is not None:
            people[act.person_id] += weight
        if act.space_id is not None:
            spaces[act.space_id] += weight
        for topic in act.topics:
            topics[topic] += weight
    return Profile(
        people=dict(people),
        spaces=dict(spaces),
        topics=dict(topics),
        seen=seen,
        replied=replied,
        followed_people=frozenset(followed_people),
        followed_spaces=frozenset(followed_spaces),
        followed_topics=frozenset(followed_topics),
        member_spaces=frozenset(member_spaces),
    )


def score(
    profile: Profile,
    candidate: Candidate,
    now: datetime,
    *,
    weights: dict[str, float] | None = None,
    freshness_hours: float = FRESHNESS_HALF_LIFE_HOURS,
) -> Scored:
    """The candidate's score for this reader and the reasons that make it up, biggest first.

    Written for speed (a choice scores 300 candidates): a part whose input is zero is not
    computed (the weights are finite; a part of zero never was a reason)."""
    w = WEIGHTS if weights is None else weights
    parts: list[Reason] = []
    add = parts.append
    people = profile.people
    author = candidate.author_id
    if author in profile.followed_people and w["followed_person"]:
        add(Reason("followed_person", w["followed_person"], (author,)))
    if (dealt := people.get(author, 0.0)) and (part := w["author"] * math.log1p(dealt)):
        add(Reason("author", part))
    space = candidate.space_id
    if space is not None:
        if space in profile.followed_spaces:
            if w["followed_space"]:
                add(Reason("followed_space", w["followed_space"], (space,)))
        elif space in profile.member_spaces and w["member_space"]:
            add(Reason("member_space", w["member_space"], (space,)))
        if (active := profile.spaces.get(space, 0.0)) and (part := w["space"] * math.log1p(active)):
            add(Reason("space", part, (space,)))
    topics = candidate.topics
    if topics:
        known_topics = profile.topics
        followed = sorted(t for t in topics if t in profile.followed_topics)
        if followed and w["followed_topic"]:
            add(Reason("followed_topic", w["followed_topic"], (followed[0],)))
        best = max(topics, key=lambda t: known_topics.get(t, 0.0))
        if (known := known_topics.get(best, 0.0)) and (part := w["topic"] * math.log1p(known)):
            add(Reason("topic", part, (best,)))
    repliers, reactors = set(candidate.repliers), set(candidate.reactors)
    # Built from the list in this order, so that the float sum runs in the same order as
    # ever (a set's order depends on how it was filled).
    close = set([p for p in (*candidate.repliers, *candidate.reactors) if p in people])
    if close and (part := w["people"] * math.log1p(sum(people[p] for p in close))):
        add(Reason("people", part, (len(close),)))
    if candidate.mentions_reader and w["mention"]:
        add(Reason("mention", w["mention"]))
    if repliers and (part := w["repliers"] * math.log1p(len(repliers))):
        add(Reason("repliers", part, (len(repliers),)))
    if reactors and (part := w["reactions"] * math.log1p(len(reactors))):
        add(Reason("reactions", part, (len(reactors),)))
    if candidate.accepted and w["accepted"]:
        add(Reason("accepted", w["accepted"]))
    if candidate.kind == "question" and not candidate.answered and topics:
        # A question still waiting, on a subject the reader deals with: they may answer it.
        known = max(profile.topics.get(t, 0.0) for t in topics)
        if part := w["waiting"] * math.log1p(known):
            add(Reason("waiting", part))
    close_from = w.get("close_from", CLOSE_FROM)
    if w.get("close") and candidate.closeness > close_from:
        add(Reason("close", w["close"] * (candidate.closeness - close_from)))
    if candidate.id in profile.replied:
        if w["replied"]:
            add(Reason("replied", w["replied"]))
    elif candidate.id in profile.seen and w["seen"]:
        add(Reason("seen", w["seen"]))
    relevance = w["base"] + sum(r.weight for r in parts)
    hours = w.get("fresh_hours", freshness_hours)
    floor = w.get("fresh_floor", FRESHNESS_FLOOR)
    fresh = _decay(now - candidate.at, timedelta(hours=hours))
    value = max(relevance, 0.0) * (floor + (1.0 - floor) * fresh)
    reasons = tuple(sorted((r for r in parts if r.weight > 0), key=lambda r: -r.weight))
    return Scored(candidate, value, reasons)


def interest_vector(
    contributions: Iterable[tuple[datetime, np.ndarray]],
    now: datetime,
    *,
    half_life_days: float = PROFILE_HALF_LIFE_DAYS,
) -> np.ndarray | None:
    """The unit vector of what a reader writes about: the mean of the unit vectors of their
    contributions before ``now`` (when written, vector), each weighing less as it ages; None
    when there is nothing to go on (no contribution, or only empty vectors)."""
    half_life = timedelta(days=half_life_days)
    total: np.ndarray | None = None
    for at, vector in contributions:
        if at >= now or (total is not None and len(vector) != len(total)):
            continue
        weighted = np.asarray(vector, dtype=np.float32) * _decay(now - at, half_life)
        total = weighted if total is None else total + weighted
    if total is None:
        return None
    norm = float(np.linalg.norm(total))
    return total / norm if norm > 1e-6 else None


def closeness(interest: np.ndarray | None, vectors: Sequence[np.ndarray | None]) -> list[float]:
    """Cosine between a reader's interest and each conversation's vector, in one product of
    matrices; 0 where either is unknown (or empty)."""
    if interest is None or not vectors:
        return [0.0] * len(vectors)
    dims = len(interest)
    known = [v is not None and len(v) == dims for v in vectors]
    rows = np.zeros((len(vectors), dims), dtype=np.float32)
    for i, vector in enumerate(vectors):
        if known[i]:
            rows[i] = vector
    norms = np.linalg.norm(rows, axis=1)
    dots = rows @ np.asarray(interest, dtype=np.float32)
    return [
        float(dots[i] / norms[i]) if known[i] and norms[i] > 1e-6 else 0.0
        for i in range(len(vectors))
    ]


def choose(
    scored: Iterable[Scored],
    limit: int,
    *,
    per_author: int = PER_AUTHOR,
    per_space: int = PER_SPACE,
) -> list[Scored]:
    """The best ``limit`` items, at most ``per_author`` by one author and ``per_space`` from
    one space (ties: newer first, then higher id)."""
    ordered = sorted(scored, key=lambda s: (-s.score, -s.candidate.at.timestamp(), -s.candidate.id))
    authors: Counter[int] = Counter()
    spaces: Counter[int | None] = Counter()
    chosen: list[Scored] = []
    for item in ordered:
        c = item.candidate
        if authors[c.author_id] >= per_author:
            continue
        if c.space_id is not None and spaces[c.space_id] >= per_space:
            continue
        authors[c.author_id] += 1
        spaces[c.space_id] += 1
        chosen.append(item)
        if len(chosen) >= limit:
            break
    return chosen


def rank(
    profile: Profile,
    candidates: Sequence[Candidate],
    now: datetime,
    limit: int,
    *,
    weights: dict[str, float] | None = None,
    diversity: bool = True,
) -> list[Scored]:
    scored = [score(profile, c, now, weights=weights) for c in candidates]
    if diversity:
        return choose(scored, limit)
    return choose(scored, limit, per_author=limit, per_space=limit)


# --- held-out evaluation over the contract tables ------------------------------------------


@dataclass(frozen=True)
class _Row:
    id: int
    kind: str
    author: int
    space: int | None
    root: int
    at: datetime
    topics: tuple[str, ...]
    accepted: bool


REPLY_VERBS = frozenset({"commented", "answered"})
ENGAGE_VERBS = frozenset({"commented", "answered", "reacted", "accepted_answer", "shared", "voted"})


def evaluate_essential(
    content: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]],
    *,
    window_days: int = 14,
    limit: int = 5,
    test_from: float = 0.5,
    test_until: float = 1.0,
    weights: dict[str, float] | None = None,
    on_day: Callable[[], None] | None = None,
    vectors: Mapping[int, np.ndarray] | None = None,
) -> dict[str, Any]:
    """Replay the timeline day by day. At each midnight of the test period (from
    ``test_from`` of the timeline on), for each person who engages during the next day with
    conversations started in the previous ``window_days`` by someone else, rank those
    conversations with only what happened before midnight; the conversations they engaged
    with are the truth. Report hit@limit, recall@limit and MRR for the product's ranking
    (``rank``) and for newest-first (what the chronological stream shows first).

    ``content`` and ``events`` are rows of the contract's content and events tables (dicts).
    ``vectors`` (content id → unit sentence vector) gives each case the closeness of every
    conversation to the reader's own contributions before midnight, as the product does.
    Everyone reads everything here (the datasets are public sites and channels), as the
    evaluation cannot know who could read what.
    """
    rows: dict[int, _Row] = {}
    for c in content:
        rid = int(c["content_id"])
        root = c.get("root_id") or rid
        rows[rid] = _Row(
            rid,
            str(c["kind"]),
            int(c["author_id"]),
            c.get("space_id"),
            int(root),
            c["created_at"],
            tuple(c.get("topics") or ()),
            bool(c.get("accepted")),
        )
    roots = sorted((r for r in rows.values() if r.root == r.id), key=lambda r: (r.at, r.id))
    written: dict[int, list[_Row]] = defaultdict(list)  # each author's items, oldest first
    for r in sorted(rows.values(), key=lambda r: (r.at, r.id)):
        written[r.author].append(r)
    timeline = sorted(events, key=lambda e: e["at"])
    if not roots or not timeline:
        return {"n_cases": 0}
    start, end = timeline[0]["at"], timeline[-1]["at"]
    first = start + (end - start) * test_from
    end = start + (end - start) * test_until
    day = first.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    window = timedelta(days=window_days)

    def root_of(event: dict[str, Any]) -> _Row | None:
        oid = event.get("object_id")
        row = rows.get(int(oid)) if oid is not None else None
        return rows.get(row.root) if row is not None else None

    acts_by_person: dict[int, list[Act]] = defaultdict(list)
    replies_of: dict[int, list[tuple[datetime, int, str, bool]]] = defaultdict(list)
    reactions_of: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    mentions_of: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for e in timeline:
        root = root_of(e)
        verb = e["verb"]
        actor = int(e["actor_id"])
        if root is not None:
            obj = rows[int(e["object_id"])]
            if verb in REPLY_VERBS:
                replies_of[root.id].append((e["at"], actor, obj.kind, obj.accepted))
            elif verb == "reacted" and obj.id == root.id:
                reactions_of[root.id].append((e["at"], actor))
            elif verb == "mentioned" and e.get("target_id") is not None:
                mentions_of[root.id].append((e["at"], int(e["target_id"])))
        target = e.get("target_id")
        acts_by_person[actor].append(
            Act(
                e["at"],
                verb,
                int(target) if target is not None else (root.author if root else None),
                root.space if root else e.get("space_id"),
                root.topics if root else (),
                root.id if root else None,
            )
        )

    product = _Metrics(limit)
    chrono = _Metrics(limit)
    ev_index = 0
    n_days = 0
    while day <= end:
        cutoff = day
        while ev_index < len(timeline) and timeline[ev_index]["at"] < cutoff:
            ev_index += 1
        recent = [r for r in roots if cutoff - window <= r.at < cutoff]
        if recent:
            engaged: dict[int, set[int]] = defaultdict(set)
            for e in timeline[ev_index:]:
                if e["at"] >= cutoff + timedelta(days=1):
                    break
                if e["verb"] not in ENGAGE_VERBS:
                    continue
                root = root_of(e)
                if root is not None and cutoff - window <= root.at < cutoff:
                    engaged[int(e["actor_id"])].add(root.id)
            for person, truth in engaged.items():
                pool = [r for r in recent if r.author != person]
                truth = {t for t in truth if rows[t].author != person}
                if not truth or len(pool) < 2:
                    continue
                interest = None
                if vectors is not None:
                    own = [r for r in written.get(person, ()) if r.at < cutoff]
                    interest = interest_vector(
                        ((r.at, vectors[r.id]) for r in own[-INTEREST_ITEMS:] if r.id in vectors),
                        cutoff,
                    )
                close = closeness(interest, [(vectors or {}).get(r.id) for r in pool])
                candidates = [
                    _candidate(r, person, cutoff, replies_of, reactions_of, mentions_of, c)
                    for r, c in zip(pool, close, strict=True)
                ]
                profile = build_profile(acts_by_person.get(person, ()), cutoff)
                ranked = [
                    s.candidate.id
                    for s in rank(
                        profile,
                        candidates,
                        cutoff,
                        len(candidates),
                        weights=weights,
                        diversity=False,
                    )
                ]
                newest = [r.id for r in sorted(pool, key=lambda r: (r.at, r.id), reverse=True)]
                product.add(ranked, truth)
                chrono.add(newest, truth)
        n_days += 1
        if on_day is not None:
            on_day()
        day += timedelta(days=1)
    return {
        "n_cases": product.n,
        "limit": limit,
        "window_days": window_days,
        "test_from": test_from,
        "test_until": test_until,
        "mean_candidates": round(product.pool / product.n, 1) if product.n else 0.0,
        "product": product.result(),
        "newest_first": chrono.result(),
    }


def _candidate(
    row: _Row,
    reader: int,
    cutoff: datetime,
    replies_of: dict[int, list[tuple[datetime, int, str, bool]]],
    reactions_of: dict[int, list[tuple[datetime, int]]],
    mentions_of: dict[int, list[tuple[datetime, int]]],
    close: float = 0.0,
) -> Candidate:
    replies = [r for r in replies_of.get(row.id, ()) if r[0] < cutoff]
    return Candidate(
        id=row.id,
        at=row.at,
        kind=row.kind,
        author_id=row.author,
        space_id=row.space,
        topics=row.topics,
        repliers=tuple(sorted({p for _, p, _, _ in replies if p != reader})),
        reactors=tuple(
            sorted({p for at, p in reactions_of.get(row.id, ()) if at < cutoff and p != reader})
        ),
        mentions_reader=any(at < cutoff and p == reader for at, p in mentions_of.get(row.id, ())),
        accepted=any(k == "answer" and a for _, _, k, a in replies),
        answered=any(k == "answer" for _, _, k, _ in replies),
        closeness=close,
    )


class _Metrics:
    def __init__(self, k: int) -> None:
        self.k = k
        self.n = 0
        self.pool = 0
        self.hits = 0
        self.recall = 0.0
        self.rr = 0.0

    def add(self, ranked: list[int], truth: set[int]) -> None:
        self.n += 1
        self.pool += len(ranked)
        top = ranked[: self.k]
        found = [t for t in truth if t in top]
        self.hits += 1 if found else 0
        self.recall += len(found) / len(truth)
        first = next((i for i, c in enumerate(ranked) if c in truth), None)
        self.rr += 1.0 / (first + 1) if first is not None else 0.0

    def result(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {
            f"hit_at_{self.k}": round(self.hits / n, 4),
            f"recall_at_{self.k}": round(self.recall / n, 4),
            "mrr": round(self.rr / n, 4),
        }
