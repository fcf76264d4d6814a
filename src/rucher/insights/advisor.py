"""The animation advisor: every alert labelled seeding, feeding or weeding, with an action in
French and English, gathered into a weekly to-do list per space, most urgent first.

Seeding plants (new spaces, newcomers, first contributions); feeding nourishes what lives
(unanswered questions, the shy, members drifting away, spaces that are read but quiet);
weeding prunes (dead spaces to archive, duplicates to merge, overgrown spaces to split).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from rucher.insights.contract import Dataset
from rucher.insights.health import Alert, HealthParameters, HealthReport, health_report
from rucher.insights.profiles import (
    PROFILE_ADVICE,
    Advice,
    ProfileParameters,
    ProfileSizes,
    profile_sizes,
    reference_time,
)
from rucher.insights.results import MIN_GROUP_SIZE, Result, jsonable

Category = Literal["seeding", "feeding", "weeding"]


@dataclass(frozen=True)
class Playbook:
    """How the advisor treats one kind of alert: its category, its base priority (0..100,
    a magnitude of 1 adds up to 20 points) and the advice."""

    category: Category
    base_priority: int
    advice: Advice


# Base priorities: a person waiting for an answer or a welcome comes first, structural
# pruning can wait a week.
PLAYBOOKS: dict[str, Playbook] = {
    "unanswered_question": Playbook(
        "feeding",
        80,
        Advice(
            "alert.unanswered_question.route",
            "Question sans réponse : orientez-la vers un membre compétent ou répondez "
            "vous-même, puis remerciez la personne qui répond.",
            "Unanswered question: route it to someone who knows or answer it yourself, then "
            "thank whoever answers.",
        ),
    ),
    "silent_newcomer": Playbook(
        "seeding",
        70,
        Advice(
            "alert.silent_newcomer.welcome",
            "Nouveau membre sans première contribution : souhaitez-lui la bienvenue "
            "personnellement et proposez-lui une première action simple (se présenter, "
            "réagir, répondre à un sondage).",
            "Newcomer without a first contribution: welcome them personally and suggest an "
            "easy first step (introduce themselves, react, answer a poll).",
        ),
    ),
    "empty_new_space": Playbook(
        "seeding",
        65,
        Advice(
            "alert.empty_new_space.seed",
            "Nouvel espace encore vide : publiez quelques contenus d'amorce, posez une "
            "question ouverte et invitez personnellement trois ou quatre membres clés.",
            "New space still empty: publish a few seed posts, ask an open question and "
            "personally invite three or four key members.",
        ),
    ),
    "falling_retention": Playbook(
        "seeding",
        60,
        Advice(
            "alert.falling_retention.onboarding",
            "Les nouveaux reviennent moins qu'avant : revoyez l'accueil (message de "
            "bienvenue, parrainage, premiers contenus recommandés).",
            "Newcomers come back less than before: review onboarding (welcome message, "
            "buddy system, recommended first content).",
        ),
    ),
    "churn_stopped": Playbook(
        "feeding",
        55,
        Advice(
            "alert.churn_stopped.reach_out",
            "Membre actif devenu silencieux : prenez de ses nouvelles en privé, sans "
            "insister, et demandez ce qui l'aiderait à revenir.",
            "Active member gone silent: check in privately, without pressure, and ask what "
            "would help them come back.",
        ),
    ),
    "churn_dropped": Playbook(
        "feeding",
        45,
        Advice(
            "alert.churn_dropped.rekindle",
            "Activité en forte baisse : sollicitez son avis sur un sujet qui le concerne ou "
            "confiez-lui un rôle (mentorat, veille).",
            "Activity dropping sharply: ask their opinion on a topic close to them or offer "
            "a role (mentoring, curation).",
        ),
    ),
    "dormant_space_alive": Playbook(
        "feeding",
        40,
        Advice(
            "alert.dormant_space_alive.revive",
            "Espace lu mais silencieux : relancez-le avec une question, un sondage ou un "
            "résumé des échanges passés.",
            "Space read but silent: revive it with a question, a poll or a summary of past "
            "discussions.",
        ),
    ),
    "oversized_space": Playbook(
        "weeding",
        35,
        Advice(
            "alert.oversized_space.split",
            "Plus de 150 membres actifs (nombre de Dunbar) : proposez des sous-espaces par "
            "thème ou par site pour garder des échanges à taille humaine.",
            "More than 150 active members (Dunbar's number): suggest sub-spaces by topic or "
            "site to keep conversations at a human scale.",
        ),
    ),
    "duplicate_question": Playbook(
        "weeding",
        30,
        Advice(
            "alert.duplicate_question.merge",
            "Question en double : reliez-la à la discussion d'origine et fusionnez si possible.",
            "Duplicate question: link it to the original discussion and merge if possible.",
        ),
    ),
    "dormant_space": Playbook(
        "weeding",
        20,
        Advice(
            "alert.dormant_space.archive",
            "Espace sans activité : demandez à ses responsables s'il faut l'archiver ou le "
            "fusionner avec un espace voisin.",
            "Space without activity: ask its owners whether to archive it or merge it with "
            "a neighbouring space.",
        ),
    ),
}

# Profile aggregates per space become feeding items when the profile is present in a group
# big enough to show (see profiles.profile_sizes).
PROFILE_PLAYBOOKS: dict[str, tuple[Category, int]] = {
    "shy": ("feeding", 25),
    "blase": ("feeding", 25),
    "show_off": ("feeding", 15),
    "enthusiast": ("feeding", 10),
}


@dataclass(frozen=True)
class TodoItem:
    priority: float
    category: Category
    advice_id: str
    text_fr: str
    text_en: str
    kind: str
    subject_id: int | None
    facts: dict[str, Any]
    evidence: list[int]

    def to_dict(self) -> dict[str, Any]:
        # JSON conversion without the deep copy that going through ``Result.to_dict`` makes.
        converted: dict[str, Any] = jsonable(dict(self.__dict__))
        return converted


@dataclass
class SpaceTodo:
    """The items of one space (``space_id`` None: community-wide items)."""

    space_id: int | None
    name: str | None
    items: list[TodoItem] = field(default_factory=list)
    hidden: int = 0

    @property
    def top_priority(self) -> float:
        return max((i.priority for i in self.items), default=0.0)


@dataclass
class WeeklyTodo:
    as_of: datetime | None
    spaces: list[SpaceTodo]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "spaces": [
                {
                    "space_id": s.space_id,
                    "name": s.name,
                    "hidden": s.hidden,
                    "items": [i.to_dict() for i in s.items],
                }
                for s in self.spaces
            ],
        }

    def items(self) -> list[TodoItem]:
        return [item for space in self.spaces for item in space.items]


def advise(alert: Alert) -> TodoItem:
    """The to-do item for one alert: category, priority, advice in both languages."""
    playbook = PLAYBOOKS[alert.kind]
    return TodoItem(
        priority=round(playbook.base_priority + 20.0 * alert.magnitude, 2),
        category=playbook.category,
        advice_id=playbook.advice.advice_id,
        text_fr=playbook.advice.fr,
        text_en=playbook.advice.en,
        kind=alert.kind,
        subject_id=alert.subject_id,
        facts=alert.facts,
        evidence=alert.evidence,
    )


def profile_items(sizes: Result) -> list[TodoItem]:
    """Feeding items from one group's profile counts (only shown, unsuppressed counts)."""
    if not sizes.ok:
        return []
    items = []
    for profile, (category, base) in PROFILE_PLAYBOOKS.items():
        count = sizes.value.get(profile)
        if not count:
            continue
        share = count / sizes.denominator
        advice = PROFILE_ADVICE[profile]
        items.append(
            TodoItem(
                priority=round(base + 20.0 * share, 2),
                category=category,
                advice_id=advice.advice_id,
                text_fr=advice.fr,
                text_en=advice.en,
                kind=f"profile_{profile}",
                subject_id=None,
                facts={"members": count, "group_size": sizes.denominator, "share": share},
                evidence=[],
            )
        )
    return items


