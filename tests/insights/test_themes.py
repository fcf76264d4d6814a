"""Themes a community manager recognises: meaningful labels (lemmas, phrases, never a stop or
filler word), stability, and the overview the cockpit calls (examples, trend, sentiment)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import adjusted_rand_score

from rucher.insights.similar_topics import find_themes
from rucher.insights.text import is_filler
from rucher.insights.themes import theme_overview

T0 = datetime(2026, 6, 1, tzinfo=UTC)
SUBJECTS = {
    "cantine": ["cantine", "menu", "repas", "végétarien", "dessert", "cuisinier"],
    "informatique": ["serveur", "sauvegarde", "réseau", "pare-feu", "messagerie", "panne"],
    "formation": ["formation", "atelier", "formateur", "inscription", "module", "certificat"],
}
# Words that must never name a theme, though every text is full of them.
FILLERS = "peu différent différentes est-ce qu'il c'est vraiment faisons très l'équipe d'abord"
PHRASE = {"cantine": "service client"}  # written side by side in every cantine text


def corpus(per_subject: int = 120, seed: int = 5) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for index, (name, vocabulary) in enumerate(SUBJECTS.items()):
        for i in range(per_subject):
            words = [*rng.choice(vocabulary, 3), *FILLERS.split()]
            rng.shuffle(words)
            text = " ".join(words)
            if name in PHRASE:
                text = f"{text} {PHRASE[name]}"
            rows.append(
                {
                    "content_id": len(rows) + 1,
                    "author_id": i % 13,
                    "space_id": 1 + index % 2,
                    "kind": "post" if i % 3 else "comment",
                    "created_at": T0 + timedelta(days=int(i % 90)),
                    "text": text.capitalize() + ".",
                    "lang": "fr",
                    "sentiment": (0.6 if name == "formation" else -0.4) if i % 4 else None,
                }
            )
    return pl.DataFrame(rows, schema_overrides={"created_at": pl.Datetime("us", "UTC")})


def test_labels_are_meaningful_words_never_fillers() -> None:
    themes = find_themes(corpus(), seed=0, k=3)
    assert themes.found
    subjects = {w for words in SUBJECTS.values() for w in words} | {"service client"}
    for label, terms in zip(themes.labels, themes.terms, strict=True):
        for term in terms:
            for word in term.split():
                assert not is_filler(word, "fr"), (label, term)
        assert set(label.split(" · ")) <= subjects, label
    assert not any(w in FILLERS.split() for t in themes.terms for w in t)


def test_a_phrase_written_together_names_the_theme_as_one_term() -> None:
    themes = find_themes(corpus(), seed=0, k=3)
    flat = [t for terms in themes.terms for t in terms]
    assert "service client" in flat
    assert "service" not in flat and "client" not in flat


def test_labels_show_lemmas() -> None:
    frame = corpus().with_columns(pl.col("text").str.replace("atelier", "ateliers"))
    flat = {t for terms in find_themes(frame, seed=0, k=3).terms for t in terms}
    assert "atelier" in flat and "ateliers" not in flat


def test_same_seed_same_themes_and_seeds_agree() -> None:
    frame = corpus()
    first, again = find_themes(frame, seed=3, k=3), find_themes(frame, seed=3, k=3)
    assert first.labels == again.labels
    assert first.theme_of_row.to_list() == again.theme_of_row.to_list()
    other = find_themes(frame, seed=11, k=3)
    assert adjusted_rand_score(first.theme_of_row.to_numpy(), other.theme_of_row.to_numpy()) > 0.9


def test_overview_gives_examples_trend_and_sentiment() -> None:
    frame = corpus()
    overview = theme_overview(frame, seed=0, k=3, now=T0 + timedelta(days=89))
    assert overview["status"] == "ok" and overview["scope"] == "network"
    themes = overview["themes"]
    assert [t["items"] for t in themes] == sorted((t["items"] for t in themes), reverse=True)
    assert sum(t["items"] for t in themes) == frame.height
    training = next(t for t in themes if "formation" in t["terms"] or "atelier" in t["terms"])
    canteen = next(t for t in themes if "service client" in t["terms"])
    assert training["sentiment"]["mean"] == pytest.approx(0.6)
    assert training["sentiment"]["scored"] == 90  # the rows without a stored score left out
    assert canteen["sentiment"]["mean"] == pytest.approx(-0.4)
    assert [p["month"] for p in training["trend"]] == [
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
    ]
    assert sum(p["items"] for p in training["trend"]) == 120
    examples = training["examples"]
    assert len(examples) == 3 and all(e["kind"] == "post" for e in examples)
    assert len({e["excerpt"] for e in examples}) == 3
    ids = set(frame.get_column("content_id").to_list())
    assert all(e["content_id"] in ids for e in examples)


def test_overview_per_space_and_not_enough_data() -> None:
    frame = corpus(per_subject=300)
    space = theme_overview(frame, space_id=2, seed=0, k=3)
    assert space["scope"] == "space" and space["space_id"] == 2
    assert sum(t["items"] for t in space["themes"]) == frame.filter(pl.col("space_id") == 2).height
    small = theme_overview(frame.head(20))
    assert small["status"] == "not_enough_data" and small["themes"] == []
    assert "n = " in small["note"]


def test_sentiment_of_a_small_group_is_not_shown() -> None:
    frame = corpus().with_columns(pl.lit(None, dtype=pl.Float64).alias("sentiment"))
    overview = theme_overview(frame, seed=0, k=3)
    assert all(t["sentiment"]["mean"] is None for t in overview["themes"])
