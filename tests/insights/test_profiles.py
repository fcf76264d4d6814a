"""Motivation profiles on a synthetic community with known, planted members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import polars as pl
import pytest

from rucher.insights.contract import Dataset
from rucher.insights.profiles import (
    PROFILE_ADVICE,
    PROFILES,
    ProfileParameters,
    classified_members,
    classify,
    member_features,
    my_profile,
    profile_sizes,
)

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
LONG_AGO = datetime(2025, 9, 1, tzinfo=UTC)
ENTHUSIAST, SHOW_OFF, SHY, SHY_WRITER, BLASE, INDIFFERENT, GONE, NEWCOMER = range(1, 9)
BACKGROUND = list(range(100, 120))
SPACE_A, SPACE_B = 10, 20


class Log:
    """Collects events; days are counted back from AS_OF (day 1 = the day before)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        days_ago: float,
        actor: int,
        verb: str,
        target: int | None = None,
        space: int | None = SPACE_A,
    ) -> None:
        self.rows.append(
            {
                "event_id": len(self.rows) + 1,
                "at": AS_OF - timedelta(days=days_ago),
                "actor_id": actor,
                "verb": verb,
                "object_type": "content",
                "object_id": len(self.rows) + 1,
                "space_id": space,
                "target_id": target,
                "value": None,
            }
        )

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.rows)


def _background(log: Log, offset: int) -> None:
    """20 ordinary members, balanced give-and-take, 3 to 6 active days per period."""
    for i, person in enumerate(BACKGROUND):
        days = [offset + 2 + 4 * d + (i % 3) * 0.1 for d in range(3 + i % 4)]
        for day in days:
            log.add(day, person, "posted")
        neighbour = BACKGROUND[(i + 1) % 20]
        other = BACKGROUND[(i + 2) % 20]
        log.add(days[0], person, "commented", neighbour)
        log.add(days[0], person, "commented", neighbour)
        log.add(days[0], person, "reacted", other)
        log.add(days[0], person, "reacted", other)


def planted_dataset() -> Dataset:
    log = Log()
    for offset in (0, 28):  # the reference period and the previous one
        _background(log, offset)
        for day in range(20):  # the enthusiast: daily, gives a lot
            log.add(offset + 1 + day * 1.3, ENTHUSIAST, "commented", SHOW_OFF)
            log.add(offset + 1 + day * 1.3, ENTHUSIAST, "reacted", SHOW_OFF)
        for day in range(5):
            log.add(offset + 1.5 + day * 5, ENTHUSIAST, "posted", space=SPACE_B)
        for day in range(5):  # the show-off: many posts, gives nothing back
            for _ in range(4):
                log.add(offset + 2 + day * 5, SHOW_OFF, "posted", space=SPACE_B)
        for day in range(10):  # the shy: reads on ten days, never writes
            log.add(offset + 1 + day * 2.5, SHY, "viewed")
        for day in range(8):  # a shy member who wrote once in the period
            log.add(offset + 1 + day * 3, SHY_WRITER, "viewed", space=SPACE_B)
        log.add(offset + 1, SHY_WRITER, "commented", ENTHUSIAST, space=SPACE_B)
    for day in range(15):  # the blasé: a regular last period, almost gone now
        log.add(29 + day * 1.5, BLASE, "posted")
        log.add(29 + day * 1.5, BLASE, "commented", BACKGROUND[day])
    log.add(3, BLASE, "posted")
    log.add(120, GONE, "posted")  # active long ago, nothing in the last two periods
    people_ids = [ENTHUSIAST, SHOW_OFF, SHY, SHY_WRITER, BLASE, INDIFFERENT, GONE, *BACKGROUND]
    departments = ["sales", "it"]
    people = pl.DataFrame(
        {
            "person_id": [*people_ids, NEWCOMER],
            "department": [departments[i % 2] for i in range(len(people_ids))] + ["lab"],
            "joined_at": [LONG_AGO] * len(people_ids) + [AS_OF - timedelta(days=5)],
        }
    )
    spaces = pl.DataFrame({"space_id": [SPACE_A, SPACE_B], "name": ["A", "B"]})
    return Dataset(people=people, spaces=spaces, events=log.frame())


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return planted_dataset()


