"""The analysis chain (no database): French and English words, and hostile queries."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from rucher.errors import Invalid
from rucher.search.analysis import MAX_QUERY_CHARS, fold, index_terms, parse_query, words


def test_elision_accents_and_case() -> None:
    assert words("L'entreprise qu'il préfère") == ["entreprise", "il", "préfère"]
    assert words("L’équipe") == ["équipe"]  # typographic apostrophe
    assert fold("Équipe DÉCOUVERTE") == "equipe decouverte"


def test_french_stems_join_plural_and_verb_forms() -> None:
    assert index_terms("les entreprises", "fr") == index_terms("l'entreprise", "fr")
    assert index_terms("nous préparons", "fr") == index_terms("préparer", "fr")
    assert index_terms("réunions", "fr") == index_terms("reunion", "fr")


def test_english_stems_and_stop_words() -> None:
    assert index_terms("the budgets", "en") == index_terms("budget", "en")
    assert index_terms("planning", "en") == index_terms("plans", "en")
    assert index_terms("the and of", "en") == ""


def test_unspaced_scripts_become_one_term_per_character() -> None:
    assert words("会议记录") == ["会", "议", "记", "录"]
    assert index_terms("اجتماع الفريق", "") == "اجتماع الفريق"


@pytest.mark.parametrize(
    "hostile",
    ['"budget', "budget*", "-budget", "budget NEAR(x y)", "a AND (b OR c", "')(*&^%$#", "NOT"],
)
def test_query_syntax_never_reaches_the_engine(hostile: str) -> None:
    query = parse_query(hostile)
    for term in query.terms:
        assert all(form.isalnum() for form in term.forms)
    # Every form is quoted: the expression is words, ANDed and ORed by us only.
    expression = query.fts5()
    assert expression.count('"') % 2 == 0


def test_the_last_word_is_a_prefix_while_typing() -> None:
    assert parse_query("budg").terms[0].prefix == "budg"
    assert parse_query("budg ").terms[0].prefix == ""
    assert parse_query("budg", prefix=False).terms[0].prefix == ""
    assert parse_query("b").empty  # one letter is no word to search


def test_empty_emoji_and_too_long() -> None:
    assert parse_query("").empty
    assert parse_query("🐝🍯").empty
    assert parse_query("  ***  ").empty
    with translation.override("en"), pytest.raises(Invalid, match="too long"):
        parse_query("x" * 10_000)
    many = parse_query(" ".join(f"mot{i}" for i in range(20)))
    assert len(many.terms) == 12 and many.dropped_words == 8


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=MAX_QUERY_CHARS))
def test_any_text_parses_to_quoted_terms(text: str) -> None:
    query = parse_query(text)
    assert '"' not in "".join(f for t in query.terms for f in t.forms)
    assert query.fts5().count('"') % 2 == 0
