"""The analysis chain: text to index terms, a query to a match expression.

The same chain feeds both engines (SQLite FTS5 and PostgreSQL full text), so a word is found
the same way on both (docs/search.md, "One analysis, two engines"):

1. Unicode NFC, typographic apostrophes made plain, lower case.
2. Words: runs of letters and digits (any script); hyphens and underscores split. A French
   elision is dropped ("l'entreprise" -> "entreprise", "qu'il" -> "il"); Chinese and Japanese
   characters, written without spaces, become one term each.
3. Stop words of the document's language dropped (both lists when it is unknown).
4. The dictionary form (simplemma: "préparons" -> "préparer") then its Snowball stem, in the
   document's language (French or English; none otherwise: a wrong stemmer hurts more than
   none).
5. Accents folded ("équipe" -> "equipe"), after stemming (the stemmers know accents).

A query is analysed word by word without knowing its language (two words say little): each
word matches its folded form, its French stem or its English stem; the last word also
matches as a prefix (the person may still be typing). Words are ANDed. The match expression
is written from these terms only, each quoted: nothing the person types reaches the engine's
query syntax (quotes, ``*``, ``NEAR``, ``AND``/``OR``, parentheses are words or nothing).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from rucher.errors import Invalid
from rucher.insights.text import STOP_WORDS_EN, STOP_WORDS_FR, detect_language, lemma, stem_words

MAX_QUERY_CHARS = 500  # longer is a 422 with a reason, not a silent cut
MAX_QUERY_WORDS = 12  # words past these are left out (the page says so)
MIN_PREFIX = 2  # a one-letter prefix matches half the index: it is matched whole
LANGUAGES = ("fr", "en")

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)'")
# Scripts written without spaces between words: each character is a term.
_UNSPACED = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
_ALL_STOP_WORDS = STOP_WORDS_FR | STOP_WORDS_EN


def fold(word: str) -> str:
    """Accents and case folded: "Équipe" -> "equipe" (the index and the query agree)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, elisions dropped, unspaced scripts split."""
    normal = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).lower()
    found: list[str] = []
    for match in _WORD.finditer(normal):
        word = _ELISION.sub("", match.group())
        for part in word.split("'"):
            if not part:
                continue
            if _UNSPACED.search(part):
                found += [piece for piece in _UNSPACED.split(part) if piece]
            else:
                found.append(part)
    return found


def _stop_words(lang: str) -> frozenset[str]:
    if lang == "fr":
        return STOP_WORDS_FR
    if lang == "en":
        return STOP_WORDS_EN
    return _ALL_STOP_WORDS


def _kept(word: str, stop: frozenset[str]) -> bool:
    if word in stop:
        return False
    return len(word) > 1 or bool(_UNSPACED.match(word)) or word.isdigit()


def document_language(text: str, declared: str = "") -> str:
    """The language a document is stemmed in: the declared one, else py3langid's guess."""
    if declared in LANGUAGES:
        return declared
    guessed = detect_language(text[:2000])
    return guessed if guessed in LANGUAGES else ""


def index_terms(text: str, lang: str) -> str:
    """The terms a document is indexed under, space-separated (the engines' input)."""
    stop = _stop_words(lang)
    return " ".join(_index_term(w, lang) for w in words(text) if _kept(w, stop))


@lru_cache(maxsize=65_536)
def _index_term(word: str, lang: str) -> str:
    """One word's index term. Cached: words follow Zipf's law, so a few thousand forms make
    most of any text, and the dictionary lookup and the (pure Python) Snowball stemmer cost
    about 0.1 ms a word: most of an index rebuild's time before the cache (docs/search.md)."""
    if lang in LANGUAGES:
        word = stem_words([lemma(word, lang)], lang)[0]
    return fold(word)


@lru_cache(maxsize=4096)
def _variants(word: str) -> tuple[str, ...]:
    forms = {fold(word)}
    for lang in LANGUAGES:
        forms.add(fold(stem_words([lemma(word, lang)], lang)[0]))
    return tuple(sorted(f for f in forms if f))


@dataclass(frozen=True)
class Term:
    """One word of a query: the forms it matches, and whether it matches as a prefix too."""

    word: str
    forms: tuple[str, ...]
    prefix: str = ""  # the folded word, matched as a prefix (the last word only)


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...]
    dropped_words: int = 0  # words past MAX_QUERY_WORDS

    @property
    def empty(self) -> bool:
        return not self.terms

    def fts5(self) -> str:
        """The FTS5 match expression: each term quoted, forms ORed, terms ANDed."""
        groups = []
        for term in self.terms:
            options = [_fts5_quoted(form) for form in term.forms]
            if term.prefix:
                options.append(_fts5_quoted(term.prefix) + "*")
            groups.append("(" + " OR ".join(options) + ")")
        return " AND ".join(groups)

    def tsquery(self) -> str:
        """The same for PostgreSQL's ``to_tsquery('simple', …)``."""
        groups = []
        for term in self.terms:
            options = [_tsquery_quoted(form) for form in term.forms]
            if term.prefix:
                options.append(_tsquery_quoted(term.prefix) + ":*")
            groups.append("(" + " | ".join(options) + ")")
        return " & ".join(groups)

    def highlights(self, word: str) -> bool:
        """Whether ``word`` of a result's text is one the query matched (for the snippet)."""
        folded = fold(word)
        for term in self.terms:
            if term.prefix and folded.startswith(term.prefix):
                return True
        return bool(set(_variants(word)) & self.all_forms)

    @property
    def all_forms(self) -> frozenset[str]:
        return frozenset(form for term in self.terms for form in term.forms)


def _fts5_quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _tsquery_quoted(term: str) -> str:
    return "'" + term.replace("'", "''").replace("\\", "\\\\") + "'"


def parse_query(text: str, *, prefix: bool = True) -> Query:
    """The query's terms, or ``Invalid`` (a 422) when it is too long to be a search.

    An empty query, or one made only of stop words, punctuation or emoji, is valid and
    empty: it finds nothing (the pages say "type a word")."""
    if len(text) > MAX_QUERY_CHARS:
        raise Invalid(
            _("the search is too long (at most %(max)s characters)") % {"max": MAX_QUERY_CHARS}
        )
    found = [w for w in words(text) if _kept(w, _ALL_STOP_WORDS)]
    if not found:
        # Only stop words ("the", "les"): search them rather than nothing.
        found = [w for w in words(text) if len(w) > 1]
    dropped = max(0, len(found) - MAX_QUERY_WORDS)
    found = found[:MAX_QUERY_WORDS]
    typing = prefix and bool(text) and not text[-1].isspace()
    terms = []
    for position, word in enumerate(found):
        last = position == len(found) - 1
        folded = fold(word)
        as_prefix = folded if typing and last and len(folded) >= MIN_PREFIX else ""
        terms.append(Term(word, _variants(word), as_prefix))
    return Query(text, tuple(terms), dropped)
