"""Sentiment: lexicon rules, out-of-the-box scores, learning, content scoring, stance."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
import vader

from rucher.insights.results import MIN_GROUP_SIZE
from rucher.insights.sentiment import (
    binary_metrics,
    content_sentiment,
    is_positive,
    learn_model,
    resolve_method,
    score_texts,
    sentiment_scores,
)
from rucher.insights.sentiment_lexicon import french_lexicon, lexicon_scores, prepare_french
from rucher.insights.sentiment_model import load_model, save_model
from rucher.insights.sentiment_stance import all_member_stances, group_stances, member_stances

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sentiment"

POSITIVE_FR = [
    "J'ai adoré cette formation, vraiment excellente.",
    "Bravo pour ce projet, le résultat est superbe.",
    "Merci, la nouvelle version est rapide et agréable.",
    "Une très belle réussite, toute l'équipe est ravie.",
]
NEGATIVE_FR = [
    "Je n'aime pas du tout ce nouvel outil, il est lent.",
    "Quelle déception, la réunion était inutile et ennuyeuse.",
    "Le service est nul, rien ne fonctionne.",
    "C'est un échec complet, très mauvais travail.",
]
POSITIVE_EN = ["I loved this training, truly excellent.", "Great job, the result is superb."]
NEGATIVE_EN = ["I hate this new tool, it is slow.", "What a disappointment, a useless meeting."]


def test_french_lexicon_is_vendored_with_accent_free_twins() -> None:
    single, multi = french_lexicon()
    assert len(single) > 8000 and multi
    assert single["génial"] > 0 and single["genial"] == single["génial"]
    assert single["horrible"] < 0


def test_prepare_french_moves_negation_and_maps_mais() -> None:
    prepared = prepare_french("je n'aime pas ce film mais la fin est belle")
    assert prepared.startswith("je pas aime ce film but")


def test_french_negation_flips_the_sign() -> None:
    positive, negated = lexicon_scores(["c'est bon", "ce n'est pas bon"], "fr")[:, 3]
    assert positive > 0 > negated


def test_english_lexicon_is_plain_vader() -> None:
    text = "The food was GREAT, but the service was awful!"
    ours = lexicon_scores([text], "en")[0]
    reference = vader.polarity_scores(text)
    assert ours.tolist() == [reference[k] for k in ("neg", "neu", "pos", "compound")]


def test_empty_texts_score_zero_without_nan() -> None:
    scores = sentiment_scores(["", None, "   "], "fr", "out_of_the_box")
    assert scores.tolist() == [0.0, 0.0, 0.0]
    assert sentiment_scores([], "en").shape == (0,)
    unknown = sentiment_scores(["!!!", "Das ist wunderbar"], "unknown", "out_of_the_box")
    assert np.isfinite(unknown).all()


@pytest.mark.parametrize("method", ["lexicon", "out_of_the_box"])
def test_signs_of_clear_sentences(method: str) -> None:
    fr = sentiment_scores(POSITIVE_FR + NEGATIVE_FR, "fr", method)
    en = sentiment_scores(POSITIVE_EN + NEGATIVE_EN, "en", method)
    assert is_positive(fr, method).tolist() == [1] * 4 + [0] * 4
    assert is_positive(en, method).tolist() == [1, 1, 0, 0]
    assert (np.abs(fr) <= 1).all() and (np.abs(en) <= 1).all()


def test_binary_metrics_by_hand() -> None:
    truth = np.array([1, 1, 1, 0, 0])
    predicted = np.array([1, 1, 0, 0, 1])
    metrics = binary_metrics(truth, predicted)
    # Class 1: precision 2/3, recall 2/3, F1 2/3; class 0: precision 1/2, recall 1/2, F1 1/2.
    assert metrics["accuracy"] == pytest.approx(3 / 5)
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert binary_metrics(np.array([]), np.array([]))["n"] == 0


def test_learn_save_and_use_automatically(tmp_path: Path) -> None:
    texts = POSITIVE_FR * 3 + NEGATIVE_FR * 3
    labels = [1] * 12 + [0] * 12
    model = learn_model(texts, labels, "fr")
    assert is_positive(sentiment_scores(texts, "fr", model=model), "learned").tolist() == labels
    assert resolve_method("auto", "fr", tmp_path) == "out_of_the_box"
    path = save_model(model, tmp_path)
    assert path == tmp_path / "models" / "sentiment-fr.joblib"
    assert load_model("fr", tmp_path) is not None
    assert resolve_method("auto", "fr", tmp_path) == "learned"
    assert resolve_method("auto", "en", tmp_path) == "out_of_the_box"
    again = sentiment_scores(texts, "fr", directory=tmp_path)
    np.testing.assert_allclose(again, sentiment_scores(texts, "fr", model=model))


def test_unreadable_model_falls_back(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "sentiment-en.joblib").write_text("not a model")
    assert load_model("en", tmp_path) is None
    assert resolve_method("auto", "en", tmp_path) == "out_of_the_box"


def test_learn_needs_both_labels() -> None:
    with pytest.raises(ValueError, match="both"):
        learn_model(POSITIVE_FR, [1, 1, 1, 1], "fr")


def test_score_texts_mixed_languages() -> None:
    scores, languages = score_texts([POSITIVE_FR[0], NEGATIVE_EN[0], "ok"], "auto", "lexicon")
    assert languages == ["fr", "en", "unknown"]
    assert scores[0] > 0 > scores[1]


def _content(rows: list[tuple[int, int, int, list[str], str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "content_id": [r[0] for r in rows],
            "kind": ["post"] * len(rows),
            "author_id": [r[1] for r in rows],
            "space_id": [r[2] for r in rows],
            "topics": [r[3] for r in rows],
            "text": [r[4] for r in rows],
            "lang": [None] * len(rows),
            "created_at": [datetime(2025, 1, 1, tzinfo=UTC)] * len(rows),
        },
        schema_overrides={"topics": pl.List(pl.Utf8)},
    )


def test_content_sentiment_drops_rows_without_text() -> None:
    content = _content(
        [
            (1, 10, 1, ["a"], POSITIVE_FR[0]),
            (2, 11, 1, ["a"], None),
            (3, 12, 1, [], NEGATIVE_EN[0]),
            (4, 13, 1, [], "  "),
        ]
    )
    scored = content_sentiment(content, method="lexicon")
    assert scored["content_id"].to_list() == [1, 3]
    assert scored["lang"].to_list() == ["fr", "en"]
    assert scored["sentiment"][0] > 0 > scored["sentiment"][1]
    assert content_sentiment(content.head(0)).is_empty()


def _scored(rows: list[tuple[int, int, list[str], float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "author_id": [r[0] for r in rows],
            "space_id": [r[1] for r in rows],
            "topics": [r[2] for r in rows],
            "sentiment": [r[3] for r in rows],
        },
        schema_overrides={"topics": pl.List(pl.Utf8)},
    )


def test_group_stance_is_mean_of_member_means_and_hides_small_groups() -> None:
    rng = np.random.default_rng(1)
    rows = []
    for person in range(MIN_GROUP_SIZE):  # space 1: exactly the minimum
        for _ in range(person + 1):
            rows.append((person, 1, ["x"], float(rng.uniform(-1, 1))))
    for person in range(MIN_GROUP_SIZE - 1):  # space 2: one short
        rows.append((person, 2, ["y"], 0.5))
    scored = _scored(rows)
    results = group_stances(scored)
    frame = pd.DataFrame(rows, columns=["author_id", "space_id", "topics", "sentiment"])
    per_person = frame[frame.space_id == 1].groupby("author_id").sentiment.mean()
    assert results[1].ok
    assert results[1].value == pytest.approx(per_person.mean())
    assert results[1].denominator == MIN_GROUP_SIZE
    assert not results[2].ok and results[2].value is None
    by_topic = group_stances(scored, by="topic")
    assert by_topic["x"].ok and not by_topic["y"].ok
    # A caller cannot lower the privacy floor.
    assert not group_stances(scored, min_group_size=2)[2].ok


def test_member_stance_only_for_the_member() -> None:
    scored = _scored([(1, 1, ["x"], 0.2), (1, 1, ["x"], 0.6), (2, 1, ["x"], -1.0)])
    own = member_stances(scored, person_id=1, viewer_id=1)
    assert own["stance"].to_list() == [pytest.approx(0.4)]
    assert own["texts"].to_list() == [2]
    with pytest.raises(PermissionError):
        member_stances(scored, person_id=1, viewer_id=2)
    assert all_member_stances(scored.head(0)).is_empty()


def _read(path: Path, label_first: bool) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        label, text = line.split("\t", 1) if label_first else line.rsplit("\t", 1)[::-1]
        texts.append(text.strip())
        labels.append(int(label))
    return texts, np.array(labels)


@pytest.mark.dataset
def test_out_of_the_box_beats_plain_vader_on_allocine() -> None:
    path = DATA / "fr-allocine-tv" / "dev.tsv"
    if not path.exists():
        pytest.skip(f"dataset absent: {path}")
    texts, truth = _read(path, label_first=True)
    ours = binary_metrics(
        truth, is_positive(sentiment_scores(texts, "fr", "out_of_the_box"), "out_of_the_box")
    )
    base = binary_metrics(
        truth, is_positive(sentiment_scores(texts, "fr", "lexicon_plain"), "lexicon_plain")
    )
    assert ours["accuracy"] > base["accuracy"]
    assert ours["accuracy"] >= 0.75


def test_a_text_embedded_again_soon_is_not_encoded_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker embeds a new post for its meaning, then for its sentiment: the second
    asks for vectors the process has just computed."""
    from collections import OrderedDict

    import numpy as np

    from rucher.insights import sentiment_model

    encoded: list[list[str]] = []

    class Encoder:
        def encode(self, texts: list[str]) -> np.ndarray:
            encoded.append(list(texts))
            return np.array([[float(len(text))] * sentiment_model.EMBEDDING_DIM for text in texts])

    monkeypatch.setattr(sentiment_model, "_encoder", lambda: Encoder())
    monkeypatch.setattr(sentiment_model, "_recent", OrderedDict())
    monkeypatch.setattr(sentiment_model, "RECENT_TEXTS", 3)
    first = sentiment_model.embed(["Bonjour", "", "Merci beaucoup"])
    again = sentiment_model.embed(["Merci beaucoup", "Nouveau", "Bonjour"])
    assert encoded == [["Bonjour", "Merci beaucoup"], ["Nouveau"]]
    assert (again[0] == first[2]).all() and (again[2] == first[0]).all()
    assert not first[1].any()  # an empty text: the zero vector, never encoded
    sentiment_model.embed(["Un", "Deux", "Trois"])  # past RECENT_TEXTS: the oldest go
    sentiment_model.embed(["Bonjour"])
    assert encoded[-1] == ["Bonjour"]
