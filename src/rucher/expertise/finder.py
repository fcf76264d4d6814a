"""Who knows about X? The learned expert finder over what ONE viewer may see.

The ranking and the evidence are computed from the content the read policy lets the viewer
read (``Content.objects.visible_to``: secret spaces they are not in, other partners' spaces,
deleted and hidden content stay out) and the accepted-answer and reaction events about that
content only, so nothing of a space they cannot read moves a score. Candidates are the people
they may see (``permissions.visible_people``: a partner guest sees only the members of their
spaces). The weights are the stored model (``ExpertModel``, trained by the worker:
training.py); without one, the fixed fallback weights.

What one audience may read is loaded and indexed once and kept in this process
(``_knowledge``): an audience is the spaces one may read and whether one is a partner guest,
which together decide the visible content and people. After a write (the streams' write
generation: every action appends an event) or ``KNOWLEDGE_TTL_SECONDS``, the index is rebuilt
in the background while the previous one answers (``RUCHER_EXPERTS_STALE_SECONDS``), and the
evidence shown is checked against the live policy. Queries: the write generation, the
readable spaces, the stored model, the shown people's profiles, the evidence's live check; on
a miss also visible content, its events and the visible people: five warm, eight cold,
whatever the size of the organisation (pinned by the tests).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from django import db
from django.conf import settings
from django.utils import timezone

from rucher.activity.models import Event
from rucher.conversations.models import Content
from rucher.expertise.models import ExpertModel
from rucher.insights.contract import Dataset
from rucher.insights.expert_model import (
    ExpertFeatures,
    RankingModel,
    fallback_model,
    rank_experts,
)
from rucher.insights.experts import ANY_LANGUAGE, ExpertFinder, Question
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.streams.cache import write_generation

KNOWLEDGE_TTL_SECONDS = 300
KNOWLEDGE_AUDIENCES = 8  # audiences kept in memory (least recently used go first)
MAX_QUERY_CHARS = 500
MAX_RESULTS = 20
EVIDENCE_PER_PERSON = 3
KNOWLEDGE_KINDS = ("question", "answer", "post", "comment")


class QueryRefused(ValueError):
    """A query that cannot be answered, with the reason to show."""


@dataclass
class Evidence:
    content_id: int
    root_id: int
    kind: str
    title: str
    accepted: bool
    reactions: int
    weight: float


@dataclass
class Expert:
    person: Person
    score: float
    components: dict[str, float]
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class ExpertsAnswer:
    experts: list[Expert]
    model: RankingModel
    candidates: int


def clean_query(query: str | None) -> str:
    """The query as searched, or ``QueryRefused`` with the reason."""
    text = (query or "").strip()
    if not text:
        raise QueryRefused("write what you are looking for")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(f"the question is too long (at most {MAX_QUERY_CHARS} characters)")
    return text


def stored_model() -> RankingModel:
    row = ExpertModel.objects.only("model").first()
    return RankingModel.from_dict(row.model) if row is not None else fallback_model()


def viewer_dataset(viewer: Any) -> tuple[Dataset, dict[int, dict[str, Any]]]:
    """The contract tables of what ``viewer`` may read (three queries), and the rows by id."""
    return knowledge_dataset(Content.objects.visible_to(viewer), permissions.visible_people(viewer))


def knowledge_dataset(
    content_rows: Any, people_rows: Any
) -> tuple[Dataset, dict[int, dict[str, Any]]]:
    """Contract tables of the questions, answers, posts and comments of ``content_rows``, the
    accepted-answer and reaction events about them, and the people of ``people_rows``."""
    visible = content_rows.filter(kind__in=KNOWLEDGE_KINDS)
    rows = list(
        visible.values(
            "pk",
            "kind",
            "author_id",
            "space_id",
            "parent_id",
            "root_id",
            "created_at",
            "text",
            "lang",
            "accepted",
        )
    )
    by_id = {row["pk"]: row for row in rows}
    content = pl.DataFrame(
        [
            {
                "content_id": row["pk"],
                "kind": row["kind"],
                "author_id": row["author_id"],
                "space_id": row["space_id"],
                "parent_id": row["parent_id"],
                "root_id": row["root_id"] or row["pk"],
                "created_at": row["created_at"],
                "text": row["text"],
                "lang": row["lang"] or None,
                "topics": [],
                "accepted": row["accepted"] if row["kind"] == "answer" else None,
            }
            for row in rows
        ],
        schema_overrides={"topics": pl.List(pl.Utf8())},
        infer_schema_length=None,
    )
    # Events about the visible content only: a reaction in a secret space moves no score.
    event_rows = list(
        Event.objects.filter(
            verb__in=("accepted_answer", "reacted"),
            object_type__in=KNOWLEDGE_KINDS,
            object_id__in=visible.values("pk"),
        ).values_list(
            "pk", "at", "actor_id", "verb", "object_type", "object_id", "target_id", "value"
        )
    )
    events = pl.DataFrame(
        [
            {
                "event_id": pk,
                "at": at,
                "actor_id": actor,
                "verb": verb,
                "object_type": kind,
                "object_id": obj,
                "target_id": target,
                "value": value,
            }
            for pk, at, actor, verb, kind, obj, target, value in event_rows
        ],
        infer_schema_length=None,
    )
    people = pl.DataFrame(
        {"person_id": list(people_rows.values_list("pk", flat=True))},
        schema={"person_id": pl.Int64()},
    )
    frames: dict[str, pl.DataFrame] = {"people": people}
    if content.height:
        frames["content"] = content
    if events.height:
        frames["events"] = events
    return Dataset(**frames), by_id


@dataclass
class _Knowledge:
    features: ExpertFeatures
    rows: dict[int, dict[str, Any]]
    people: set[int]
    reactions: dict[int, int]
    built_at: float
    generation: Any = None


_knowledge_cache: OrderedDict[tuple[Any, ...], _Knowledge] = OrderedDict()
_knowledge_lock = threading.Lock()
_rebuilding: set[tuple[Any, ...]] = set()


def _build(viewer: Any, generation: Any) -> _Knowledge:
    dataset, rows = viewer_dataset(viewer)
    return _Knowledge(
        features=ExpertFeatures(ExpertFinder(dataset)),
        rows=rows,
        people=set(dataset.people["person_id"].to_list()),
        reactions=_reactions(dataset),
        built_at=time.monotonic(),
        generation=generation,
    )


def _keep(key: tuple[Any, ...], built: _Knowledge) -> None:
    with _knowledge_lock:
        _knowledge_cache[key] = built
        _knowledge_cache.move_to_end(key)
        while len(_knowledge_cache) > KNOWLEDGE_AUDIENCES:
            _knowledge_cache.popitem(last=False)


def _rebuild_in_background(key: tuple[Any, ...], viewer: Any, generation: Any) -> None:
    """Rebuild one audience's index in a thread of this process, once at a time per
    audience; the requests meanwhile are answered from the previous index."""
    with _knowledge_lock:
        if key in _rebuilding:
            return
        _rebuilding.add(key)

    def run() -> None:
        try:
            _keep(key, _build(viewer, generation))
        finally:
            with _knowledge_lock:
                _rebuilding.discard(key)
            db.connection.close()  # this thread's own connection

    threading.Thread(target=run, name="experts-index", daemon=True).start()


def _knowledge(viewer: Any) -> _Knowledge:
    """The audience's index. After a write, the previous index keeps answering (for up to
    ``RUCHER_EXPERTS_STALE_SECONDS``) while a fresh one is built in the background: building
    takes seconds on a large network, and who knows about X does not change with each post.
    What a stale index names is checked against the live policy before it is shown
    (``_visible_evidence``), so a post deleted or hidden since never appears."""
    spaces = tuple(permissions.readable_spaces(viewer).order_by("id").values_list("id", flat=True))
    key = (bool(viewer.is_guest), spaces)
    generation = write_generation()
    stale_for = float(getattr(settings, "RUCHER_EXPERTS_STALE_SECONDS", 0))
    with _knowledge_lock:
        found = _knowledge_cache.get(key)
        if found is not None:
            _knowledge_cache.move_to_end(key)
    if found is not None:
        age = time.monotonic() - found.built_at
        if found.generation == generation and age < KNOWLEDGE_TTL_SECONDS:
            return found
        if age < stale_for:
            _rebuild_in_background(key, viewer, generation)
            return found
    built = _build(viewer, generation)
    _keep(key, built)
    return built


def clear_knowledge() -> None:
    with _knowledge_lock:
        _knowledge_cache.clear()


def _visible_evidence(viewer: Any, experts: list[Expert]) -> list[Expert]:
    """The evidence the viewer may read now (one query): an index built before a deletion,
    a moderator's hiding or a move still names that content; the live policy drops it."""
    ids = {e.content_id for x in experts for e in x.evidence} | {
        e.root_id for x in experts for e in x.evidence
    }
    if not ids:
        return experts
    readable = set(
        Content.objects.visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True)
    )
    kept = []
    for expert in experts:
        expert.evidence = [
            e for e in expert.evidence if e.content_id in readable and e.root_id in readable
        ]
        if expert.evidence:
            kept.append(expert)
    return kept