@pytest.fixture(scope="module")
def profiles(dataset: Dataset) -> dict[int, str]:
    classified, _ = classify(member_features(dataset, AS_OF))
    return dict(classified.select("person_id", "profile").iter_rows())


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (ENTHUSIAST, "enthusiast"),
        (SHOW_OFF, "show_off"),
        (SHY, "shy"),
        (SHY_WRITER, "shy"),
        (BLASE, "blase"),
        (INDIFFERENT, "indifferent"),
        (GONE, "indifferent"),
        (NEWCOMER, "other"),
    ],
)
def test_planted_members_land_in_their_profile(
    profiles: dict[int, str], person: int, expected: str
) -> None:
    assert profiles[person] == expected


def test_background_members_are_never_shy_blase_or_indifferent(profiles: dict[int, str]) -> None:
    background = {profiles[p] for p in BACKGROUND}
    assert background <= {"enthusiast", "other"}
    assert "other" in background


def test_features_match_an_independent_pandas_count(dataset: Dataset) -> None:
    features = member_features(dataset, AS_OF).to_pandas().set_index("person_id")
    events = dataset.events.to_pandas()
    start = pd.Timestamp(AS_OF - timedelta(days=28))
    current = events[(events["at"] >= start) & (events["at"] < pd.Timestamp(AS_OF))]
    days = current.groupby("actor_id")["at"].apply(lambda s: s.dt.date.nunique())
    writes = current[current["verb"].isin(["posted", "commented", "answered", "asked"])]
    to_other = current[current["target_id"].notna() & (current["target_id"] != current["actor_id"])]
    received = to_other[to_other["verb"] == "commented"].groupby("target_id").size()
    for person in [ENTHUSIAST, SHOW_OFF, SHY, BLASE, *BACKGROUND[:5]]:
        assert features.loc[person, "active_days"] == days.get(person, 0)
        assert features.loc[person, "contributions"] == (writes["actor_id"] == person).sum()
        assert features.loc[person, "replies_received"] == received.get(person, 0)
    assert features.loc[INDIFFERENT, "active_days"] == 0


def test_hand_computed_features_of_the_planted_members(dataset: Dataset) -> None:
    features = member_features(dataset, AS_OF)
    row = dict(zip(features["person_id"], features.iter_rows(named=True), strict=True))
    assert row[SHOW_OFF]["contributions"] == 20
    assert row[SHOW_OFF]["attention_given"] == 0
    assert row[SHOW_OFF]["attention_received"] == 40  # 20 comments + 20 reactions
    assert row[ENTHUSIAST]["breadth"] == 2 and row[ENTHUSIAST]["depth"] == 12.5
    assert row[BLASE]["previous_active_days"] == 15 and row[BLASE]["active_days"] == 1
    assert row[BLASE]["trend"] == pytest.approx(1 / 15)
    assert row[SHY]["reads"] == 10 and row[SHY]["contributions"] == 0
    assert row[NEWCOMER]["tenure_days"] == pytest.approx(5.0)


def test_my_profile_explains_the_rule_and_gives_advice(dataset: Dataset) -> None:
    result = my_profile(dataset, SHOW_OFF, AS_OF)
    assert result.ok and result.value == "show_off"
    assert result.evidence["person_id"] == SHOW_OFF
    assert "gives back less" in result.evidence["rule"]
    assert result.evidence["features"]["contributions"] == 20
    assert result.note.startswith(PROFILE_ADVICE["show_off"].advice_id)
    assert result.to_dict()["evidence"]["features"]["registered_at"].startswith("2025-09-01")


def test_my_profile_of_an_unknown_person_is_not_enough_data(dataset: Dataset) -> None:
    assert my_profile(dataset, 999_999, AS_OF).status == "not_enough_data"


