"""Text utilities shared by search and sentiment: language, words, stems, lemmas.

Everything here runs offline from installed packages: py3langid (language), snowballstemmer
(stems), simplemma (lemmas). rucher handles French and English; any other language is
``"unknown"`` and gets language-neutral treatment (lower-cased words, no stemming).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Literal

Language = Literal["fr", "en", "unknown"]
SUPPORTED_LANGUAGES: tuple[str, ...] = ("fr", "en")

# Below this many letters a language guess is a coin toss ("ok", "merci !").
MIN_LETTERS_FOR_LANGUAGE = 12
# The fr/en posterior must reach this, else the text is in neither language or too mixed.
MIN_LANGUAGE_CONFIDENCE = 0.80
# When the full model (about 100 languages) prefers another language by this much, a text
# that is only "rather French than English" is really neither.
FOREIGN_MARGIN = 0.5

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'"})
# A word: letters (any script), digits, inner hyphens; the apostrophe splits French
# elisions ("l'équipe" -> "l", "équipe") while English contractions keep "n't" apart.
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def _word_set(block: str) -> frozenset[str]:
    return frozenset(block.split())


# Function words dropped before indexing. Written for rucher; short on purpose: words
# that carry meaning in a workplace ("projet", "client") stay.
STOP_WORDS_FR: frozenset[str] = _word_set(
    """
    a à ai aie aient aies ait as au aux avaient avais avait avec avez aviez avions avoir
    avons ayant c ça ce ceci cela celle celles celui ces cet cette ceux chez d dans de
    des du elle elles en es est et étaient étais était étant été êtes étiez étions être
    eu eue eues eûmes eurent eus eut eux fûmes furent fus fut il ils j je l la le les
    leur leurs lui m ma mais me même mes moi mon n ne nos notre nous on ont ou où par
    pas pour qu que quel quelle quelles quels qui s sa sans se sera serai seraient
    serais serait seras serez seriez serions serons seront ses si son sont sous soyez
    soyons suis sur t ta te tes toi ton tu un une vos votre vous y aussi alors donc car
    puis comme très plus tout tous toute toutes cest jai quil quelle ya
    """
)
STOP_WORDS_EN: frozenset[str] = _word_set(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not of off on once only
    or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would
    you your yours yourself yourselves s t d ll m re ve don doesn didn isn wasn aren
    weren won wouldn shouldn couldn can't let us also
    """
)
STOP_WORDS: dict[str, frozenset[str]] = {"fr": STOP_WORDS_FR, "en": STOP_WORDS_EN}