def find_experts(viewer: Any, query: str | None, k: int = 10) -> ExpertsAnswer:
    """The people who know most about ``query`` among those ``viewer`` may see, each with the
    three visible contributions that weigh most. Only people with at least one contribution
    matching the query are ranked: activity alone is no evidence about X."""
    text = clean_query(query)
    k = max(1, min(k, MAX_RESULTS))
    knowledge = _knowledge(viewer)
    model = stored_model()
    if not knowledge.rows:
        return ExpertsAnswer([], model, 0)
    features = knowledge.features
    finder = features.finder
    question = Question(text=text, at=timezone.now(), lang=ANY_LANGUAGE, asker_id=viewer.pk)
    doc_scores = finder.bm25(question)
    matched = np.unique(finder.corpus.authors[doc_scores > 0])
    candidate_ids = [int(pid) for pid in finder.person_ids[matched] if int(pid) in knowledge.people]
    if not candidate_ids:
        return ExpertsAnswer([], model, 0)
    ranked = rank_experts(features, model, question, candidate_ids, k=k).value or []
    profiles = (
        Person.objects.filter(is_active=True)
        .select_related("department")
        .in_bulk([entry["person_id"] for entry in ranked])
    )
    experts = []
    for entry in ranked:
        person = profiles.get(entry["person_id"])
        if person is None:
            continue
        position = int(finder.position(np.asarray([person.pk]))[0])
        evidence = _evidence(finder, doc_scores, position, knowledge.rows, knowledge.reactions)
        experts.append(Expert(person, entry["score"], entry["components"], evidence))
    return ExpertsAnswer(_visible_evidence(viewer, experts), model, len(candidate_ids))