def test_sizes_for_the_whole_community_count_everybody(dataset: Dataset) -> None:
    sizes = profile_sizes(dataset, None, AS_OF)
    (result,) = sizes.groups.values()
    assert result.ok and result.denominator == 28
    shown = {p: n for p, n in result.value.items() if n is not None}
    # Only "other" and maybe "enthusiast" reach 5 people: every planted profile is suppressed.
    assert set(result.evidence["suppressed"]) >= {"show_off", "shy", "blase", "indifferent"}
    # Each suppressed profile hides 1 to 4 people: the shown counts leave room for them.
    hidden = result.denominator - sum(shown.values())
    assert len(result.evidence["suppressed"]) <= hidden <= 4 * len(result.evidence["suppressed"])
    assert "person_id" not in str(result.to_dict())


def test_sizes_per_department_hide_small_groups(dataset: Dataset) -> None:
    sizes = profile_sizes(dataset, "department", AS_OF)
    assert sizes.groups["lab"].status == "not_enough_data"  # one newcomer
    assert sizes.groups["sales"].ok and sizes.groups["it"].ok
    assert sizes.groups["sales"].denominator + sizes.groups["it"].denominator == 27


def test_sizes_per_space_use_membership(dataset: Dataset) -> None:
    sizes = profile_sizes(dataset, "space", AS_OF)
    space_b = sizes.groups[SPACE_B]
    # Space B: the enthusiast, the show-off and the shy writer only -> too small to show.
    assert space_b.status == "not_enough_data" and space_b.denominator == 3
    assert sizes.groups[SPACE_A].ok


def test_sizes_from_classified_members_computed_once(dataset: Dataset) -> None:
    classified = classified_members(dataset, AS_OF)
    expected, _ = classify(member_features(dataset, AS_OF))
    assert classified.equals(expected)
    for by in (None, "department", "space"):
        given = profile_sizes(dataset, by, AS_OF, classified=classified)
        assert given.to_dict() == profile_sizes(dataset, by, AS_OF).to_dict()
    # The frame passed in is what gets counted: everyone relabelled "shy" shows up so.
    everyone_shy = classified.with_columns(pl.lit("shy").alias("profile"))
    (result,) = profile_sizes(dataset, None, AS_OF, classified=everyone_shy).groups.values()
    assert result.value["shy"] == result.denominator == classified.height


def test_larger_group_size_is_allowed_smaller_raises(dataset: Dataset) -> None:
    sizes = profile_sizes(dataset, "department", AS_OF, min_group_size=20)
    assert all(not r.ok for r in sizes.groups.values())
    with pytest.raises(ValueError, match="privacy floor"):
        profile_sizes(dataset, "department", AS_OF, min_group_size=4)


def test_a_big_enough_cell_is_shown() -> None:
    base = planted_dataset()
    extra = Log()
    for person in range(200, 206):  # six more shy readers
        for day in range(6):
            extra.add(1 + day * 4, person, "viewed")
    events = pl.concat([base.events, extra.frame().with_columns(pl.col("event_id") + 10_000)])
    people = pl.concat(
        [
            base.people.select("person_id", "department", "joined_at"),
            pl.DataFrame(
                {
                    "person_id": list(range(200, 206)),
                    "department": ["it"] * 6,
                    "joined_at": [LONG_AGO] * 6,
                }
            ),
        ]
    )
    grown = Dataset(people=people, spaces=base.spaces, events=events)
    (result,) = profile_sizes(grown, None, AS_OF).groups.values()
    assert result.value["shy"] == 8
    assert "shy" not in result.evidence["suppressed"]


def test_empty_dataset_and_bad_parameters() -> None:
    empty = Dataset()
    assert my_profile(empty, 1).status == "not_enough_data"
    (result,) = profile_sizes(empty).groups.values()
    assert result.status == "not_enough_data"
    assert member_features(empty).height == 0
    with pytest.raises(ValueError):
        ProfileParameters(high_quantile=0.4)
    with pytest.raises(ValueError):
        ProfileParameters(period_days=0)


def test_single_person_dataset_does_not_crash() -> None:
    log = Log()
    log.add(1, 1, "posted")
    solo = Dataset(events=log.frame())
    result = my_profile(solo, 1, AS_OF)
    assert result.ok and result.value in PROFILES
    assert result.evidence["features"]["tenure_days"] == pytest.approx(1.0)
