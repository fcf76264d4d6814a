"""Language detection, tokenisation and negation marking, against hand-made answers."""

from __future__ import annotations

import snowballstemmer

from rucher.insights.text import (
    detect_language,
    lemma,
    majority_language,
    mark_negations,
    tokenize,
    words,
)


def test_detects_french_and_english_sentences() -> None:
    assert detect_language("Je pense que la réunion de demain est annulée") == "fr"
    assert detect_language("I think tomorrow's meeting has been cancelled") == "en"


def test_short_empty_or_foreign_text_is_unknown() -> None:
    assert detect_language("") == "unknown"
    assert detect_language(None) == "unknown"
    assert detect_language("ok !") == "unknown"
    assert detect_language("12345 678 90 !!!") == "unknown"
    assert detect_language("Hallo, wie geht es dir heute, mein Freund?") == "unknown"


def test_majority_language() -> None:
    texts = ["C'est une très bonne idée", "Merci pour ce compte rendu", "Thanks a lot for this"]
    assert majority_language(texts) == "fr"
    assert majority_language(["ok", ""]) == "unknown"


def test_words_split_elisions_and_drop_punctuation() -> None:
    assert words("L’équipe n'a pas aimé… «ça» !") == ["l", "équipe", "n", "a", "pas", "aimé", "ça"]


def test_tokenize_french_by_hand() -> None:
    # Stop words l, n, a, pas, les, du go; the rest is stemmed by Snowball French.
    stemmer = snowballstemmer.stemmer("french")
    expected = stemmer.stemWords(["équipe", "aimé", "réunions", "lundi"])
    assert tokenize("L'équipe n'a pas aimé les réunions du lundi", "fr") == expected
    assert expected == ["équip", "aim", "réunion", "lund"]


def test_tokenize_english_by_hand() -> None:
    assert tokenize("The teams didn't like Monday's meetings", "en") == [
        "team",
        "like",
        "monday",
        "meet",
    ]


def test_tokenize_detects_language_when_not_given() -> None:
    assert tokenize("Les réunions du lundi sont vraiment trop longues") == tokenize(
        "Les réunions du lundi sont vraiment trop longues", "fr"
    )


def test_tokenize_unknown_language_keeps_words_unstemmed() -> None:
    # Both stop-word lists apply ("es" is French), no stemmer.
    assert tokenize("Hallo Welten, wie geht es", "de") == ["hallo", "welten", "wie", "geht"]
    assert tokenize("", "fr") == []


def test_tokenize_drops_short_numbers_and_single_letters() -> None:
    assert tokenize("Version 2 du projet x en 2024", "fr") == ["version", "projet", "2024"]


def test_mark_negations_scope() -> None:
    tokens = words("I don't like it at all but great")
    assert mark_negations(tokens, "en") == [
        "i",
        "don",
        "t",
        "NOT_like",
        "NOT_it",
        "NOT_at",
        "all",
        "but",
        "great",
    ]
    assert mark_negations(words("c'est pas drôle"), "fr") == ["c", "est", "pas", "NOT_drôle"]


def test_lemma() -> None:
    assert lemma("adorées", "fr") == "adorer"
    assert lemma("meetings", "xx") == "meetings"
