"""Lexicon sentiment (VADER) for English and French, offline.

English: the VADER engine and lexicon of ``nltk-vader-sentiment`` as shipped. French: the
same engine fed the French VADER lexicon vendored in ``data/vader_fr`` (MIT, see its
ATTRIBUTION.md) with rucher's own French booster and negation lists and three French
adaptations done on the text before scoring (see ``prepare_french``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rucher.insights.text import lemma, strip_accents

FRENCH_LEXICON_PATH = Path(__file__).parent / "data" / "vader_fr" / "fr_lexicon.txt"

# The engine's own increments (VADER's B_INCR = 0.293).
_UP, _DOWN = 0.293, -0.293
FRENCH_BOOSTERS: dict[str, float] = {
    **dict.fromkeys(
        [
            "très",
            "tellement",
            "trop",
            "vraiment",
            "extrêmement",
            "totalement",
            "complètement",
            "absolument",
            "particulièrement",
            "super",
            "hyper",
            "vachement",
            "franchement",
            "énormément",
            "incroyablement",
            "profondément",
            "carrément",
            "entièrement",
            "hautement",
            "infiniment",
            "follement",
            "terriblement",
            "drôlement",
            "sacrément",
            "grave",
        ],
        _UP,
    ),
    **dict.fromkeys(
        [
            "plutôt",
            "assez",
            "peu",
            "légèrement",
            "presque",
            "moyennement",
            "relativement",
            "vaguement",
            "quasiment",
            "à-peine",
        ],
        _DOWN,
    ),
    "un peu": _DOWN,
    "à peine": _DOWN,
}
# After prepare_french() moves a split negation in front of its verb, these are the words
# that negate the (up to three) words after them.
FRENCH_NEGATIONS: frozenset[str] = frozenset(
    {"pas", "jamais", "rien", "aucun", "aucune", "aucunement", "nullement", "sans", "ni", "guère"}
)

_ELISION = re.compile(r"\b(\w+?)'(?=\w)", re.UNICODE)
# "ne/n' VERB pas" -> "pas VERB": VADER looks for negators BEFORE the word they negate.
_SPLIT_NEGATION = re.compile(
    r"\b(?:ne|n')\s*(\S+)\s+(pas|jamais|plus|rien|guère)\b", re.UNICODE | re.IGNORECASE
)
_EDGE_PUNCTUATION = re.compile(r"^(\W*)(.*?)(\W*)$", re.UNICODE | re.DOTALL)


@lru_cache(maxsize=1)
def french_lexicon() -> tuple[dict[str, float], dict[str, float]]:
    """(single words, multiword phrases) from the vendored file, with accent-free twins.

    The file is ``term->valence`` per line. Accent-free twins matter because users (and
    some preprocessing) drop accents: "genial" must score like "génial".
    """
    single: dict[str, float] = {}
    multi: dict[str, float] = {}
    for line in FRENCH_LEXICON_PATH.read_text(encoding="utf-8").splitlines():
        term, sep, value = line.rpartition("->")
        if not sep or not term:
            continue
        try:
            valence = float(value)
        except ValueError:
            continue
        term = term.strip().lower()
        target = multi if " " in term else single
        target[term] = valence
    for term, valence in list(single.items()):
        single.setdefault(strip_accents(term), valence)
    return single, multi


def prepare_french(text: str) -> str:
    """Adapt French text to VADER's English-shaped rules.

    1. elisions split ("l'équipe" -> "l' équipe") so the word after the apostrophe is
       looked up; 2. "ne VERB pas" becomes "pas VERB" so the negator precedes the verb;
    3. "mais" becomes the engine's "but" (the contrast rule: what follows weighs more);
    4. a word absent from the lexicon is replaced by its lemma when the lemma is there
       ("adorées" -> "adorer").
    """
    lexicon, _ = french_lexicon()
    text = text.replace("’", "'")
    text = _SPLIT_NEGATION.sub(lambda m: f"{m.group(2)} {m.group(1)}", text)
    text = _ELISION.sub(r"\1' ", text)
    out: list[str] = []
    for raw in text.split():
        match = _EDGE_PUNCTUATION.match(raw)
        lead, core, tail = match.groups() if match else ("", raw, "")
        lower = core.lower()
        if lower == "mais":
            out.append(f"{lead}but{tail}")
            continue
        if lower and lower not in lexicon:
            base = lemma(lower, "fr")
            if base in lexicon:
                out.append(f"{lead}{base}{tail}")
                continue
        out.append(raw)
    return " ".join(out)


@lru_cache(maxsize=3)
def analyzer(lang: str) -> Any:
    """The VADER analyzer for ``lang`` ("en" or "fr")."""
    from vader import SentimentIntensityAnalyzer

    if lang == "fr":
        single, multi = french_lexicon()
        return SentimentIntensityAnalyzer(
            lexicon=single,
            multiword=multi,
            booster=FRENCH_BOOSTERS,
            negations=FRENCH_NEGATIONS,
            special_cases={},
            idioms={},
        )
    return SentimentIntensityAnalyzer()


LEXICON_FEATURES = ("neg", "neu", "pos", "compound")


def lexicon_scores(texts: Sequence[str | None], lang: str, adapt_french: bool = True) -> np.ndarray:
    """VADER scores per text as an (n, 4) array: neg, neu, pos, compound.

    ``adapt_french=False`` scores French text as is (the plain-VADER baseline).

    ``lang`` "unknown" (or anything else) scores with both lexicons and keeps, per text,
    the one that found more sentiment. Empty or missing text scores all zeros.
    """
    out = np.zeros((len(texts), len(LEXICON_FEATURES)), dtype=np.float64)
    languages = ["fr", "en"] if lang not in ("fr", "en") else [lang]
    for index, text in enumerate(texts):
        if not text or not text.strip():
            continue
        best: dict[str, float] | None = None
        for language in languages:
            prepared = prepare_french(text) if language == "fr" and adapt_french else text
            scores = analyzer(language).polarity_scores(prepared)
            if best is None or abs(scores["compound"]) > abs(best["compound"]):
                best = scores
        assert best is not None
        out[index] = [best[key] for key in LEXICON_FEATURES]
    return out


def lexicon_compound(
    texts: Sequence[str | None], lang: str, adapt_french: bool = True
) -> np.ndarray:
    """VADER's compound score in [-1, 1] per text (0 for no text)."""
    return lexicon_scores(texts, lang, adapt_french)[:, 3]
