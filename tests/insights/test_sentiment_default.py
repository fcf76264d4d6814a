"""The default sentiment model shipped with rucher (``data/sentiment_default/model.npz``):
it loads, and it gets a small held-in sanity set right, alone and inside the out-of-the-box
score. Held in on purpose (these sentences are in its training files): the test catches a
broken, truncated or sign-flipped weights file, not generalisation (measured in
docs/insights.md on held-out Allociné and UCI files)."""

from __future__ import annotations

import numpy as np

from rucher.insights import sentiment_default
from rucher.insights.sentiment import sentiment_scores

SANITY: dict[str, list[tuple[int, str]]] = {
    "fr": [
        (1, "Grâce au nouvel outil de planning, on livre enfin dans les temps."),
        (
            1,
            "J'ai adoré cette série dès le premier épisode, les dialogues sont fins et les "
            "acteurs excellents.",
        ),
        (
            1,
            "La session d'accueil était claire et le formateur a répondu patiemment à toutes "
            "les questions.",
        ),
        (0, "La réunion a duré deux heures et rien n'a été décidé."),
        (0, "Le nouvel outil de notes de frais est lent et plante à chaque justificatif."),
        (0, "J'ai arrêté après trois épisodes, l'intrigue est ennuyeuse et prévisible."),
    ],
    "en": [
        (1, "Thanks to the new planning tool we finally ship on time."),
        (1, "Great product, it arrived quickly and works exactly as described."),
        (
            1,
            "I loved this series from the first episode, the writing is sharp and the actors "
            "are superb.",
        ),
        (0, "The meeting dragged on for two hours and nothing was decided."),
        (0, "The new expense tool is slow and crashes every time I upload a receipt."),
        (0, "The product broke after one week, a complete waste of money."),
    ],
}


def test_the_shipped_weights_load() -> None:
    assert sentiment_default.available()
    weights, intercept = sentiment_default._weights() or (np.zeros(0), 0.0)
    assert weights.shape == (sentiment_default.VECTOR_DIM,)
    assert np.isfinite(weights).all() and np.isfinite(intercept)


def test_vectors_are_unit_length_and_zero_for_no_text() -> None:
    found = sentiment_default.vectors(["Très bon film.", "", None, "   "])
    assert found.shape == (4, sentiment_default.VECTOR_DIM)
    assert abs(float(np.linalg.norm(found[0])) - 1.0) < 1e-3
    assert not found[1:].any()
    assert (sentiment_default.decision(found)[1:] == 0.0).all()


def test_the_sanity_sentences_are_held_in() -> None:
    texts, labels = sentiment_default.training_sentences()
    trained = dict(zip(texts, labels.tolist(), strict=True))
    for pairs in SANITY.values():
        for label, text in pairs:
            assert trained.get(text) == label, text


def test_the_shipped_model_gets_the_sanity_set_right() -> None:
    for lang, pairs in SANITY.items():
        labels = np.array([label for label, _ in pairs])
        texts = [text for _, text in pairs]
        alone = sentiment_default.decision(sentiment_default.vectors(texts))
        assert ((alone > 0) == labels).all(), (lang, alone.round(2).tolist())
        combined = sentiment_scores(texts, lang, method="out_of_the_box")
        assert ((combined > 0) == labels).all(), (lang, combined.round(2).tolist())


def test_the_out_of_the_box_score_counts_the_model_twice() -> None:
    from rucher.insights.sentiment_model import (
        EMBEDDING_DIM,
        out_of_the_box_scores,
        prototype_scores,
    )

    rng = np.random.default_rng(0)
    use = rng.normal(size=(5, EMBEDDING_DIM)).astype(np.float32)
    use /= np.linalg.norm(use, axis=1, keepdims=True)
    e5 = rng.normal(size=(5, sentiment_default.VECTOR_DIM)).astype(np.float32)
    e5 /= np.linalg.norm(e5, axis=1, keepdims=True)
    lexicon = np.zeros((5, 4))
    lexicon[:, 3] = [-0.8, -0.2, 0.0, 0.3, 0.9]
    model, prototype = sentiment_default.decision(e5), prototype_scores(use)
    np.testing.assert_allclose(
        out_of_the_box_scores(use, lexicon, e5), (2 * model + prototype + lexicon[:, 3]) / 4
    )
    # Without the e5 vectors (no default model): the prototype and VADER, half each.
    np.testing.assert_allclose(out_of_the_box_scores(use, lexicon), (prototype + lexicon[:, 3]) / 2)
