"""Generate (once) a large organisation for the stream benchmark, and reuse it afterwards.

    .venv/bin/python benchmarks/generate_org.py --people 10000 --items 1000000 \
        [--database sqlite|postgres]

The data is synthetic contract tables (NumPy, seeded) loaded through rucher's bulk loader, so
it goes through the same code path as an import. The database is named after its size and
reused when it already holds it.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

OUT = Path(__file__).resolve().parent / "out"
START = datetime(2025, 11, 1, tzinfo=UTC)
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
WORDS = [
    "projet",
    "équipe",
    "client",
    "réunion",
    "budget",
    "planning",
    "qualité",
    "sécurité",
    "formation",
    "innovation",
    "atelier",
    "retour",
    "expérience",
    "livraison",
    "produit",
    "usine",
    "logistique",
    "achats",
    "recrutement",
    "merci",
    "bravo",
    "question",
    "idée",
    "proposition",
    "partage",
    "document",
    "suivi",
    "objectif",
    "semaine",
]


def database_url(database: str, people: int, items: int) -> str:
    if database == "postgres":
        return f"{PG_SERVER}/rucher_bench_{people}_{items}"
    return f"sqlite:///{OUT / f'org-{people}-{items}.sqlite3'}"


def synthetic_frames(people: int, items: int, seed: int = 7) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-11-01T00:00:00", "us")
    spaces = max(10, people // 50)
    person_ids = np.arange(1, people + 1)
    people_frame = pl.DataFrame(
        {
            "person_id": person_ids,
            "display_name": [f"Personne {i}" for i in person_ids],
            "department": [f"Département {i % 20}" for i in person_ids],
            "site": [("Lyon", "Nantes", "Lille")[i % 3] for i in person_ids],
            "kind": "employee",
            "organisation": "Bench SA",
            "joined_at": START,
        }
    )
    space_ids = np.arange(1, spaces + 1)
    spaces_frame = pl.DataFrame(
        {
            "space_id": space_ids,
            "name": [f"Espace {i}" for i in space_ids],
            "kind": "internal",
            "visibility": "open",
            "created_at": START,
        }
    )
    # Each person joins 5 spaces; activity is Zipf-like (a few write most).
    joins_person = np.repeat(person_ids, 5)
    joins_space = rng.integers(1, spaces + 1, size=joins_person.size)
    weights = 1.0 / np.arange(1, people + 1) ** 0.9
    authors = rng.choice(person_ids, size=items, p=weights / weights.sum())
    content_ids = np.arange(1, items + 1)
    # Items in time order; a third are roots spread over the year, each reply answers one of
    # the ~50 most recent roots before it (conversations are recent), as in a real stream.
    seconds = np.sort(rng.integers(0, 365 * 86400, size=items))
    created = start + seconds.astype("timedelta64[s]").astype("timedelta64[us]")
    is_root = rng.random(items) < 1 / 3
    is_root[0] = True
    root_positions = np.flatnonzero(is_root)
    roots_before = np.searchsorted(root_positions, np.arange(items), side="right")
    back = np.minimum(rng.geometric(1 / 50, size=items), roots_before) - 1
    parent_position = root_positions[roots_before - 1 - back]
    parents = np.where(is_root, 0, parent_position + 1)
    kinds = np.where(is_root, "post", "comment")
    root_space = rng.integers(1, spaces + 1, size=items)
    space_of = np.where(is_root, root_space, root_space[parent_position])
    word_index = rng.integers(0, len(WORDS), size=(items, 6))
    texts = [" ".join(WORDS[j] for j in row) for row in word_index]
    content_frame = pl.DataFrame(
        {
            "content_id": content_ids,
            "kind": kinds,
            "author_id": authors,
            "space_id": space_of,
            "parent_id": parents,
            "root_id": np.where(is_root, content_ids, parents),
            "created_at": pl.Series(created).dt.replace_time_zone("UTC"),
            "text": texts,
            "lang": "fr",
        }
    ).with_columns(
        pl.when(pl.col("parent_id") > 0).then(pl.col("parent_id")).alias("parent_id"),
    )
    join_events = pl.DataFrame(
        {
            "actor_id": joins_person,
            "verb": "joined_space",
            "object_type": "space",
            "object_id": joins_space,
            "space_id": joins_space,
            "at": START,
        }
    )
    write_events = pl.DataFrame(
        {
            "actor_id": authors,
            "verb": np.where(parents == 0, "posted", "commented"),
            "object_type": kinds,
            "object_id": content_ids,
            "space_id": space_of,
            "at": pl.Series(created).dt.replace_time_zone("UTC"),
        }
    )
    events = pl.concat([join_events, write_events], how="vertical_relaxed")
    events = events.with_columns(pl.int_range(1, events.height + 1).alias("event_id"))
    return {
        "people": people_frame,
        "spaces": spaces_frame,
        "content": content_frame,
        "events": events,
    }


def ensure_org(people: int, items: int, database: str) -> str:
    """Return the DATABASE_URL of a database holding this organisation, generating it once."""
    OUT.mkdir(parents=True, exist_ok=True)
    url = database_url(database, people, items)
    if database == "postgres":
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rucher.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from rucher.conversations.models import Content

    call_command("migrate", interactive=False, verbosity=0)
    have = Content.objects.count()
    if have >= items:
        print(f"reusing {url}: {have} items already there")
        return url
    if have:
        sys.exit(f"{url} holds {have} items, not {items}: remove it to regenerate")
    from rucher.bulk.loader import load_dataset
    from rucher.insights.contract import Dataset

    print(f"generating {people} people and {items} items into {url} …")
    report = load_dataset(Dataset(**synthetic_frames(people, items)), source="bench")
    print(report)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    ensure_org(args.people, args.items, args.database)


if __name__ == "__main__":
    main()
