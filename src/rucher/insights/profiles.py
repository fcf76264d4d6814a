"""Motivation profiles: enthusiasts, show-offs, the shy, the indifferent, the blasé, the others.

Each member gets one profile from an explainable, ordered rule on features computed over a
reference period (default the 28 days before ``as_of``) and the period before it. The
thresholds are quantiles of the community itself, so the same rule fits a busy intranet and
a quiet partner space alike. See docs/insights.md.

Privacy by design: an individual profile is returned only by ``my_profile`` (the member looks
at themself). Community managers get ``profile_sizes``: counts per group, only for groups of
at least ``min_group_size`` people (never below MIN_GROUP_SIZE), with small cells suppressed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import polars as pl

from rucher.insights.contract import CONTRIBUTION_VERBS, Dataset
from rucher.insights.results import MIN_GROUP_SIZE, Result, not_enough_data

PROFILES: tuple[str, ...] = ("enthusiast", "show_off", "shy", "indifferent", "blase", "other")

# Written contributions: the contract's contribution verbs plus direct messages of imported
# datasets (writing a message is writing).
DEFAULT_WRITE_VERBS: frozenset[str] = CONTRIBUTION_VERBS | {"messaged"}
DEFAULT_REPLY_VERBS: frozenset[str] = frozenset({"commented", "answered", "messaged"})
DEFAULT_REACTION_VERBS: frozenset[str] = frozenset({"reacted", "accepted_answer"})
DEFAULT_READ_VERBS: frozenset[str] = frozenset({"viewed"})

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

GroupBy = Literal["space", "department"]


@dataclass(frozen=True)
class ProfileParameters:
    """Every threshold of the profile rules; the defaults are documented in the doc file."""

    period_days: int = 28
    min_tenure_days: int = 28
    high_quantile: float = 0.75
    blase_drop: float = 0.5
    give_receive_balance: float = 0.5
    min_return_days: int = 2
    shy_write_share: float = 0.25
    write_verbs: frozenset[str] = DEFAULT_WRITE_VERBS
    reply_verbs: frozenset[str] = DEFAULT_REPLY_VERBS
    reaction_verbs: frozenset[str] = DEFAULT_REACTION_VERBS
    read_verbs: frozenset[str] = DEFAULT_READ_VERBS

    def __post_init__(self) -> None:
        if self.period_days < 1 or self.min_tenure_days < 0 or self.min_return_days < 1:
            raise ValueError("period_days and min_return_days must be >= 1, tenure >= 0")
        if not 0.5 < self.high_quantile < 1.0 or not 0.0 <= self.shy_write_share < 1.0:
            raise ValueError("high_quantile must be in (0.5, 1), shy_write_share in [0, 1)")
        if not 0.0 < self.blase_drop < 1.0 or self.give_receive_balance <= 0:
            raise ValueError("blase_drop must be in (0, 1), give_receive_balance > 0")

    def as_dict(self) -> dict[str, Any]:
        return {k: sorted(v) if isinstance(v, frozenset) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Advice:
    """One piece of animation advice, in French and English, with a stable id."""

    advice_id: str
    fr: str
    en: str


# French community-management practice: welcome and reassure the shy, give the show-offs a
# role that serves others, rekindle the blasé with responsibility, do not chase the
# indifferent, recognise the enthusiasts before they burn out.
PROFILE_ADVICE: dict[str, Advice] = {
    "enthusiast": Advice(
        "profile.enthusiast.recognise",
        "Valorisez ces moteurs : remerciez-les publiquement, proposez-leur un rôle "
        "d'ambassadeur ou de co-animateur, et veillez à ce qu'ils ne s'épuisent pas.",
        "Recognise these drivers: thank them publicly, offer them an ambassador or "
        "co-host role, and watch that they do not burn out.",
    ),
    "show_off": Advice(
        "profile.show_off.channel",
        "Canalisez leur énergie au service des autres : confiez-leur des réponses aux "
        "questions en attente ou l'accueil des nouveaux, et rappelez la charte d'échange.",
        "Channel their energy towards others: ask them to answer waiting questions or "
        "welcome newcomers, and recall the community's give-and-take charter.",
    ),
    "shy": Advice(
        "profile.shy.encourage",
        "Facilitez une première prise de parole : sollicitez-les en privé sur leur "
        "expertise, proposez des gestes simples (réagir, voter, répondre à un sondage) et "
        "remerciez leur première contribution.",
        "Make a first step easy: ask them privately about their expertise, suggest light "
        "gestures (react, vote, answer a poll) and thank their first contribution.",
    ),
    "indifferent": Advice(
        "profile.indifferent.inform",
        "Ne les relancez pas en masse : montrez-leur ce que la communauté apporte à leur "
        "métier (un digest ciblé, un cas concret) et respectez leur choix.",
        "Do not chase them in bulk: show what the community brings to their job (a targeted "
        "digest, a concrete case) and respect their choice.",
    ),
    "blase": Advice(
        "profile.blase.rekindle",
        "Ravivez leur intérêt : demandez-leur ce qui a changé, confiez-leur une "
        "responsabilité nouvelle (mentorat, sujet à piloter) et renouvelez les formats.",
        "Rekindle their interest: ask what changed, give them a new responsibility "
        "(mentoring, a topic to lead) and refresh the formats.",
    ),
    "other": Advice(
        "profile.other.sustain",
        "Entretenez la participation régulière : contenus utiles, questions ouvertes, "
        "et reconnaissance des contributions.",
        "Sustain regular participation: useful content, open questions and recognition "
        "of contributions.",
    ),
}


@dataclass(frozen=True)
class ProfileWindow:
    """The reference period [start, as_of) and the previous one [previous_start, start)."""

    as_of: datetime
    start: datetime
    previous_start: datetime


def reference_time(dataset: Dataset) -> datetime | None:
    """The end of the data: the last event, else the last content; None when both are empty."""
    candidates = [
        dataset.events.get_column("at").max(),
        dataset.content.get_column("created_at").max(),
    ]
    present = [c for c in candidates if isinstance(c, datetime)]
    # Half-open windows end at as_of: step one microsecond past the last record.
    return max(present) + timedelta(microseconds=1) if present else None


def window(as_of: datetime, period_days: int) -> ProfileWindow:
    period = timedelta(days=period_days)
    return ProfileWindow(as_of, as_of - period, as_of - 2 * period)


def members(dataset: Dataset, as_of: datetime) -> pl.DataFrame:
    """person_id, department, registered_at: the people table, else everyone in the events.

    ``registered_at`` is ``joined_at`` when known, else the person's first appearance in the
    events (as actor or target). People who left before ``as_of`` are excluded.
    """
    # Lazy, so that only the three columns read are ever filtered (not every event column).
    events = dataset.events.lazy().filter(pl.col("at") < as_of)
    seen = pl.concat(
        [
            events.select(pl.col("actor_id").alias("person_id"), "at"),
            events.filter(pl.col("target_id").is_not_null()).select(
                pl.col("target_id").alias("person_id"), "at"
            ),
        ]
    )
    first_seen = seen.group_by("person_id").agg(pl.col("at").min().alias("first_seen"))
    people = dataset.people.lazy()
    if dataset.people.height == 0:
        base = first_seen.select(
            "person_id",
            pl.lit(None, dtype=pl.Utf8).alias("department"),
            pl.col("first_seen").alias("registered_at"),
        )
    else:
        base = (
            people.filter(pl.col("left_at").is_null() | (pl.col("left_at") >= as_of))
            .join(first_seen, on="person_id", how="left", maintain_order="left")
            .select(
                "person_id",
                "department",
                pl.coalesce("joined_at", "first_seen").alias("registered_at"),
            )
        )
    return base.filter(
        pl.col("registered_at").is_null() | (pl.col("registered_at") < as_of)
    ).collect()


def member_features(
    dataset: Dataset,
    as_of: datetime | None = None,
    parameters: ProfileParameters | None = None,
) -> pl.DataFrame:
    """One row per member with the features the profile rules read (all counts, no nulls
    except ``days_since_last_activity`` for people never active and ``trend``)."""
    params = parameters or ProfileParameters()
    # No record at all: any instant gives the same empty frame with the full schema.
    as_of = as_of or reference_time(dataset) or EPOCH
    win = window(as_of, params.period_days)
    base = members(dataset, as_of)
    events = dataset.events.lazy().filter(pl.col("at") < as_of)
    current = events.filter(pl.col("at") >= win.start)
    previous = events.filter((pl.col("at") >= win.previous_start) & (pl.col("at") < win.start))
    to_other = pl.col("target_id").is_not_null() & (pl.col("target_id") != pl.col("actor_id"))
    is_write = pl.col("verb").is_in(list(params.write_verbs))
    given = current.group_by(pl.col("actor_id").alias("person_id")).agg(
        pl.col("at").dt.date().n_unique().alias("active_days"),
        pl.len().alias("actions"),
        is_write.sum().alias("contributions"),
        pl.col("at").dt.date().filter(is_write).n_unique().alias("writing_days"),
        pl.col("verb").is_in(list(params.read_verbs)).sum().alias("reads"),
        (pl.col("verb").is_in(list(params.reply_verbs)) & to_other).sum().alias("replies_given"),
        (pl.col("verb").is_in(list(params.reaction_verbs)) & to_other)
        .sum()
        .alias("reactions_given"),
        pl.col("space_id")
        .filter(is_write & pl.col("space_id").is_not_null())
        .n_unique()
        .alias("breadth"),
    )
    received = (
        current.filter(to_other)
        .group_by(pl.col("target_id").alias("person_id"))
        .agg(
            pl.col("verb").is_in(list(params.reply_verbs)).sum().alias("replies_received"),
            pl.col("verb").is_in(list(params.reaction_verbs)).sum().alias("reactions_received"),
        )
    )
    before = previous.group_by(pl.col("actor_id").alias("person_id")).agg(
        pl.col("at").dt.date().n_unique().alias("previous_active_days"),
        is_write.sum().alias("previous_contributions"),
    )
    last = events.group_by(pl.col("actor_id").alias("person_id")).agg(
        pl.col("at").max().alias("last_activity_at")
    )
    counts = [
        "active_days",
        "actions",
        "contributions",
        "writing_days",
        "reads",
        "replies_given",
        "reactions_given",
        "breadth",
        "replies_received",
        "reactions_received",
        "previous_active_days",
        "previous_contributions",
    ]
    frame = (
        base.lazy()
        .join(given, on="person_id", how="left")
        .join(received, on="person_id", how="left")
        .join(before, on="person_id", how="left")
        .join(last, on="person_id", how="left")
        .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
        .with_columns(
            ((as_of - pl.col("registered_at")).dt.total_hours() / 24.0)
            .fill_null(0.0)
            .alias("tenure_days"),
            ((as_of - pl.col("last_activity_at")).dt.total_hours() / 24.0).alias(
                "days_since_last_activity"
            ),
            (pl.col("replies_given") + pl.col("reactions_given")).alias("attention_given"),
            (pl.col("replies_received") + pl.col("reactions_received")).alias("attention_received"),
            pl.when(pl.col("breadth") > 0)
            .then(pl.col("contributions") / pl.col("breadth"))
            .otherwise(None)
            .alias("depth"),
            pl.when(pl.col("previous_active_days") > 0)
            .then(pl.col("active_days") / pl.col("previous_active_days"))
            .otherwise(None)
            .alias("trend"),
        )
        .sort("person_id")
        .collect()
    )
    return frame


@dataclass(frozen=True)
class Thresholds:
    """The community quantiles the rules compare each member with."""

    high_active_days: float
    median_active_days: float
    high_contributions: float
    median_contributions: float
    median_previous_active_days: float
    active_members: int
    contributors: int


def community_thresholds(features: pl.DataFrame, params: ProfileParameters) -> Thresholds:
    """Quantiles over the members active in the period (activity) and over the members who
    wrote at least once (contributions); 0 when nobody qualifies."""

    def quantile(column: str, where: pl.Expr, q: float) -> float:
        values = features.filter(where).get_column(column)
        if values.len() == 0:
            return 0.0
        result = values.quantile(q, interpolation="linear")
        return float(result) if result is not None else 0.0

    active = pl.col("active_days") > 0
    writers = pl.col("contributions") > 0
    was_active = pl.col("previous_active_days") > 0
    return Thresholds(
        high_active_days=quantile("active_days", active, params.high_quantile),
        median_active_days=quantile("active_days", active, 0.5),
        high_contributions=quantile("contributions", writers, params.high_quantile),
        median_contributions=quantile("contributions", writers, 0.5),
        median_previous_active_days=quantile("previous_active_days", was_active, 0.5),
        active_members=int(features.filter(active).height) if features.height else 0,
        contributors=int(features.filter(writers).height) if features.height else 0,
    )


def classify(
    features: pl.DataFrame, parameters: ProfileParameters | None = None
) -> tuple[pl.DataFrame, Thresholds]:
    """Add ``profile`` and ``rule`` (the rule that fired, in words) to ``member_features``.

    The rules are tried in order and the first that matches wins (see the doc file).
    """
    params = parameters or ProfileParameters()
    t = community_thresholds(features, params)
    high_output = (pl.col("contributions") >= t.high_contributions) & (
        pl.col("contributions") > t.median_contributions
    )
    frequent = (pl.col("active_days") >= t.high_active_days) & (
        pl.col("active_days") > t.median_active_days
    )
    rarely_writes = (pl.col("writing_days") <= params.shy_write_share * pl.col("active_days")) & (
        pl.col("contributions") < max(t.median_contributions, 1.0)
    )
    balance = params.give_receive_balance
    new = pl.col("tenure_days") < params.min_tenure_days
    rules: list[tuple[pl.Expr, str, str]] = [
        (
            new & (pl.col("active_days") == 0),
            "other",
            f"registered {params.min_tenure_days} days ago or less and not active yet: "
            "too early to judge",
        ),
        (
            (pl.col("previous_active_days") >= max(t.median_previous_active_days, 2.0))
            & (pl.col("active_days") <= params.blase_drop * pl.col("previous_active_days")),
            "blase",
            "was a regular last period (active days >= the community median, "
            f"{t.median_previous_active_days:g}) and this period's active days fell to "
            f"{params.blase_drop:.0%} of that or less",
        ),
        (
            pl.col("active_days") == 0,
            "indifferent",
            f"no activity at all in the last {params.period_days} days although registered "
            f"for {params.min_tenure_days} days or more",
        ),
        (
            high_output & (pl.col("attention_given") < balance * pl.col("attention_received")),
            "show_off",
            f"writes a lot (contributions >= {t.high_contributions:g}, the community's "
            f"{params.high_quantile:.0%} quantile) but gives back less than {balance:g}x the "
            "replies and reactions received",
        ),
        (
            frequent
            & (pl.col("contributions") >= max(t.median_contributions, 1.0))
            & (pl.col("attention_given") >= balance * pl.col("attention_received")),
            "enthusiast",
            f"comes often (active days >= {t.high_active_days:g}, the "
            f"{params.high_quantile:.0%} quantile), writes at least the median "
            f"({t.median_contributions:g}) and gives back replies and reactions",
        ),
        (
            rarely_writes & (pl.col("active_days") >= params.min_return_days),
            "shy",
            f"comes back (active on {params.min_return_days}+ days) but wrote on at most "
            f"{params.shy_write_share:.0%} of those days and less than the community median "
            f"({t.median_contributions:g} contributions)",
        ),
    ]
    profile: Any = pl.lit("other")
    rule: Any = pl.lit("active, no distinctive pattern")
    for condition, name, words in reversed(rules):
        profile = pl.when(condition).then(pl.lit(name)).otherwise(profile)
        rule = pl.when(condition).then(pl.lit(words)).otherwise(rule)
    return features.with_columns(profile.alias("profile"), rule.alias("rule")), t


PROFILE_METHOD = (
    "Ordered rules on the member's activity over the reference period and the one before "
    "(frequency = active days, contributions, replies and reactions given vs received, "
    "trend); thresholds are quantiles of the community; first rule that matches wins."
)


def my_profile(
    dataset: Dataset,
    person_id: int,
    as_of: datetime | None = None,
    parameters: ProfileParameters | None = None,
) -> Result:
    """The member's own profile, the rule that fired, their features and the advice.

    For the member themself only: the caller must check that the viewer is ``person_id``.
    """
    params = parameters or ProfileParameters()
    features = member_features(dataset, as_of, params)
    if features.height == 0:
        return not_enough_data("my_profile", PROFILE_METHOD, 0, 1, params.as_dict())
    classified, thresholds = classify(features, params)
    row = classified.filter(pl.col("person_id") == person_id)
    if row.height == 0:
        return not_enough_data("my_profile", PROFILE_METHOD, 0, 1, params.as_dict())
    record = row.row(0, named=True)
    profile = str(record.pop("profile"))
    rule = str(record.pop("rule"))
    advice = PROFILE_ADVICE[profile]
    return Result(
        name="my_profile",
        value=profile,
        method=PROFILE_METHOD,
        parameters={**params.as_dict(), "thresholds": asdict(thresholds)},
        denominator=classified.height,
        evidence={"person_id": person_id, "rule": rule, "features": record},
        note=f"{advice.advice_id}: {advice.en}",
    )


@dataclass
class ProfileSizes:
    """Profile counts per group (space or department), each as a Result."""

    by: str
    groups: dict[Any, Result] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "groups": {str(k): r.to_dict() for k, r in self.groups.items()}}


def space_memberships(dataset: Dataset, as_of: datetime) -> pl.DataFrame:
    """(space_id, person_id): anyone with an event in the space before ``as_of``, unless
    their last join/leave event there is ``left_space``."""
    events = dataset.events.lazy().filter((pl.col("at") < as_of) & pl.col("space_id").is_not_null())
    pairs = events.select("space_id", pl.col("actor_id").alias("person_id")).unique()
    left = (
        events.filter(pl.col("verb").is_in(["joined_space", "left_space"]))
        .sort("at")
        .group_by("space_id", pl.col("actor_id").alias("person_id"))
        .agg(pl.col("verb").last().alias("last_move"))
        .filter(pl.col("last_move") == "left_space")
    )
    return pairs.join(left, on=["space_id", "person_id"], how="anti").collect()


def check_group_size(min_group_size: int) -> int:
    if min_group_size < MIN_GROUP_SIZE:
        raise ValueError(
            f"min_group_size {min_group_size} is below the privacy floor {MIN_GROUP_SIZE}"
        )
    return min_group_size


def classified_members(
    dataset: Dataset,
    as_of: datetime | None = None,
    parameters: ProfileParameters | None = None,
) -> pl.DataFrame:
    """``member_features`` with each member's ``profile`` and ``rule``: what ``profile_sizes``
    counts, computed once when several groupings are wanted (pass it as ``classified``)."""
    params = parameters or ProfileParameters()
    classified, _ = classify(member_features(dataset, as_of, params), params)
    return classified


def profile_sizes(
    dataset: Dataset,
    by: GroupBy | None = None,
    as_of: datetime | None = None,
    parameters: ProfileParameters | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    classified: pl.DataFrame | None = None,
) -> ProfileSizes:
    """Profile counts for the whole community (``by=None``), per space or per department.

    A group smaller than ``min_group_size`` gets ``not_enough_data``; inside a group, a
    profile held by 1 to ``min_group_size - 1`` people is suppressed (value None, listed in
    ``evidence['suppressed']``) so nobody can be singled out. No person id is returned.

    ``classified``: ``classified_members(dataset, as_of, parameters)`` if already computed
    (same dataset, moment and parameters), so that several groupings classify only once.
    """
    k = check_group_size(min_group_size)
    params = parameters or ProfileParameters()
    as_of = as_of or reference_time(dataset)
    if classified is None:
        classified = classified_members(dataset, as_of, params)
    label = by or "community"
    method = (
        f"{PROFILE_METHOD} Counted per {label}; groups under {k} people are not shown and "
        f"profiles held by fewer than {k} people in a group are suppressed."
    )
    if classified.height == 0 or as_of is None:
        return ProfileSizes(label, {None: not_enough_data("profile_sizes", method, 0, k)})
    assignments = classified.select("person_id", "profile", "department")
    if by == "space":
        grouped = space_memberships(dataset, as_of).join(assignments, on="person_id", how="inner")
        key = "space_id"
    elif by == "department":
        grouped, key = assignments.filter(pl.col("department").is_not_null()), "department"
    else:
        grouped, key = assignments.with_columns(pl.lit(None).alias("group")), "group"
    counts = grouped.group_by(key, "profile").agg(pl.len().alias("n"))
    totals = grouped.group_by(key).agg(pl.len().alias("size")).sort(key, nulls_last=True)
    table = {(g, p): int(n) for g, p, n in counts.select(key, "profile", "n").iter_rows()}
    sizes = ProfileSizes(label)
    for group, size in totals.iter_rows():
        name = f"profile_sizes[{label}={group}]"
        if size < k:
            sizes.groups[group] = not_enough_data(name, method, int(size), k, params.as_dict())
            continue
        value: dict[str, int | None] = {}
        suppressed = []
        for profile in PROFILES:
            n = table.get((group, profile), 0)
            if 0 < n < k:
                value[profile] = None
                suppressed.append(profile)
            else:
                value[profile] = n
        sizes.groups[group] = Result(
            name=name,
            value=value,
            method=method,
            parameters={**params.as_dict(), "min_group_size": k},
            denominator=int(size),
            evidence={"group": group, "suppressed": suppressed},
            note="; ".join(f"{p}: {PROFILE_ADVICE[p].en}" for p in PROFILES if value[p]),
        )
    return sizes
