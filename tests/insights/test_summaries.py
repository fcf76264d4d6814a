"""Extractive summaries: central sentences, no repetition, in writing order, with sources."""

from __future__ import annotations

from rucher.insights.summaries import Item, split_sentences, summarise

THREAD = [
    Item(
        1,
        "Le déménagement du site de Lyon est prévu pour le mois de mars. "
        "Les équipes de production changeront de bâtiment en deux vagues.",
        "fr",
    ),
    Item(2, "Merci !", "fr"),
    Item(
        3,
        "Le déménagement du site de Lyon demande un planning précis pour la production. "
        "Qui prépare le planning des deux vagues de déménagement ?",
        "fr",
    ),
    Item(4, "Je prépare le planning du déménagement avec les chefs d'équipe de production.", "fr"),
    Item(5, "Au fait, le foot de jeudi soir est annulé à cause de la pluie, désolé.", "fr"),
    Item(6, "Le planning du déménagement sera validé en comité de direction lundi prochain.", "fr"),
    Item(7, "The move of the Lyon site is planned for March, in two waves.", "en"),
]


def test_split_sentences() -> None:
    assert split_sentences("Un. Deux ! Trois ?\nQuatre https://x.example/a") == [
        "Un.",
        "Deux !",
        "Trois ?",
        "Quatre",
    ]


def test_the_summary_keeps_central_sentences_in_order_with_sources() -> None:
    summary = summarise(THREAD, count=3)
    assert len(summary) == 3
    ids = [s.content_id for s in summary]
    assert ids == sorted(ids)  # the order they were written
    texts = " ".join(s.text for s in summary)
    assert "déménagement" in texts
    assert "foot" not in texts  # off-topic: least central
    assert "Merci" not in texts  # too short to summarise anything
    for sentence in summary:
        source = next(i for i in THREAD if i.content_id == sentence.content_id)
        assert sentence.text.rstrip("…") in source.text


def test_no_sentence_twice_and_small_inputs() -> None:
    repeated = [
        Item(i, "Le comité valide le budget du projet de déménagement.", "fr") for i in range(4)
    ]
    assert len(summarise(repeated, count=3)) == 1
    assert summarise([]) == []
    assert summarise([Item(1, "Merci !", "fr")]) == []
    assert (
        summarise([Item(1, "Merci pour ton aide sur ce sujet. Je passe te voir vendredi.")]) == []
    )
    assert summarise(THREAD, count=0) == []
    assert len(summarise(THREAD, count=10)) == 8  # every informative sentence, once
