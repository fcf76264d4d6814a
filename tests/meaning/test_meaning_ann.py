"""The approximate index of a large store (rucher.meaning.ann): close to brute force, true to
the database after every commit, kinds and exclusions honoured, small stores exact.

The threshold is lowered to 2,000 vectors so a store above it is built in a second; the
vectors are synthetic (clustered unit vectors written as ``ContentVector`` rows)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from rucher.conversations import actions
from rucher.conversations.models import Content
from rucher.insights.retrieval import nearest_rows
from rucher.meaning import cache, nearest_to_item, related_items
from rucher.meaning.ann import Entries, fingerprints
from rucher.meaning.cache import KIND_CODE, vectors
from rucher.meaning.models import ContentVector
from rucher.meaning.neighbours import _kind_mask, _nearest_vector
from rucher.meaning.vectors import DIMENSIONS, ENCODER, refresh_vectors, to_bytes

pytestmark = pytest.mark.django_db

THRESHOLD = 2_000
CENTRES = 40


@pytest.fixture(autouse=True)
def low_threshold(settings: Any) -> None:
    settings.RUCHER_MEANING_ANN_MIN_ITEMS = THRESHOLD
    settings.RUCHER_MEANING_ANN_BACKGROUND = False
    settings.RUCHER_MEANING_ANN_DIR = None  # saved only where a test says so


def clustered(rng: np.random.Generator, centres: np.ndarray, n: int) -> np.ndarray:
    rows = centres[rng.integers(0, len(centres), n)]
    rows = rows + rng.standard_normal((n, DIMENSIONS)).astype(np.float32) / np.sqrt(DIMENSIONS)
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def centres_for(seed: int) -> np.ndarray:
    centres = np.random.default_rng(seed).standard_normal((CENTRES, DIMENSIONS))
    return (centres / np.linalg.norm(centres, axis=1, keepdims=True)).astype(np.float32)


def store(world: dict[str, Any], n: int, *, seed: int = 5) -> list[Content]:
    """``n`` items in the open space (one question in five, the rest posts), each with a
    synthetic vector, as ``rucher embed`` would have left them."""
    rng = np.random.default_rng(seed)
    now = timezone.now()
    Content.objects.bulk_create(
        [
            Content(
                kind="question" if i % 5 == 0 else "post",
                author=world["alice"],
                space=world["open"],
                text=f"item {i}",
                html=f"<p>item {i}</p>",
                created_at=now - timedelta(minutes=n - i),
            )
            for i in range(n)
        ],
        batch_size=500,
    )
    items = list(Content.objects.filter(text__startswith="item ").order_by("pk"))
    rows = clustered(rng, centres_for(seed), n)
    ContentVector.objects.bulk_create(
        [
            ContentVector(
                content=item,
                kind=item.kind,
                vector=to_bytes(row),
                text_hash="synthetic",
                encoder=ENCODER,
                changed_at=now,
            )
            for item, row in zip(items, rows, strict=True)
        ],
        batch_size=500,
    )
    return items


def exact(query: np.ndarray, limit: int, kinds: Sequence[str] | None = None) -> list[int]:
    matrix, ids, codes = vectors.snapshot()
    rows, _ = nearest_rows(matrix, query, limit, allowed=_kind_mask(kinds, codes))
    return [int(ids[row]) for row in rows]


def indexed(content_id: int, kind: str) -> bool:
    assert vectors.ann is not None
    graph = vectors.ann.by_code.get(KIND_CODE[kind])
    return graph is not None and bool(graph.contains(content_id))


def test_the_index_finds_what_brute_force_finds(world: dict[str, Any]) -> None:
    store(world, 2_400)
    vectors.snapshot()
    assert vectors.ann is not None and len(vectors.ann) == 2_400
    queries = clustered(np.random.default_rng(99), centres_for(5), 60)
    for kinds in (None, ("question",)):
        hits = 0
        for query in queries:
            found = _nearest_vector(query, 10, kinds, ())
            truth = exact(query, 10, kinds)
            hits += len({c.id for c in found} & set(truth))
            assert len(found) == 10
            assert [c.similarity for c in found] == sorted(
                (c.similarity for c in found), reverse=True
            )
            if kinds:
                assert {c.kind for c in found} == {"question"}
        assert hits / (10 * len(queries)) >= 0.95
    # The similarities are brute force's: the candidates are scored again on the matrix.
    query = queries[0]
    matrix, ids, _codes = vectors.snapshot()
    row_of = {int(content_id): row for row, content_id in enumerate(ids)}
    for candidate in _nearest_vector(query, 10, None, ()):
        expected = float(matrix[row_of[candidate.id]].astype(np.float32) @ query)
        assert candidate.similarity == round(expected, 4)


def test_changes_after_commit_reach_the_index(world: dict[str, Any]) -> None:
    items = store(world, 2_100)
    post = next(item for item in items if item.kind == "post")
    vectors.snapshot()
    assert vectors.ann is not None
    old = vectors.vector_of(post.pk)
    assert old is not None
    assert _nearest_vector(old, 1, None, ())[0].id == post.pk

    # Edited and re-embedded by the worker's path (a stand-in encoder gives a far vector).
    far = clustered(np.random.default_rng(7), centres_for(1234), 1)[0]
    actions.edit(world["alice"], post, "a text about something else entirely")
    refresh_vectors([post.pk], encoder=lambda texts: np.array([far] * len(texts)))
    assert _nearest_vector(far, 1, None, ())[0].id == post.pk
    assert post.pk not in {c.id for c in _nearest_vector(old, 10, None, ())}
    assert indexed(post.pk, "post")

    # Deleted: its tombstone takes it out of the graph, not only out of the answers.
    actions.delete(world["alice"], post)
    refresh_vectors([post.pk])
    assert post.pk not in {c.id for c in _nearest_vector(far, 10, None, ())}
    assert not indexed(post.pk, "post")

    # A new item is found at once; one deleted for good (no tombstone) goes at the full reload.
    newcomer = actions.publish(world["alice"], world["open"], "a new question", kind="question")
    refresh_vectors([newcomer.pk], encoder=lambda texts: np.array([far] * len(texts)))
    assert _nearest_vector(far, 1, None, ())[0].id == newcomer.pk
    assert indexed(newcomer.pk, "question")
    Content.objects.filter(pk=newcomer.pk).delete()
    vectors.loaded_at = -float("inf")  # FULL_RELOAD_SECONDS have passed
    assert newcomer.pk not in {c.id for c in _nearest_vector(far, 10, None, ())}
    assert not indexed(newcomer.pk, "question")


def test_a_bulk_change_is_patched_in_steps_and_found_meanwhile(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    items = store(world, 2_100)
    vectors.snapshot()
    monkeypatch.setattr(cache, "PATCH_PER_CALL", 5)
    moved = items[10:30]
    targets = clustered(np.random.default_rng(11), centres_for(777), len(moved))
    now = timezone.now()
    for item, target in zip(moved, targets, strict=True):  # as ``rucher embed`` would
        ContentVector.objects.filter(content=item).update(vector=to_bytes(target), changed_at=now)
    snapshot = vectors.snapshot()  # reads the 20 rows, patches 5 of them
    assert len(vectors.stale) == 15
    for item, target in zip(moved, targets, strict=True):
        assert _nearest_vector(target, 1, None, (), snapshot)[0].id == item.pk
    for _ in range(3):
        vectors.snapshot()
    assert not vectors.stale
    assert all(indexed(item.pk, item.kind) for item in moved)


def test_a_restart_loads_the_saved_index_and_catches_up(
    world: dict[str, Any], settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.RUCHER_MEANING_ANN_DIR = tmp_path
    items = store(world, 2_100)
    vectors.snapshot()
    assert (tmp_path / "manifest.json").exists()
    # While the process is down: one vector changes, one item is deleted (a tombstone),
    # one is deleted for good (no row left), one is new.
    changed, dropped, erased = items[1], items[2], items[3]
    far = clustered(np.random.default_rng(7), centres_for(1234), 1)[0]
    actions.edit(world["alice"], changed, "another text")
    refresh_vectors([changed.pk], encoder=lambda texts: np.array([far] * len(texts)))
    actions.delete(world["alice"], dropped)
    refresh_vectors([dropped.pk])
    Content.objects.filter(pk=erased.pk).delete()
    newcomer = actions.publish(world["alice"], world["open"], "a new question", kind="question")
    near = clustered(np.random.default_rng(8), centres_for(4321), 1)[0]
    refresh_vectors([newcomer.pk], encoder=lambda texts: np.array([near] * len(texts)))

    def no_build(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("built again instead of loaded")

    monkeypatch.setattr(cache.Indexes, "build", no_build)
    cache.reset()  # a new process
    vectors.snapshot()
    assert vectors.ann is not None and len(vectors.ann) == 2_100 - 2 + 1
    assert indexed(changed.pk, "post") and indexed(newcomer.pk, "question")
    assert not indexed(dropped.pk, dropped.kind) and not indexed(erased.pk, erased.kind)
    assert _nearest_vector(far, 1, None, ())[0].id == changed.pk
    assert _nearest_vector(near, 1, ("question",), ())[0].id == newcomer.pk

    # A set saved with other parameters (or unreadable) is not used: built again.
    monkeypatch.undo()
    settings.RUCHER_MEANING_ANN_DIR = tmp_path
    (tmp_path / "manifest.json").write_text("{}")
    cache.reset()
    vectors.snapshot()
    assert vectors.ann is not None and len(vectors.ann) == 2_100 - 2 + 1


def test_fingerprints_tell_what_to_index_again() -> None:
    rows = clustered(np.random.default_rng(1), centres_for(1), 6).astype(np.float16)
    prints = fingerprints(rows)
    assert len(set(prints.tolist())) == 6
    assert (fingerprints(rows.copy()) == prints).all()
    keys = np.arange(10, 16)
    codes = np.zeros(6, dtype=np.uint8)
    saved = Entries(keys, codes, prints)
    moved = rows.copy()
    moved[1, 0] = moved[1, 0] + np.float16(0.01)  # a changed vector
    codes_now = codes.copy()
    codes_now[2] = 2  # a question now
    current = Entries(
        np.array([10, 11, 12, 13, 14, 99]),  # 15 gone, 99 new
        codes_now,
        np.concatenate([fingerprints(moved)[:5], fingerprints(rows[:1])]),
    )
    assert saved.stale_against(current) == {11, 12, 15, 99}
    assert saved.stale_against(saved) == set()


def test_kinds_and_exclusions_are_honoured(world: dict[str, Any]) -> None:
    items = store(world, 2_200)
    question = next(item for item in items if item.kind == "question")
    found = nearest_to_item(question.pk, limit=20, kinds=("question",))
    assert vectors.ann is not None
    assert len(found) == 20 and {c.kind for c in found} == {"question"}
    assert question.pk not in {c.id for c in found}
    # Excluding the 60 nearest leaves fewer than the 40 candidates first asked for: the
    # search widens and still returns the next ten, the ones brute force returns.
    query = vectors.vector_of(question.pk)
    assert query is not None
    nearest_60 = exact(query, 60)
    found = _nearest_vector(query, 10, None, nearest_60)
    assert len(found) == 10 and not {c.id for c in found} & set(nearest_60)
    truth = set(exact(query, 70)) - set(nearest_60)
    assert len({c.id for c in found} & truth) >= 9


def test_permissions_still_filter_the_index_candidates(world: dict[str, Any]) -> None:
    items = store(world, 2_050)
    root = items[1]
    query = vectors.vector_of(root.pk)
    assert query is not None and vectors.ann is not None
    twin = actions.publish(world["alice"], world["secret"], "a twin in a secret space")
    refresh_vectors([twin.pk], encoder=lambda texts: np.array([query] * len(texts)))
    assert nearest_to_item(root.pk, limit=1)[0].id == twin.pk
    assert twin.pk not in {f.id for f in related_items(world["bob"], root)}
    assert twin.pk in {f.id for f in related_items(world["carol"], root)}


def test_a_small_store_stays_exact(world: dict[str, Any]) -> None:
    store(world, 300)
    queries = clustered(np.random.default_rng(3), centres_for(5), 10)
    for query in queries:
        assert [c.id for c in _nearest_vector(query, 10, None, ())] == exact(query, 10)
    assert vectors.ann is None


def test_brute_force_answers_while_the_index_builds(
    world: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.RUCHER_MEANING_ANN_BACKGROUND = True
    release = threading.Event()
    build = cache.Indexes.build

    def slow_build(*args: Any, **kwargs: Any) -> tuple[cache.Indexes, Entries]:
        release.wait(timeout=60)
        return build(*args, **kwargs)

    monkeypatch.setattr(cache.Indexes, "build", slow_build)
    store(world, 2_050)
    query = clustered(np.random.default_rng(3), centres_for(5), 1)[0]
    assert [c.id for c in _nearest_vector(query, 10, None, ())] == exact(query, 10)
    assert vectors.building and vectors.ann is None
    release.set()
    for thread in threading.enumerate():
        if thread.name == "rucher-meaning-ann":
            thread.join(timeout=120)
    vectors.snapshot()
    assert vectors.ann is not None and len(vectors.ann) == 2_050