def _reactions(dataset: Dataset) -> dict[int, int]:
    reacted = dataset.events.filter(pl.col("verb") == "reacted")
    counts = reacted.group_by("object_id").len()
    return dict(zip(counts["object_id"].to_list(), counts["len"].to_list(), strict=True))


def _evidence(
    finder: ExpertFinder,
    doc_scores: np.ndarray,
    position: int,
    rows: dict[int, dict[str, Any]],
    reactions: dict[int, int],
) -> list[Evidence]:
    """The person's contributions that weigh most for the query: BM25 × kind weight, doubled
    for an accepted answer, raised by the reactions it received."""
    corpus = finder.corpus
    mine = np.flatnonzero((corpus.authors == position) & (doc_scores > 0))
    found = []
    for d in mine:
        content_id = int(corpus.doc_ids[d])
        row = rows[content_id]
        accepted = bool(row["accepted"]) and row["kind"] == "answer"
        count = reactions.get(content_id, 0)
        weight = float(doc_scores[d] * corpus.weights[d])
        weight *= (2.0 if accepted else 1.0) * (1.0 + math.log1p(count))
        root = rows.get(row["root_id"] or content_id, row)
        found.append(
            Evidence(
                content_id=content_id,
                root_id=row["root_id"] or content_id,
                kind=row["kind"],
                title=_title(root["text"]),
                accepted=accepted,
                reactions=count,
                weight=weight,
            )
        )
    found.sort(key=lambda e: (-e.weight, e.content_id))
    return found[:EVIDENCE_PER_PERSON]


def _title(text: str | None, limit: int = 120) -> str:
    first = (text or "").strip().split("\n", 1)[0].strip()
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"