# Words that say nothing about what a conversation is about: adverbs, quantifiers, politeness,
# the commonest verbs and words of time. Kept apart from the stop words because search and
# sentiment need some of them ("peu", "pas très", "merci"); themes leave them out of their
# vocabulary so a theme is never named "peu · voir · est-ce". Hyphenated words made only of
# these and of stop words ("est-ce", "peut-être", "a-t-il") are fillers too.
FILLER_WORDS_FR: frozenset[str] = _word_set(
    """
    peu beaucoup bien encore déjà ici là trop assez toujours jamais rien quelque quelques
    chaque autre autres tel telle tels telles plusieurs certain certaine certains certaines
    aucun aucune vers selon depuis pendant avant après entre contre dont lequel laquelle
    lesquels lesquelles voici voilà oui non ok okay merci bonjour bonsoir salut coucou bravo
    svp stp cordialement bises hello hi thanks top super génial
    fait faits faite faire fais font faisons faut peut peux peuvent pouvez pouvons pourrait
    pourrais pourriez pourrions pouvoir doit dois doivent devez devons devrait devrions
    devoir voir vu vue vois voit voyez dit dire dis dites va vais vas vont allez allons aller
    sais sait savez savoir mettre mis mise mises met prendre pris prend prends donner donne
    donné passer passe passé venir vient viens venez trouver trouve trouvé semble sembler
    reste rester veux veut voulez voulons vouloir aimerais voudrais pense pensez penser crois
    est-ce peut-être c'est qu'il aujourd hui aujourd'hui demain hier bientôt maintenant
    prochain prochaine prochains prochaines dernier dernière derniers dernières nouveau
    nouvelle nouveaux nouvelles grand grande grands grandes petit petite petits petites
    bon bonne bons bonnes vrai vraiment clair claire simplement juste plutôt environ
    point points retour retours chose choses cas fois temps jour jours semaine semaines
    mois an ans année années heure heures minute minutes matin soir suite part partant
    retenir quoi quand comment pourquoi combien afin ainsi cependant
    pourtant toutefois enfin ensuite d'abord abord surtout notamment etc cela ceci
    différent différente différents différentes intéressant intéressante intéressants
    intéressantes simple simples parler parle parlé avance question questions sujet sujets
    information informations étape étapes exemple exemples possible besoin envie
    lundi mardi mercredi jeudi vendredi samedi dimanche
    jusqu lorsqu puisqu quoiqu presqu ci-dessous ci-dessus ci-joint falloir faudra faudrait
    deux trois quatre cinq six sept huit neuf dix premier première second seconde
    concerner concerne concernent commencer commence arriver arrive participer présenter
    éviter chercher cherchons cherche hésiter hésitez prévoir prévu anticiper perdre
    dépendre dépendent démarrer démarre meilleur meilleure meilleurs tôt tard rapide
    rapidement gagner
    """
)
FILLER_WORDS_EN: frozenset[str] = _word_set(
    """
    just like get gets got getting really thanks thank please hi hello hey ok okay yes yeah
    well still yet even much many lot lots one two three new next last first good great nice
    big small little make makes made making see seen sees know knows known think thinks
    thought want wants need needs needed use used using going go goes gone come comes came
    take takes took way ways thing things something anything everything nothing someone
    anyone everyone week weeks day days today tomorrow yesterday month months year years
    time times hour hours minute minutes morning evening soon now already always never
    ever maybe perhaps quite rather pretty sure back around though although however also
    may might must shall would could should let lets say says said tell told ask asked
    look looks looking find found give gave keep kept put set try tried etc via per
    different interesting simple talk talking question questions topic topics information
    step steps example examples possible
    monday tuesday wednesday thursday friday saturday sunday
    four five six seven eight nine ten second start starts started concern concerns arrive
    avoid hesitate below above attached early late quick quickly best better
    """
)
FILLER_WORDS: dict[str, frozenset[str]] = {"fr": FILLER_WORDS_FR, "en": FILLER_WORDS_EN}
# Pieces of web addresses name no theme in any language ("com · http · stackexchange").
WEB_WORDS: frozenset[str] = _word_set("http https www com org net html htm php fr de io")
# Texts in neither French nor English get no stemming, but the function words of German, the
# other language of the shared evaluation data, are known ("wir · sie · dann" named a theme).
FUNCTION_WORDS_DE: frozenset[str] = _word_set(
    """
    der die das den dem des ein eine einen einem einer eines und oder aber doch sondern denn
    ich du er sie es wir ihr mich dich sich uns euch mir dir ihm ihn ihnen mein meine dein
    deine sein seine unser unsere euer ihre man ist bin bist sind seid war waren wäre wären
    sei hat habe hast haben hatte hatten hätte hätten wird werden wurde wurden würde würden
    kann kannst können konnte könnte muss müssen musste sollte sollten soll will wollen darf
    nicht kein keine keinen noch schon auch nur sehr so wie als wenn dann da dass daß ob weil
    mit von zu zum zur bei nach aus vor über unter für gegen ohne um an am im in ins auf bis
    durch hier dort dies diese dieser dieses diesem diesen jetzt ja nein mal eben etwa also
    was wer wo warum wieso weshalb welche welcher welches alle alles mehr viel viele einfach
    gibt gut immer wieder eigentlich vielleicht natürlich bitte danke dank
    """
)


def is_filler(word: str, lang: str | None = None) -> bool:
    """True when ``word`` names no subject: a stop word or a filler word of ``lang`` (both
    languages when it is neither French nor English), a single letter or a number, or a
    hyphenated word made only of these ("est-ce", "peut-être")."""
    known = _FUNCTION_WORDS.get(lang or "", _FUNCTION_WORDS["unknown"])
    lowered = normalise_text(word)
    if lowered in known:
        return True
    parts = [part for part in re.split(r"[-']", lowered) if part]
    return bool(parts) and all(p in known or len(p) <= 1 or p.isdigit() for p in parts)


_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "fr": STOP_WORDS_FR | FILLER_WORDS_FR | WEB_WORDS,
    "en": STOP_WORDS_EN | FILLER_WORDS_EN | WEB_WORDS,
    "unknown": STOP_WORDS_FR
    | STOP_WORDS_EN
    | FILLER_WORDS_FR
    | FILLER_WORDS_EN
    | WEB_WORDS
    | FUNCTION_WORDS_DE,
}
_SNOWBALL_NAMES = {"fr": "french", "en": "english"}


def normalise_text(text: str) -> str:
    """NFC, typographic apostrophes made plain, lower case."""
    return unicodedata.normalize("NFC", text).translate(_APOSTROPHES).lower()


def words(text: str) -> list[str]:
    """Lower-cased words of ``text``, elisions split, punctuation dropped."""
    return _WORD.findall(normalise_text(text))


def strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _identifiers() -> tuple[Any, Any]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    restricted = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    restricted.set_languages(list(SUPPORTED_LANGUAGES))
    full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return restricted, full


def detect_language(text: str | None) -> Language:
    """``"fr"``, ``"en"`` or ``"unknown"`` (too short, another language, or unsure).

    py3langid is asked twice: restricted to French and English, the winner must reach
    MIN_LANGUAGE_CONFIDENCE; unrestricted, no other language may beat it by FOREIGN_MARGIN
    (so German is not called English just because it is closer to English than French).
    """
    if not text or len(_LETTER.findall(text)) < MIN_LETTERS_FOR_LANGUAGE:
        return "unknown"
    restricted, full = _identifiers()
    language, confidence = restricted.classify(text)
    if confidence < MIN_LANGUAGE_CONFIDENCE:
        return "unknown"
    ranking = dict(full.rank(text))
    best_other = max(p for lang, p in ranking.items() if lang not in SUPPORTED_LANGUAGES)
    if best_other - ranking.get(language, 0.0) > FOREIGN_MARGIN:
        return "unknown"
    return "fr" if language == "fr" else "en"


def detect_languages(texts: Iterable[str | None]) -> list[Language]:
    return [detect_language(text) for text in texts]


def majority_language(texts: Iterable[str | None], sample: int = 200) -> Language:
    """The language of most of the first ``sample`` texts that have one, else unknown."""
    counts = {"fr": 0, "en": 0}
    for index, text in enumerate(texts):
        if index >= sample:
            break
        language = detect_language(text)
        if language != "unknown":
            counts[language] += 1
    if not any(counts.values()):
        return "unknown"
    return "fr" if counts["fr"] >= counts["en"] else "en"


@lru_cache(maxsize=4)
def _stemmer(lang: str) -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(_SNOWBALL_NAMES[lang])


def stem_words(tokens: list[str], lang: str) -> list[str]:
    if lang not in _SNOWBALL_NAMES:
        return tokens
    return list(_stemmer(lang).stemWords(tokens))


def tokenize(text: str, lang: str | None = None) -> list[str]:
    """Index terms of ``text``: lower-cased words, stop words removed, Snowball stems.

    ``lang`` is "fr" or "en"; None means detect it. For an unknown language both stop-word
    lists apply and words are not stemmed (a wrong stemmer hurts more than none).
    Single characters and pure numbers of one or two digits are dropped.
    """
    if not text:
        return []
    language = lang if lang in SUPPORTED_LANGUAGES else None
    if lang is None:
        detected = detect_language(text)
        language = None if detected == "unknown" else detected
    stop = STOP_WORDS[language] if language else STOP_WORDS_FR | STOP_WORDS_EN
    kept = [
        w for w in words(text) if w not in stop and len(w) > 1 and not (w.isdigit() and len(w) <= 2)
    ]
    return stem_words(kept, language) if language else kept


@lru_cache(maxsize=200_000)
def lemma(word: str, lang: str) -> str:
    """The dictionary form of ``word`` (simplemma), or the word itself when unknown."""
    if lang not in SUPPORTED_LANGUAGES:
        return word
    import simplemma

    return str(simplemma.lemmatize(word, lang=lang))


def lemmas(text: str, lang: str) -> list[str]:
    return [lemma(w, lang) for w in words(text)]


# Negators, for the sentiment features: a French negation is "ne … pas/jamais/rien/plus…";
# the "ne" is often dropped in speech ("c'est pas terrible"), so the second part counts.
NEGATORS: dict[str, frozenset[str]] = {
    "fr": frozenset({"pas", "jamais", "rien", "aucun", "aucune", "nullement", "guère", "ni"}),
    "en": frozenset(
        {"not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "without"}
    ),
}
# How many words after a negator are read as negated ("pas du tout drôle" reaches "drôle").
NEGATION_SCOPE = 3


def mark_negations(tokens: list[str], lang: str) -> list[str]:
    """Prefix the words that follow a negator with ``NOT_`` (Das & Chen's negation tagging).

    Punctuation is gone by then, so the scope is a fixed number of words; English "n't"
    arrives as a separate "t" after the words() split and counts as a negator.
    """
    negators = NEGATORS.get(lang, NEGATORS["fr"] | NEGATORS["en"])
    marked: list[str] = []
    remaining = 0
    for index, token in enumerate(tokens):
        is_negator = token in negators or (
            token == "t" and index > 0 and tokens[index - 1].endswith("n")
        )
        if is_negator:
            marked.append(token)
            remaining = NEGATION_SCOPE
        elif remaining:
            marked.append("NOT_" + token)
            remaining -= 1
        else:
            marked.append(token)
    return marked
