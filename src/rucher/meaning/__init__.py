"""Meaning: a sentence vector per content item, and nearest neighbours over them.

The public surface (docs/meaning.md):

- ``nearest(text, *, limit, kinds=None, exclude=())`` → ``list[Candidate]`` (kind, id,
  similarity), best first, BEFORE any permission filtering;
- ``nearest_to_item(content_id, *, limit, kinds=None)``: the same from an item's stored vector;
- ``visible_candidates(viewer, candidates)``: the candidates the viewer may read, in order
  (``spaces.permissions.visible_content``: secret spaces, partner boundary, held, hidden and
  deleted items excluded);
- ``related_items`` and ``similar_answered_questions``: the two features on the pages.

Importing this package is light: the model and NumPy load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rucher.meaning.neighbours import (
        Candidate,
        nearest,
        nearest_to_item,
        related_items,
        similar_answered_questions,
        visible_candidates,
    )

__all__ = [
    "Candidate",
    "nearest",
    "nearest_to_item",
    "related_items",
    "similar_answered_questions",
    "visible_candidates",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from rucher.meaning import neighbours

        return getattr(neighbours, name)
    raise AttributeError(name)
