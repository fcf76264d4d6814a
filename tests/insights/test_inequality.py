from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from rucher.insights.contract import Dataset
from rucher.insights.inequality import (
    contributions_per_person,
    gini,
    inequality,
    inequality_report,
    lorenz_points,
    smallest_share_for,
    top_share,
)
from rucher.insights.periods import Period

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
COLLEGE = DATA / "collegemsg" / "CollegeMsg.txt"
START = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday
FOUR_WEEKS = Period(START, START + timedelta(weeks=4))


def mean_difference_gini(values: np.ndarray) -> float:
    """Independent definition: mean absolute difference over all pairs / (2 × mean)."""
    x = np.asarray(values, dtype=float)
    return float(np.abs(x[:, None] - x[None, :]).mean() / (2 * x.mean()))


def test_gini_by_hand() -> None:
    assert gini(np.array([3, 3, 3, 3])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 10])) == pytest.approx(0.75)  # the maximum (n - 1) / n
    assert gini(np.array([1, 2, 3, 4, 5])) == pytest.approx(40 / 150)
    with pytest.raises(ValueError):
        gini(np.array([0, 0]))


@pytest.mark.parametrize("seed", range(5))
def test_gini_matches_the_mean_difference_definition_and_the_lorenz_area(seed: int) -> None:
    counts = np.random.default_rng(seed).zipf(1.8, 300) - 1
    counts[0] += 1  # at least one contribution
    assert gini(counts) == pytest.approx(mean_difference_gini(counts))
    # With one point per person the Lorenz curve is exact: G = 1 - 2 × area under it.
    curve = np.array(lorenz_points(counts, points=counts.size + 1))
    area = np.sum(np.diff(curve[:, 0]) * (curve[1:, 1] + curve[:-1, 1]) / 2)
    assert gini(counts) == pytest.approx(1 - 2 * area, abs=1e-5)


def test_lorenz_curve_shape() -> None:
    curve = lorenz_points(np.array([0, 0, 1, 1, 8]))
    assert curve[0] == (0.0, 0.0) and curve[-1] == (1.0, 1.0)
    assert len(curve) == 101
    shares = [s for _, s in curve]
    assert shares == sorted(shares)
    assert all(s <= p + 1e-9 for p, s in curve)
    assert dict(curve)[0.4] == 0.0  # the two people with nothing
    assert dict(curve)[0.8] == pytest.approx(0.2)


def test_top_shares_and_smallest_shares_by_hand() -> None:
    counts = np.array([50, 20, 10, 5, 5, 4, 3, 2, 1, 0])  # total 100, n = 10
    assert top_share(counts, 1) == pytest.approx(0.5)  # ceil(0.1) = 1 person
    assert top_share(counts, 10) == pytest.approx(0.5)
    assert top_share(counts, 25) == pytest.approx(0.8)  # ceil(2.5) = 3 people
    assert smallest_share_for(counts, 0.5) == (0.1, 1)
    assert smallest_share_for(counts, 0.9) == (0.5, 5)  # 50+20+10+5+5
    assert smallest_share_for(counts, 0.91) == (0.6, 6)


def planted(people_table: bool = True) -> Dataset:
    """Twelve people over four weeks: heavy writer 1 (12 items), intermittent 2 to 4, five
    readers (5 to 9), 10 left before the period, 11 joins after it, 12 contributes but is
    missing from the people table."""
    people = pl.DataFrame(
        {
            "person_id": list(range(1, 12)),
            "joined_at": [START - timedelta(days=100)] * 10 + [START + timedelta(weeks=5)],
            "left_at": [None] * 9 + [START - timedelta(days=1), None],
        },
        schema={
            "person_id": pl.Int64,
            "joined_at": pl.Datetime("us", "UTC"),
            "left_at": pl.Datetime("us", "UTC"),
        },
    )
    authors = [1] * 12 + [2, 2, 3, 4, 12]
    kinds = ["post", "comment", "answer", "question"] * 3 + [
        "comment",
        "post",
        "answer",
        "comment",
        "post",
    ]
    content = pl.DataFrame(
        {
            "content_id": list(range(100, 100 + len(authors))),
            "kind": kinds,
            "author_id": authors,
            "created_at": [START + timedelta(days=i) for i in range(len(authors))],
        }
    )
    content = pl.concat(  # a poll is not a written contribution; an old post is outside
        [
            content,
            pl.DataFrame(
                {
                    "content_id": [900, 901],
                    "kind": ["poll", "post"],
                    "author_id": [5, 6],
                    "created_at": [START + timedelta(days=3), START - timedelta(days=30)],
                }
            ),
        ]
    )
    events = pl.DataFrame(
        {
            "event_id": [1, 2, 3],
            "at": [START + timedelta(days=2)] * 3,
            "actor_id": [5, 6, 7],
            "verb": ["reacted", "viewed", "viewed"],
        }
    )
    if not people_table:
        return Dataset(content=content, events=events)
    return Dataset(people=people, content=content, events=events)


