"""Community health: retention by hand, and each planted problem raises exactly its alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest

from rucher.insights.contract import Dataset
from rucher.insights.health import (
    Alert,
    HealthParameters,
    churn_alerts,
    cohort_retention,
    falling_retention,
    health_report,
    new_and_inactive,
)

AS_OF = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
LONG_AGO = AS_OF - timedelta(days=400)
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

HEALTHY, DORMANT_READ, DEAD, NEW_EMPTY, CROWDED, NEVER_USED, NEW_BUSY = range(1, 8)
REGULAR, READER = 70, 71
STOPPED, DROPPED, SLOWER, OCCASIONAL = 50, 51, 52, 53
SILENT_NEW, WRITING_NEW, TOO_RECENT, OLD_LURKER = 60, 61, 62, 63
CROWD = list(range(1000, 1160))


class World:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.content: list[dict[str, Any]] = []

    def event(
        self, at: datetime, actor: int, verb: str, space: int | None, target: int | None = None
    ) -> None:
        self.events.append(
            {
                "event_id": len(self.events) + 1,
                "at": at,
                "actor_id": actor,
                "verb": verb,
                "space_id": space,
                "target_id": target,
            }
        )

    def write(
        self,
        at: datetime,
        author: int,
        space: int,
        kind: str = "post",
        parent: int | None = None,
        text: str = "",
    ) -> int:
        content_id = 10_000 + len(self.content)
        root = parent if parent is not None else content_id
        self.content.append(
            {
                "content_id": content_id,
                "kind": kind,
                "author_id": author,
                "space_id": space,
                "parent_id": parent,
                "root_id": root,
                "created_at": at,
                "text": text,
            }
        )
        verb = {"post": "posted", "question": "asked", "answer": "answered"}.get(kind, "commented")
        self.event(at, author, verb, space)
        return content_id


def ago(days: float = 0.0, hours: float = 0.0) -> datetime:
    return AS_OF - timedelta(days=days, hours=hours)


def planted_world() -> tuple[Dataset, dict[str, int]]:
    w = World()
    ids: dict[str, int] = {}
    for day in range(1, 60):  # a regular keeps the healthy space alive
        w.write(ago(day), REGULAR, HEALTHY)
    w.write(ago(40), REGULAR, DORMANT_READ)
    w.event(ago(5), READER, "viewed", DORMANT_READ)
    w.write(ago(100), REGULAR, DEAD)
    w.write(ago(3), REGULAR, NEW_EMPTY)
    for day in range(3):
        w.write(ago(1 + day), REGULAR, NEW_BUSY)
    w.write(ago(2), REGULAR, CROWDED)
    for person in CROWD:
        w.event(ago(3), person, "viewed", CROWDED)
    # Questions.
    ids["open"] = w.write(ago(hours=72), READER, HEALTHY, "question", text="How do I book a room?")
    answered = w.write(ago(hours=72), READER, HEALTHY, "question", text="Where is the VPN guide?")
    w.write(ago(hours=70), REGULAR, HEALTHY, "answer", parent=answered)
    ids["self_only"] = w.write(ago(hours=60), REGULAR, HEALTHY, "question", text="Lunch?")
    w.write(ago(hours=59), REGULAR, HEALTHY, "comment", parent=ids["self_only"])
    w.write(ago(hours=10), READER, HEALTHY, "question", text="Too young to alert")
    ids["duplicate"] = w.write(
        ago(hours=50), REGULAR, HEALTHY, "question", text="  how do I BOOK a room ?? "
    )
    w.write(ago(hours=49), READER, HEALTHY, "answer", parent=ids["duplicate"])
    other_space = w.write(ago(hours=50), REGULAR, NEW_BUSY, "question", text="How do I book a room")
    w.write(ago(hours=49), READER, NEW_BUSY, "answer", parent=other_space)
    # Churn.
    for day in range(10):
        w.event(ago(30 + day * 2), STOPPED, "viewed", HEALTHY)
    for day in range(8):
        w.event(ago(30 + day * 2), DROPPED, "logged_in", None)
        w.event(ago(30 + day * 2), SLOWER, "logged_in", None)
    w.event(ago(2), DROPPED, "logged_in", None)
    for day in range(4):
        w.event(ago(2 + day * 3), SLOWER, "logged_in", None)
    for day in range(2):
        w.event(ago(30 + day * 3), OCCASIONAL, "logged_in", None)
    # Newcomers.
    w.event(ago(19), SILENT_NEW, "viewed", HEALTHY)
    w.event(ago(19), WRITING_NEW, "viewed", HEALTHY)
    w.write(ago(hours=30), WRITING_NEW, HEALTHY, "comment", parent=ids["open"])
    joined = {SILENT_NEW: ago(20), WRITING_NEW: ago(20), TOO_RECENT: ago(5), OLD_LURKER: ago(200)}
    regulars = [REGULAR, READER, STOPPED, DROPPED, SLOWER, OCCASIONAL, *CROWD]
    people = pl.DataFrame(
        {
            "person_id": [*regulars, *joined],
            "joined_at": [LONG_AGO] * len(regulars) + list(joined.values()),
        }
    )
    created = {s: LONG_AGO for s in range(1, 8)} | {NEW_EMPTY: ago(5), NEW_BUSY: ago(6)}
    spaces = pl.DataFrame(
        {
            "space_id": list(created),
            "name": [f"space {s}" for s in created],
            "created_at": list(created.values()),
        }
    )
    dataset = Dataset(
        people=people,
        spaces=spaces,
        content=pl.DataFrame(w.content),
        events=pl.DataFrame(w.events).with_columns(pl.lit("content").alias("object_type")),
    )
    return dataset, ids


@pytest.fixture(scope="module")
def world() -> tuple[Dataset, dict[str, int]]:
    return planted_world()


def test_each_planted_problem_raises_exactly_its_alert(
    world: tuple[Dataset, dict[str, int]],
) -> None:
    dataset, ids = world
    report = health_report(dataset, AS_OF)
    found = {(a.kind, a.subject_id) for a in report.alerts if a.kind != "falling_retention"}
    assert found == {
        ("dormant_space_alive", DORMANT_READ),
        ("dormant_space", DEAD),
        ("dormant_space", NEVER_USED),
        ("empty_new_space", NEW_EMPTY),
        ("oversized_space", CROWDED),
        ("unanswered_question", ids["self_only"]),
        ("duplicate_question", ids["duplicate"]),
        ("churn_stopped", STOPPED),
        ("churn_dropped", DROPPED),
        ("silent_newcomer", SILENT_NEW),
    }


def test_the_open_question_answered_only_by_a_comment_from_someone_else_is_not_an_alert(
    world: tuple[Dataset, dict[str, int]],
) -> None:
    # WRITING_NEW commented on the "open" question: it is answered, so no alert for it.
    dataset, ids = world
    kinds = {(a.kind, a.subject_id) for a in health_report(dataset, AS_OF).alerts}
    assert ("unanswered_question", ids["open"]) not in kinds


def test_alerts_carry_their_evidence_and_facts(world: tuple[Dataset, dict[str, int]]) -> None:
    dataset, ids = world
    alerts = {(a.kind, a.subject_id): a for a in health_report(dataset, AS_OF).alerts}
    question = alerts[("unanswered_question", ids["self_only"])]
    assert question.evidence == [ids["self_only"]] and question.space_id == HEALTHY
    assert question.facts["hours_waiting"] == pytest.approx(60.0)
    duplicate = alerts[("duplicate_question", ids["duplicate"])]
    assert duplicate.evidence == [ids["duplicate"], ids["open"]]
    stopped = alerts[("churn_stopped", STOPPED)]
    assert stopped.facts["previous_active_days"] == 10 and stopped.space_id == HEALTHY
    dropped = alerts[("churn_dropped", DROPPED)]
    assert dropped.facts["current_active_days"] == 1 and dropped.space_id is None
    crowded = alerts[("oversized_space", CROWDED)]
    assert crowded.facts["active_members"] == 161  # the crowd and the regular who posted
    newcomer = alerts[("silent_newcomer", SILENT_NEW)]
    assert newcomer.space_id == HEALTHY and newcomer.evidence == [SILENT_NEW]
    assert all(0.0 <= a.magnitude <= 1.0 for a in alerts.values())
    assert question.to_dict()["facts"]["asked_at"].startswith("2026-02-27")


def test_thresholds_are_parameters(world: tuple[Dataset, dict[str, int]]) -> None:
    dataset, _ = world
    params = HealthParameters(dunbar_limit=200, churn_min_previous_active_days=11)
    kinds = {(a.kind, a.subject_id) for a in health_report(dataset, AS_OF, params).alerts}
    assert ("oversized_space", CROWDED) not in kinds
    assert ("churn_stopped", STOPPED) not in kinds
    with pytest.raises(ValueError):
        HealthParameters(churn_drop=1.5)
    with pytest.raises(ValueError):
        HealthParameters(newcomer_window_days=10, newcomer_days=14)


def test_new_and_inactive_by_hand(world: tuple[Dataset, dict[str, int]]) -> None:
    dataset, _ = world
    result = new_and_inactive(dataset, AS_OF)
    assert result.evidence["new"] == [SILENT_NEW, WRITING_NEW, TOO_RECENT]
    assert result.evidence["inactive"] == [STOPPED, OCCASIONAL]
    assert result.value["members"] == len(dataset.people)


def retention_dataset() -> Dataset:
    """Cohort of week 0 (Mon 5 Jan 2026): people 1-4; cohort of week 1: people 5-6.
    Back in week +1: 1, 2 (cohort 0) and 5 (cohort 1). Back in week +4: 1 (cohort 0)."""
    monday = datetime(2026, 1, 5, 9, tzinfo=UTC)
    plan = {
        1: [0, 1, 4],
        2: [0, 1],
        3: [0, 2],
        4: [0],
        5: [1, 2],
        6: [1, 3],
    }
    rows: list[dict[str, Any]] = []
    for person, weeks in plan.items():
        for week in weeks:
            rows.append(
                {
                    "event_id": len(rows) + 1,
                    "at": monday + timedelta(weeks=week, days=person % 3),
                    "actor_id": person,
                    "verb": "logged_in",
                }
            )
    return Dataset(events=pl.DataFrame(rows))


def test_cohort_retention_by_hand() -> None:
    as_of = datetime(2026, 2, 9, tzinfo=UTC)  # week +4 of cohort 0 is complete, not cohort 1's
    result = cohort_retention(retention_dataset(), as_of)
    cohorts = result.value["cohorts"]
    assert [c["size"] for c in cohorts] == [4, 2]
    assert cohorts[0]["week_1"] == pytest.approx(2 / 4)
    assert cohorts[0]["week_4"] == pytest.approx(1 / 4)
    assert cohorts[1]["week_1"] == pytest.approx(1 / 2)
    assert cohorts[1]["week_4"] is None  # week +4 of cohort 1 ends on 16 Feb
    assert result.value["overall"]["week_1"] == pytest.approx(3 / 6)
    assert result.value["overall"]["week_4"] == pytest.approx(1 / 4)


def test_cohorts_by_joining_date_use_the_people_table() -> None:
    events = retention_dataset().events
    people = pl.DataFrame(
        {"person_id": [1, 2, 3, 4, 5, 6], "joined_at": [datetime(2025, 12, 29, tzinfo=UTC)] * 6}
    )
    result = cohort_retention(Dataset(people=people, events=events), None, "joined")
    (cohort,) = result.value["cohorts"]
    assert cohort["size"] == 6
    assert cohort["week_1"] == pytest.approx(4 / 6)  # everyone but 5 and 6 was active in week 0


def cohorts_returning(returns: list[bool]) -> tuple[Dataset, datetime]:
    """One cohort of five people per week; cohort i comes back in week +1 iff returns[i]."""
    monday = datetime(2026, 1, 5, tzinfo=UTC)
    rows = []
    for cohort, comes_back in enumerate(returns):
        for member in range(5):
            person = cohort * 10 + member
            start = monday + timedelta(weeks=cohort, hours=member)
            rows.append({"at": start, "actor_id": person})
            if comes_back:
                rows.append({"at": start + timedelta(weeks=1), "actor_id": person})
    events = pl.DataFrame(rows).with_row_index("event_id").with_columns(verb=pl.lit("logged_in"))
    return Dataset(events=events), monday + timedelta(weeks=12)


def test_falling_retention_raises_one_community_alert() -> None:
    dataset, as_of = cohorts_returning([True, True, True, False, False, False])
    alerts = falling_retention(cohort_retention(dataset, as_of))
    assert [(a.kind, a.facts["earlier"], a.facts["recent"]) for a in alerts] == [
        ("falling_retention", 1.0, 0.0)
    ]
    steady, as_of = cohorts_returning([True, False, True, True, False, True])
    assert falling_retention(cohort_retention(steady, as_of)) == []
    too_few, as_of = cohorts_returning([True, True, False])
    assert falling_retention(cohort_retention(too_few, as_of)) == []


def test_empty_and_tiny_datasets_never_crash() -> None:
    empty = Dataset()
    report = health_report(empty)
    assert report.alerts == [] and report.retention.status == "not_enough_data"
    one = Dataset(
        events=pl.DataFrame(
            {"event_id": [1], "at": [AS_OF], "actor_id": [1], "verb": ["logged_in"]}
        )
    )
    report = health_report(one)
    assert report.retention.ok and report.retention.value["cohorts"][0]["week_1"] is None
    assert report.to_dict()["members"]["value"]["members"] == 1


def load_collegemsg(path: Path) -> Dataset:
    raw = pl.read_csv(
        path, separator=" ", has_header=False, new_columns=["src", "dst", "unix_time"]
    )
    events = raw.with_row_index("event_id", offset=1).select(
        pl.col("event_id").cast(pl.Int64),
        pl.from_epoch("unix_time", time_unit="s").alias("at"),
        pl.col("src").alias("actor_id"),
        pl.lit("messaged").alias("verb"),
        pl.col("dst").alias("target_id"),
    )
    return Dataset(events=events)


@pytest.mark.dataset
def test_collegemsg_fades_churn_and_falling_retention() -> None:
    path = DATA / "collegemsg" / "CollegeMsg.txt"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    dataset = load_collegemsg(path)
    report = health_report(dataset)
    kinds = report.by_kind()
    assert len(kinds["churn_stopped"]) + len(kinds["churn_dropped"]) > 20
    assert "falling_retention" in kinds
    retention = report.retention.value
    assert retention["overall"]["week_4"] < retention["overall"]["week_1"]
    # Independent week +1 retention of the first cohorts with pandas.
    frame = dataset.events.to_pandas()
    frame["week"] = frame["at"].dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    first = frame.groupby("actor_id")["week"].min().rename("cohort")
    weeks = frame[["actor_id", "week"]].drop_duplicates().join(first, on="actor_id")
    back = weeks[weeks["week"] == weeks["cohort"] + pd.Timedelta(weeks=1)]
    returned = back.groupby("cohort")["actor_id"].nunique()
    expected = (returned / first.groupby(first).size()).fillna(0.0)
    for cohort in retention["cohorts"][:10]:
        key = pd.Timestamp(cohort["cohort_week"]).tz_localize(None)
        assert cohort["week_1"] == pytest.approx(expected.get(key, 0.0))
    assert churn_alerts(dataset)[0].facts["previous_active_days"] >= 3


def test_alert_json_is_the_result_conversion(world: tuple[Dataset, dict[str, int]]) -> None:
    from dataclasses import asdict

    from rucher.insights.results import Result

    dataset, _ = world
    alerts = health_report(dataset, AS_OF).alerts
    assert alerts
    for alert in alerts:
        assert alert.to_dict() == Result(alert.kind, asdict(alert), "").to_dict()["value"]
    stamped = Alert("x", "person", 1, None, 0.5, {"at": AS_OF, "ids": (1, 2)}, [3])
    assert stamped.to_dict()["facts"] == {"at": AS_OF.isoformat(), "ids": [1, 2]}