def weekly_todo(
    dataset: Dataset,
    managed_space_ids: Iterable[int] | None = None,
    as_of: datetime | None = None,
    health_parameters: HealthParameters | None = None,
    profile_parameters: ProfileParameters | None = None,
    max_items_per_space: int = 10,
    include_community_wide: bool | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    health: HealthReport | None = None,
    space_profiles: ProfileSizes | None = None,
) -> WeeklyTodo:
    """The week's to-do list for a manager of ``managed_space_ids`` (None: every space).

    Items are grouped by space, each group sorted by priority, groups by their most urgent
    item. Community-wide items (no space) are included when the manager manages everything,
    unless ``include_community_wide`` says otherwise. At most ``max_items_per_space`` items
    per space ("less is more"); the rest are counted in ``hidden``.

    ``health`` and ``space_profiles``: ``health_report(dataset, as_of, health_parameters)``
    and ``profile_sizes(dataset, "space", as_of, profile_parameters, min_group_size)`` when
    the caller has them already (the full report does), so they are not computed twice.
    """
    as_of = as_of or reference_time(dataset)
    managed = None if managed_space_ids is None else set(managed_space_ids)
    with_community = managed is None if include_community_wide is None else include_community_wide
    report = health if health is not None else health_report(dataset, as_of, health_parameters)
    per_space: dict[int | None, list[TodoItem]] = {}
    for alert in report.alerts:
        if alert.space_id is None and not with_community:
            continue
        if alert.space_id is not None and managed is not None and alert.space_id not in managed:
            continue
        per_space.setdefault(alert.space_id, []).append(advise(alert))
    if dataset.spaces.height:
        sizes = (
            space_profiles
            if space_profiles is not None
            else profile_sizes(dataset, "space", as_of, profile_parameters, min_group_size)
        )
        for space, result in sizes.groups.items():
            if space is None or (managed is not None and space not in managed):
                continue
            items = profile_items(result)
            if items:
                per_space.setdefault(int(space), []).extend(items)
    names = dict(dataset.spaces.select("space_id", "name").iter_rows())
    groups = []
    for space, items in per_space.items():
        items.sort(key=lambda i: (-i.priority, i.kind, i.subject_id or 0))
        shown = items[:max_items_per_space]
        groups.append(SpaceTodo(space, names.get(space), shown, len(items) - len(shown)))
    groups.sort(key=lambda g: (-g.top_priority, g.space_id is None, g.space_id or 0))
    return WeeklyTodo(as_of, groups)