def test_registered_population_with_zeros_and_outsiders() -> None:
    table, info = contributions_per_person(planted(), FOUR_WEEKS, "registered")
    counts = dict(zip(table["person_id"], table["contributions"], strict=True))
    # 1..9 are members, 10 left, 11 not yet joined; 12 wrote, so 12 is added.
    assert sorted(counts) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 12]
    assert counts[1] == 12 and counts[2] == 2 and counts[12] == 1
    assert counts[5] == 0  # a poll is not counted
    assert info["contributors_outside_population"] == 1


def test_active_population() -> None:
    table, _ = contributions_per_person(planted(), FOUR_WEEKS, "active")
    # Writers 1-4 and 12, person 5 (reacted and polled); 6 and 7 only viewed.
    assert sorted(table["person_id"]) == [1, 2, 3, 4, 5, 12]


def test_report_over_both_populations_states_the_denominator() -> None:
    report = inequality_report(planted(), FOUR_WEEKS)
    registered, active = report["registered"], report["active"]
    assert registered["gini"].denominator == {
        "population": "registered",
        "people": 10,
        "contributions": 17,
    }
    assert active["gini"].denominator["people"] == 6
    counts = np.array([12, 2, 1, 1, 1, 0, 0, 0, 0, 0])
    assert registered["gini"].value == pytest.approx(mean_difference_gini(counts))
    assert active["gini"].value == pytest.approx(mean_difference_gini(counts[:6]))
    assert registered["gini"].evidence == {"top_contributor_ids": [1]}
    assert registered["top_shares"].value["top_1%"] == pytest.approx(12 / 17)
    assert registered["top_shares"].value["top_10%"] == pytest.approx(12 / 17)
    assert registered["members_for_share"].value["50%"] == {"share_of_members": 0.1, "members": 1}
    # 90 % of 17 = 15.3: 12 + 2 + 1 + 1 = 16 needs four people.
    assert registered["members_for_share"].value["90%"] == {"share_of_members": 0.4, "members": 4}
    json.dumps({p: {k: r.to_dict() for k, r in rs.items()} for p, rs in report.items()})


def test_buckets_with_a_per_week_threshold() -> None:
    buckets = inequality(planted(), FOUR_WEEKS)["buckets"].value
    assert buckets["heavy_threshold"] == 4  # one a week over four weeks
    assert buckets["heavy"]["members"] == 1 and buckets["heavy"]["share_of_members"] == 0.1
    assert buckets["intermittent"]["members"] == 4
    assert buckets["lurkers"]["members"] == 5
    assert buckets["heavy"]["share_of_contributions"] == pytest.approx(12 / 17)
    stricter = inequality(planted(), FOUR_WEEKS, heavy_per_week=5)["buckets"].value
    assert stricter["heavy_threshold"] == 20 and stricter["heavy"]["members"] == 0
    with pytest.raises(ValueError):
        inequality(planted(), FOUR_WEEKS, heavy_per_week=0)


def test_other_verbs_can_be_counted() -> None:
    result = inequality(planted(), FOUR_WEEKS, "registered", verbs={"reacted", "viewed"})["gini"]
    counts = np.array([0, 0, 0, 0, 1, 1, 1, 0, 0])  # people 5, 6, 7 each once
    assert result.value == pytest.approx(mean_difference_gini(counts))
    assert result.parameters["contributions_source"] == "events reacted, viewed"


