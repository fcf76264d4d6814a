"""A synthetic contract dataset of N events (default 10 M) for the insights benchmarks.

Seeded and vectorised (NumPy + Polars): a Zipf-like activity per person, departments, sites,
partners and guests, hub spaces with sub-spaces, topics, content with short French and
English texts (posts, questions, comments, answers, polls) and every verb in realistic
proportions (reading dominates, then reactions, then writing). Content-related events point
at content written before them, so threads, replies and accepted answers are consistent.

The four tables are cached as Parquet under ``benchmarks/out/events-<N>-seed<S>/`` and
reused on the next run.

    .venv/bin/python benchmarks/generate_events.py --events 1000000
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from rucher.insights.contract import Dataset

OUT = Path(__file__).resolve().parent / "out"
END = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 365
ZIPF_EXPONENT = 1.1

# Share of each verb among all events: consumption first, then light gestures, then writing.
VERB_SHARES: dict[str, float] = {
    "viewed": 0.38,
    "logged_in": 0.09,
    "searched": 0.03,
    "reacted": 0.15,
    "posted": 0.03,
    "asked": 0.012,
    "commented": 0.09,
    "answered": 0.02,
    "accepted_answer": 0.004,
    "mentioned": 0.03,
    "shared": 0.01,
    "followed": 0.012,
    "unfollowed": 0.002,
    "voted": 0.02,
    "flagged": 0.001,
    "joined_space": 0.02,
    "left_space": 0.003,
    "invited": 0.004,
    "messaged": 0.05,
    "edited": 0.01,
    "muted": 0.002,
    "created_space": 0.0005,
    "requested_to_join": 0.002,
    "unmuted": 0.0005,
    "deleted": 0.001,
    "restored": 0.0002,
}
# Verbs that need existing content to point at (their object is an earlier content item).
ON_CONTENT = (
    "viewed", "reacted", "shared", "flagged", "edited", "mentioned", "deleted", "restored",
)  # fmt: skip
# Authors edit and delete their own content; the other verbs credit the author (target).
BY_AUTHOR = ("edited", "deleted")
UNCREDITED = ("viewed", *BY_AUTHOR)
SPACE_VERBS = [
    "joined_space",
    "left_space",
    "muted",
    "unmuted",
    "created_space",
    "requested_to_join",
]
# Bump when the generated data changes, so a stale cache is not reused.
GENERATOR_VERSION = 3  # 3: content.sentiment (stored scores)
ROOT_VERBS = {"posted": "post", "asked": "question"}
REPLY_VERBS = {"commented": "comment", "answered": "answer"}
POLL_SHARE_OF_POSTS = 0.05

WORDS_FR = [
    "projet",
    "réunion",
    "équipe",
    "client",
    "livraison",
    "budget",
    "sécurité",
    "formation",
    "outil",
    "retour",
    "idée",
    "merci",
    "bravo",
    "problème",
    "solution",
    "question",
    "planning",
    "serveur",
    "données",
    "qualité",
    "atelier",
    "nouveau",
    "rapide",
    "difficile",
    "excellent",
    "lent",
    "clair",
    "bloqué",
    "prêt",
    "déploiement",
    "test",
]
WORDS_EN = [
    "project",
    "meeting",
    "team",
    "customer",
    "delivery",
    "budget",
    "security",
    "training",
    "tool",
    "feedback",
    "idea",
    "thanks",
    "great",
    "problem",
    "solution",
    "question",
    "roadmap",
    "server",
    "data",
    "quality",
    "workshop",
    "new",
    "fast",
    "hard",
    "excellent",
    "slow",
    "clear",
    "blocked",
    "ready",
    "release",
    "test",
]
TOPICS = [f"topic-{i:03d}" for i in range(200)]


def cache_dir(events: int, seed: int) -> Path:
    return OUT / f"events-{events}-seed{seed}-v{GENERATOR_VERSION}"


def _zipf_weights(rng: np.random.Generator, n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** ZIPF_EXPONENT
    rng.shuffle(weights)
    return weights / weights.sum()


def _texts(rng: np.random.Generator, pool: int = 5000) -> tuple[list[str], list[str]]:
    """A pool of short texts (4 to 14 words), two thirds French, one third English."""
    texts, langs = [], []
    for _ in range(pool):
        french = rng.random() < 2 / 3
        vocabulary = WORDS_FR if french else WORDS_EN
        size = int(rng.integers(4, 15))
        texts.append(" ".join(vocabulary[i] for i in rng.integers(0, len(vocabulary), size)))
        langs.append("fr" if french else "en")
    return texts, langs


def _earlier(rng: np.random.Generator, times: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """For each time, the index of a candidate created strictly before it (recent ones more
    likely), or -1 when there is none."""
    before = np.searchsorted(candidates, times, side="left")
    pick = np.floor(before * rng.random(times.size) ** 0.3).astype(np.int64)
    pick = np.minimum(pick, before - 1)
    return np.where(before > 0, pick, -1)


def generate(events: int, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    n_people = int(np.clip(events // 500, 100, 50_000))
    n_departments = int(np.clip(n_people // 250, 3, 60))
    n_spaces = int(np.clip(n_people // 40, 5, 600))
    start = END.timestamp() - DAYS * 86400

    person_ids = np.arange(1, n_people + 1, dtype=np.int64)
    kinds = rng.choice(["employee", "partner", "guest"], n_people, p=[0.9, 0.07, 0.03])
    organisations = np.where(
        kinds == "employee",
        "Rucher SA",
        np.char.add("Partner ", rng.integers(1, 20, n_people).astype(str)),
    )
    joined = start - rng.exponential(200, n_people) * 86400
    # A tenth of the people arrive during the year: newcomers and cohorts to retain.
    arriving = rng.random(n_people) < 0.1
    joined = np.where(arriving, start + rng.random(n_people) * DAYS * 86400, joined)
    people = pl.DataFrame(
        {
            "person_id": person_ids,
            "display_name": [f"Person {i}" for i in person_ids],
            "department": np.char.add(
                "dept-", rng.integers(0, n_departments, n_people).astype(str)
            ),
            "site": np.char.add("site-", rng.integers(0, 8, n_people).astype(str)),
            "kind": kinds,
            "organisation": organisations,
            "joined_at": pl.from_epoch(pl.Series((joined * 1e6).astype(np.int64)), "us"),
        }
    )

    space_ids = np.arange(1, n_spaces + 1, dtype=np.int64)
    hubs = max(1, n_spaces // 5)
    parents = np.where(space_ids > hubs, rng.integers(1, hubs + 1, n_spaces), 0)
    spaces = pl.DataFrame(
        {
            "space_id": space_ids,
            "name": [f"Space {i}" for i in space_ids],
            "kind": rng.choice(["internal", "partner"], n_spaces, p=[0.85, 0.15]),
            "visibility": rng.choice(["open", "private", "secret"], n_spaces, p=[0.7, 0.25, 0.05]),
            "parent_id": pl.Series(parents).replace(0, None),
            "created_at": pl.from_epoch(
                pl.Series(np.full(n_spaces, int(start - 86400 * 400))), "s"
            ),
        }
    )
    space_weights = _zipf_weights(rng, n_spaces)
    # Each person has a home department-like affinity: most of their activity is in 3 spaces.
    home_spaces = rng.choice(n_spaces, (n_people, 3), p=space_weights)

    # --- events: time, actor, verb ---------------------------------------------------------
    seconds = start + np.sort(rng.random(events)) * DAYS * 86400
    person_weights = _zipf_weights(rng, n_people)
    actor_index = rng.choice(n_people, events, p=person_weights)
    verb_names = np.array(list(VERB_SHARES))
    shares = np.array(list(VERB_SHARES.values()))
    verb_index = rng.choice(verb_names.size, events, p=shares / shares.sum())
    verbs = verb_names[verb_index]
    space_index = home_spaces[actor_index, rng.integers(0, 3, events)]
    roaming = rng.random(events) < 0.2
    space_index = np.where(roaming, rng.choice(n_spaces, events, p=space_weights), space_index)

    is_root = np.isin(verbs, list(ROOT_VERBS))
    is_reply = np.isin(verbs, list(REPLY_VERBS))
    root_positions = np.flatnonzero(is_root)
    reply_positions = np.flatnonzero(is_reply)
    reply_root = _earlier(rng, seconds[reply_positions], seconds[root_positions])
    # A reply before any root becomes a post itself.
    orphan = reply_root < 0
    verbs[reply_positions[orphan]] = "posted"
    is_root[reply_positions[orphan]] = True
    root_positions = np.flatnonzero(is_root)
    reply_positions = reply_positions[~orphan]
    reply_root = _earlier(rng, seconds[reply_positions], seconds[root_positions])
    content_positions = np.sort(np.concatenate([root_positions, reply_positions]))
    n_content = content_positions.size
    content_ids = np.arange(1, n_content + 1, dtype=np.int64)
    content_of_event = np.full(events, -1, dtype=np.int64)
    content_of_event[content_positions] = np.arange(n_content)
    root_content = content_of_event[root_positions]

    content_kind = np.empty(n_content, dtype=object)
    content_kind[:] = "comment"
    content_kind[content_of_event[root_positions]] = np.where(
        verbs[root_positions] == "asked", "question", "post"
    )
    polls = content_of_event[root_positions][
        (verbs[root_positions] == "posted")
        & (rng.random(root_positions.size) < POLL_SHARE_OF_POSTS)
    ]
    content_kind[polls] = "poll"
    reply_content = content_of_event[reply_positions]
    parent_content = root_content[reply_root]
    answer_to_question = (verbs[reply_positions] == "answered") & (
        content_kind[parent_content] == "question"
    )
    content_kind[reply_content] = np.where(answer_to_question, "answer", "comment")
    verbs[reply_positions] = np.where(answer_to_question, "answered", "commented")
    verbs[root_positions] = np.where(content_kind[root_content] == "question", "asked", "posted")

    content_author = person_ids[actor_index[content_positions]]
    content_space = space_index[content_positions].copy()
    content_parent = np.full(n_content, -1, dtype=np.int64)
    content_parent[reply_content] = parent_content
    content_root = np.arange(n_content)
    content_root[reply_content] = parent_content
    content_space[reply_content] = content_space[parent_content]
    space_index[content_positions] = content_space

    topic_weights = _zipf_weights(rng, len(TOPICS))
    first_topic = rng.choice(len(TOPICS), n_content, p=topic_weights)
    second_topic = rng.choice(len(TOPICS), n_content, p=topic_weights)
    has_second = rng.random(n_content) < 0.3
    texts, langs = _texts(rng)
    text_index = rng.integers(0, len(texts), n_content)

    target_index = np.full(events, -1, dtype=np.int64)  # person index acted upon
    object_content = np.full(events, -1, dtype=np.int64)
    object_content[content_positions] = np.arange(n_content)
    author_index = actor_index[content_positions]
    target_index[reply_positions] = author_index[parent_content]

    on_content = np.flatnonzero(np.isin(verbs, ON_CONTENT))
    pointed = _earlier(rng, seconds[on_content], seconds[content_positions])
    known = pointed >= 0
    verbs[on_content[~known]] = "logged_in"
    on_content, pointed = on_content[known], pointed[known]
    object_content[on_content] = pointed
    space_index[on_content] = content_space[pointed]
    credited = ~np.isin(verbs[on_content], UNCREDITED)
    target_index[on_content[credited]] = author_index[pointed[credited]]
    by_author = np.isin(verbs[on_content], BY_AUTHOR)
    actor_index[on_content[by_author]] = author_index[pointed[by_author]]

    answers = np.flatnonzero(content_kind == "answer")
    accept_positions = np.flatnonzero(verbs == "accepted_answer")
    accepted_answer = _earlier(rng, seconds[accept_positions], seconds[content_positions[answers]])
    valid = accepted_answer >= 0
    verbs[accept_positions[~valid]] = "logged_in"
    accept_positions, accepted_answer = accept_positions[valid], answers[accepted_answer[valid]]
    # The asker accepts: one accepted answer per question at most.
    _, first = np.unique(content_root[accepted_answer], return_index=True)
    keep = np.zeros(accept_positions.size, dtype=bool)
    keep[first] = True
    verbs[accept_positions[~keep]] = "reacted"
    object_content[accept_positions[~keep]] = accepted_answer[~keep]
    target_index[accept_positions[~keep]] = author_index[accepted_answer[~keep]]
    accept_positions, accepted_answer = accept_positions[keep], accepted_answer[keep]
    actor_index[accept_positions] = author_index[content_root[accepted_answer]]
    object_content[accept_positions] = accepted_answer
    target_index[accept_positions] = author_index[accepted_answer]
    space_index[accept_positions] = content_space[accepted_answer]
    accepted = np.zeros(n_content, dtype=bool)
    accepted[accepted_answer] = True

    poll_votes = np.flatnonzero(verbs == "voted")
    poll_times = seconds[content_positions[polls]] if polls.size else np.array([])
    voted_poll = _earlier(rng, seconds[poll_votes], poll_times)
    valid = voted_poll >= 0
    verbs[poll_votes[~valid]] = "viewed"
    poll_votes = poll_votes[valid]
    object_content[poll_votes] = polls[voted_poll[valid]]
    space_index[poll_votes] = content_space[polls[voted_poll[valid]]]
    values = np.full(events, np.nan)
    values[poll_votes] = np.clip(np.round(rng.normal(7.2, 2.2, poll_votes.size)), 0, 10)
    values[verbs == "reacted"] = 1.0

    social = np.flatnonzero(np.isin(verbs, ["followed", "unfollowed", "messaged", "invited"]))
    target_index[social] = rng.choice(n_people, social.size, p=person_weights)
    mentions = np.flatnonzero(verbs == "mentioned")
    target_index[mentions] = rng.choice(n_people, mentions.size, p=person_weights)
    no_space = np.isin(verbs, ["logged_in", "searched", "followed", "unfollowed", "messaged"])

    # 0: no object, 1: content, 2: person, 3: space, 4: poll (an NPS answer's object).
    object_code = np.where(object_content >= 0, 1, 0)
    object_code[poll_votes] = 4
    object_code[np.isin(verbs, ["followed", "unfollowed", "messaged", "invited"])] = 2
    object_code[np.isin(verbs, SPACE_VERBS)] = 3
    object_id = np.select(
        [(object_code == 1) | (object_code == 4), object_code == 2, object_code == 3],
        [
            content_ids[np.maximum(object_content, 0)],
            person_ids[np.maximum(target_index, 0)],
            space_ids[space_index],
        ],
        -1,
    )
    object_type = pl.Series(object_code).replace_strict(
        {0: None, 1: "content", 2: "person", 3: "space", 4: "poll"}, return_dtype=pl.Utf8
    )

    at = pl.from_epoch(pl.Series((seconds * 1e6).astype(np.int64)), "us").dt.replace_time_zone(
        "UTC"
    )
    events_frame = pl.DataFrame(
        {
            "event_id": np.arange(1, events + 1, dtype=np.int64),
            "at": at,
            "actor_id": person_ids[actor_index],
            "verb": verbs.astype(str),
            "object_type": object_type,
            "object_id": pl.Series(object_id).replace(-1, None),
            "space_id": pl.Series(np.where(no_space, -1, space_ids[space_index])).replace(-1, None),
            "target_id": pl.Series(
                np.where(target_index >= 0, person_ids[np.maximum(target_index, 0)], -1)
            ).replace(-1, None),
            "value": pl.Series(values).fill_nan(None),
        }
    )
    text_series = pl.Series(texts)
    lang_series = pl.Series(langs)
    topics = (
        pl.DataFrame(
            {
                "a": np.array(TOPICS)[first_topic],
                "b": np.array(TOPICS)[second_topic],
                "two": has_second,
            }
        )
        .select(
            pl.when(pl.col("two"))
            .then(pl.concat_list("a", "b"))
            .otherwise(pl.concat_list("a"))
            .list.unique()
        )
        .to_series()
    )
    content = pl.DataFrame(
        {
            "content_id": content_ids,
            "kind": content_kind.astype(str),
            "author_id": content_author,
            "space_id": space_ids[content_space],
            "parent_id": pl.Series(
                np.where(content_parent >= 0, content_ids[np.maximum(content_parent, 0)], -1)
            ).replace(-1, None),
            "root_id": content_ids[content_root],
            "created_at": at.gather(content_positions),
            "text": text_series.gather(text_index),
            "lang": lang_series.gather(text_index),
            "topics": topics,
            "accepted": accepted,
            # The stored per-item sentiment (``rucher.sentiment``): one score per distinct
            # text, from its own generator so the other draws are unchanged.
            "sentiment": np.random.default_rng(seed + 1)
            .uniform(-1.0, 1.0, len(texts))[text_index]
            .round(3),
        }
    ).with_columns(pl.when(pl.col("kind") == "answer").then(pl.col("accepted")).alias("accepted"))
    return Dataset(people=people, spaces=spaces, content=content, events=events_frame)


def load_or_generate(events: int, seed: int = 0, quiet: bool = False) -> tuple[Dataset, Path]:
    """The cached dataset of ``events`` events, generated and written on first use."""
    directory = cache_dir(events, seed)
    if (directory / "events.parquet").exists():
        return Dataset.read(directory), directory
    began = time.perf_counter()
    dataset = generate(events, seed)
    dataset.write(directory)
    if not quiet:
        print(
            f"generated {events:,} events in {time.perf_counter() - began:.1f} s -> {directory}",
            file=sys.stderr,
        )
    return dataset, directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.events < 1000:
        parser.error("--events must be at least 1000")
    dataset, directory = load_or_generate(args.events, args.seed)
    for table, frame in dataset.frames().items():
        print(f"{table}: {frame.height:,} rows")
    print(directory)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
