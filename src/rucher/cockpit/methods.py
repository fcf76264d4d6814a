"""The engine's "how it was computed" texts in the reader's language.

The insights engine (no Django, no translations) describes each figure's method in English,
with its parameters written in (numbers, a verb list, a dict of weights). To translate it,
the text is cut into a **template** and its **values**: every number becomes ``{1}``,
``{2}``… in order, the parenthesised list of non-participating verbs ``{verbs}`` and a
Python dict of weights ``{d1}``, ``{d2}``…; the template is looked up in the catalogue
(``TEMPLATES`` below lists every known one for ``makemessages``) and the values are put
back. A text whose template is not in the catalogue is shown as the engine wrote it.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

_VERBS = re.compile(r"\(any verb but ([a-z_, ]+)\)")
_DICT = re.compile(r"\{['\"][^{}]*\}")
_NUMBER = re.compile(r"(?<![\w.])[0-9]+(?:\.[0-9]+)?(?![0-9A-Za-z_])")
PLACEHOLDER = re.compile(r"\{(verbs|d[0-9]+|[0-9]+)\}")


def template_of(text: str) -> tuple[str, dict[str, str]]:
    """``text`` as (template, values): ``"at least 3 posts"`` → ``("at least {1} posts",
    {"1": "3"})``."""
    values: dict[str, str] = {}

    def verbs(match: re.Match[str]) -> str:
        values["verbs"] = match.group(1)
        return "(any verb but {verbs})"

    def mapping(match: re.Match[str]) -> str:
        key = f"d{sum(k.startswith('d') for k in values) + 1}"
        values[key] = match.group(0)
        return "{" + key + "}"

    def number(match: re.Match[str]) -> str:
        key = str(sum(k.isdigit() for k in values) + 1)
        values[key] = match.group(0)
        return "{" + key + "}"

    template = _VERBS.sub(verbs, text)
    template = _DICT.sub(mapping, template)
    template = _NUMBER.sub(number, template)
    return template, values


def fill(template: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def method_words(text: str) -> str:
    """The method ``text`` in the active language (unchanged when it has no translation, or
    when the translation does not carry the same placeholders)."""
    if not text:
        return text
    template, values = template_of(text)
    translated = gettext(template)
    if translated == template:
        return text
    if set(PLACEHOLDER.findall(translated)) != set(values):
        return text
    return fill(translated, values)


# Every template the engine's cockpit figures produce (see tests/cockpit/test_cockpit_methods.py).
TEMPLATES: tuple[str, ...] = (
    gettext_noop("'reacted' events in the period"),
    gettext_noop(
        "Cohorts by week of first activity; retention at week +k = members of the cohort with"
        " at least one event in the k-th calendar week after it / cohort size."
    ),
    gettext_noop(
        "Content themes: TF-IDF (sublinear term frequency, smoothed idf, L2 rows) over "
        "tokenize() terms (stop words, elisions and filler words such as 'peu', 'voir', "
        "'est-ce', 'just' removed, French/English Snowball stems by the item's language); "
        "terms in at least {1} sampled texts and at most {2}% of them (nor in over {3}% of "
        "the texts in no known language: function words); k-means (seed {4}, {5} restarts) "
        "fitted on at most {6} distinct texts, every text assigned to the nearest centre "
        "(texts with no vocabulary term to none); k = clamp(round(sqrt(n / {7})), {8}, {9}) "
        "for n distinct texts; each theme named by its {10} heaviest terms."
    ),
    gettext_noop("DAU / MAU (both averaged over the period's days)"),
    gettext_noop(
        "E-I index of each department g: E = ties with one end in g, I = ties inside g; "
        "expected under random mixing {1} - {2} * n_g / N."
    ),
    gettext_noop(
        "For departments g and h: ties between them (either direction) against the number "
        "expected under random mixing, T * {1} * p_g * p_h; and the E-I index of the two "
        "departments alone (E = ties between, I = ties inside either), expected {2} - {3} * "
        "(p_g^{4} + p_h^{5}) / (p_g + p_h)^{6}."
    ),
    gettext_noop(
        "Gini coefficient of contributions per member, zeros included: {1}·Σ i·x_(i) / (n·Σx)"
        " − (n+{2})/n, x sorted ascending ({3} = equal, (n−{4})/n = one person makes "
        "everything); evidence: the top {5} % of contributors"
    ),
    gettext_noop(
        "Krackhardt–Stern E-I index (E - I) / (E + I) over ties between people with a "
        "department: E = ties across departments, I = ties inside one. Expected under random "
        "mixing given department sizes: {1} - {2} * sum_g (n_g / N)^{3}."
    ),
    gettext_noop(
        "Lorenz curve: cumulative share of contributions against cumulative share of members "
        "sorted from least to most contributing, {1} evenly spaced points"
    ),
    gettext_noop(
        "NPS = {1} × (share of {2}–{3} answers − share of {4}–{5} answers); {6} % margin = "
        "{7} × {8} × sqrt((p+ + p− − (p+ − p−)²) / n)"
    ),
    gettext_noop(
        "Newman's modularity of the department partition on the undirected graph weighted by "
        "tie counts: Q = sum_g [ I_g / T - (d_g / 2T)^{1} ], d_g = the degree sum of g."
    ),
    gettext_noop(
        "Ordered rules on the member's activity over the reference period and the one before "
        "(frequency = active days, contributions, replies and reactions given vs received, "
        "trend); thresholds are quantiles of the community; first rule that matches wins. "
        "Counted per community; groups under {1} people are not shown and profiles held by "
        "fewer than {2} people in a group are suppressed."
    ),
    gettext_noop(
        "Spearman rank correlation between coefficient of variation of the gaps between posts"
        " (lower = more regular) and the audience, over (author, space) pairs with at least "
        "{1} posts; {2} % interval by Fisher z. Correlation is not cause: volume drives both "
        "regularity and audience, an audience can make an author regular rather than the "
        "reverse, and authors are not independent draws. Per-person rows are shown only where"
        " the member's profile settings allow it."
    ),
    gettext_noop(
        "Spearman rank correlation between number of posts (volume) and the audience, over "
        "(author, space) pairs with at least {1} posts; {2} % interval by Fisher z. "
        "Correlation is not cause: volume drives both regularity and audience, an audience "
        "can make an author regular rather than the reverse, and authors are not independent "
        "draws. Per-person rows are shown only where the member's profile settings allow it."
    ),
    gettext_noop(
        "Spearman rank correlation between number of weeks with at least one post and the "
        "audience, over (author, space) pairs with at least {1} posts; {2} % interval by "
        "Fisher z. Correlation is not cause: volume drives both regularity and audience, an "
        "audience can make an author regular rather than the reverse, and authors are not "
        "independent draws. Per-person rows are shown only where the member's profile "
        "settings allow it."
    ),
    gettext_noop(
        "Spearman rank correlation between share of the observed weeks with at least one post"
        " and the audience, over (author, space) pairs with at least {1} posts; {2} % "
        "interval by Fisher z. Correlation is not cause: volume drives both regularity and "
        "audience, an audience can make an author regular rather than the reverse, and "
        "authors are not independent draws. Per-person rows are shown only where the member's"
        " profile settings allow it."
    ),
    gettext_noop(
        "Topic-sensitive personalised PageRank over the interaction graph (edge = credit from"
        " the person who answered, commented, reacted, mentioned, shared or accepted to the "
        "person credited; verb weights {d1}), damping {1}, teleport and dangling mass "
        "proportional to each person's authored activity in the context (kind weights {d2}); "
        "influence = the credit received through interactions (d·Pᵀr, the teleport share "
        "excluded, so volume alone earns nothing), normalised so the context's top member = "
        "{2}. Reach, impact and popularity are reported beside the score, not inside it."
    ),
    gettext_noop(
        "content items written in the period (posts, questions, comments, answers, polls)"
    ),
    gettext_noop(
        "distinct people active at least once in the period; active = did at least one "
        "participating action (any verb but {verbs}) or wrote content"
    ),
    gettext_noop(
        "lurkers: {1} contributions; heavy: at least max({2}, ceil(heavy_per_week × weeks in "
        "the period)) contributions; intermittent: the others. Shares of members and of "
        "contributions per bucket; Nielsen's {3}-{4}-{5} rule ({6}) as orientation, not a "
        "target"
    ),
    gettext_noop(
        "mean over the period's days of the people active in the {1} days ending that day"
    ),
    gettext_noop(
        "mean over the period's days of the people active that day; active = did at least one"
        " participating action (any verb but {verbs}) or wrote content"
    ),
    gettext_noop(
        "median hours from a post or question of the period to its first comment or answer by"
        " someone else, over those that got one before the end"
    ),
    gettext_noop(
        "new = registered (joined_at, else first appearance) in the last {1} days; inactive ="
        " at least one event in the period before, none in this one"
    ),
    gettext_noop(
        "people first seen in the period: the earliest of joined_at, their first event as "
        "actor (any verb) and their first content; per space, their first event or content in"
        " that space. Being only a target (messaged, mentioned) is not being seen"
    ),
    gettext_noop(
        "per week bucket: distinct active people (active = did at least one participating "
        "action (any verb but {verbs}) or wrote content), people first seen, content items "
        "written, 'reacted' events"
    ),
    gettext_noop("questions_answered / questions"),
    gettext_noop(
        "roots_replied / roots: share of the period's posts and questions that got a comment "
        "or answer from someone else before the period's end"
    ),
    gettext_noop(
        "share of all contributions made by the top ceil(p % × n) members for p = {1}, {2}, {3}"
    ),
    gettext_noop(
        "smallest share of members (most contributing first) who together make {1} % and {2} "
        "% of the contributions"
    ),
    gettext_noop(
        "with a polled sample: regression estimator {1} × (ȳ_poll + b (s̄ − s̄_poll)); "
        "without: NPS of promoter/passive/detractor classes from sentiment thresholds; {2} % "
        "percentile bootstrap over people and over the polled sample"
    ),
    gettext_noop(
        "mean sentiment score in [-{1}, {2}] of the person's texts in the space or topic; a "
        "group's stance is the mean of its members' stances (each person weighs the same)"
    ),
    gettext_noop("DAU / MAU"),
)