def test_without_a_people_table_everyone_seen_is_registered() -> None:
    table, info = contributions_per_person(planted(people_table=False), FOUR_WEEKS, "registered")
    assert sorted(table["person_id"]) == [1, 2, 3, 4, 5, 6, 7, 12]
    assert "people table empty" in info["population_source"]


def test_not_enough_data() -> None:
    empty = inequality(Dataset())
    assert all(r.status == "not_enough_data" for r in empty.values())
    silent = Period(datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 2, 1, tzinfo=UTC))
    nobody_wrote = inequality(planted(), silent)
    assert nobody_wrote["gini"].status == "not_enough_data"
    assert nobody_wrote["gini"].denominator["contributions"] == 0
    three_writers = Dataset(
        content=pl.DataFrame(
            {
                "content_id": [1, 2, 3],
                "kind": ["post"] * 3,
                "author_id": [1, 2, 2],
                "created_at": [START] * 3,
            }
        )
    )
    too_few = inequality(three_writers, FOUR_WEEKS, "active")
    assert too_few["gini"].status == "not_enough_data"
    assert too_few["gini"].note == "not enough data (n = 2 < 5)"
    assert too_few["gini"].denominator == {"population": "active", "people": 2, "contributions": 3}
    with pytest.raises(ValueError):
        inequality(planted(), FOUR_WEEKS, "everyone")  # type: ignore[arg-type]


@pytest.mark.dataset
@pytest.mark.skipif(not COLLEGE.exists(), reason=f"dataset absent: {COLLEGE}")
def test_college_messages_inequality_matches_an_independent_count() -> None:
    import pandas as pd

    raw = pd.read_csv(COLLEGE, sep=" ", header=None, names=["src", "dst", "unix_time"])
    events = pl.DataFrame(
        {
            "event_id": np.arange(len(raw)),
            "at": pd.to_datetime(raw["unix_time"], unit="s", utc=True),
            "actor_id": raw["src"],
            "verb": "messaged",
            "target_id": raw["dst"],
        }
    )
    everyone = np.union1d(raw["src"].unique(), raw["dst"].unique())
    dataset = Dataset(people=pl.DataFrame({"person_id": everyone}), events=events)
    report = inequality_report(dataset, verbs={"messaged"})
    sent = raw.groupby("src").size().reindex(everyone, fill_value=0).to_numpy()
    registered = report["registered"]
    assert registered["gini"].denominator["people"] == len(everyone) == 1899
    assert registered["gini"].value == pytest.approx(mean_difference_gini(sent))
    active = report["active"]
    senders = sent[sent > 0]
    assert active["gini"].denominator["people"] == len(senders)
    assert active["gini"].value == pytest.approx(mean_difference_gini(senders))
    # The registered figure, counting people who never sent, is the more unequal one.
    assert registered["gini"].value > active["gini"].value
    top = np.sort(sent)[::-1]
    assert registered["top_shares"].value["top_10%"] == pytest.approx(
        top[: int(np.ceil(0.1 * len(top)))].sum() / top.sum()
    )


def test_system_accounts_are_not_members() -> None:
    dataset = planted()
    system_post = pl.DataFrame(
        {
            "content_id": [990, 991],
            "kind": ["post", "answer"],
            "author_id": [-3, -3],  # an imported dump's merged "deleted user"
            "created_at": [START + timedelta(days=1)] * 2,
        }
    )
    voter = pl.DataFrame(
        {"event_id": [50], "at": [START + timedelta(days=1)], "actor_id": [-2], "verb": ["reacted"]}
    )
    polluted = Dataset(
        people=pl.concat(
            [dataset.people, dataset.people.head(1).with_columns(person_id=pl.lit(-2, pl.Int64))],
            how="diagonal_relaxed",
        ),
        content=pl.concat([dataset.content, system_post], how="diagonal_relaxed"),
        events=pl.concat([dataset.events, voter], how="diagonal_relaxed"),
    )
    for population in ("registered", "active"):
        clean = inequality(dataset, FOUR_WEEKS, population)["gini"]
        result = inequality(polluted, FOUR_WEEKS, population)["gini"]
        assert result.value == pytest.approx(clean.value)
        assert result.denominator == clean.denominator
        assert result.parameters["system_account_contributions_excluded"] == 2
