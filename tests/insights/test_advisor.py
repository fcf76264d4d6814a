"""The animation advisor: labels, bilingual advice and the weekly to-do list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest

from rucher.insights.advisor import PLAYBOOKS, PROFILE_PLAYBOOKS, advise, weekly_todo
from rucher.insights.contract import Dataset
from rucher.insights.health import Alert, HealthReport, health_report
from rucher.insights.profiles import PROFILE_ADVICE, profile_sizes
from rucher.insights.results import Result

AS_OF = datetime(2026, 3, 2, tzinfo=UTC)
LONG_AGO = AS_OF - timedelta(days=400)
LIVELY, DEAD, NEW_EMPTY, ELSEWHERE = 1, 2, 3, 4
WRITERS = list(range(100, 110))
SHY_READERS = list(range(200, 206))
CHURNED = 300
QUESTION_LIVELY, QUESTION_ELSEWHERE = 9001, 9002


def ago(days: float = 0.0, hours: float = 0.0) -> datetime:
    return AS_OF - timedelta(days=days, hours=hours)


def advisor_world() -> Dataset:
    events: list[dict[str, Any]] = []
    content: list[dict[str, Any]] = []

    def event(
        at: datetime, actor: int, verb: str, space: int | None, target: int | None = None
    ) -> None:
        events.append(
            {
                "event_id": len(events) + 1,
                "at": at,
                "actor_id": actor,
                "verb": verb,
                "space_id": space,
                "target_id": target,
            }
        )

    def write(at: datetime, author: int, space: int, kind: str = "post", cid: int = 0) -> None:
        cid = cid or 1 + len(content)
        content.append(
            {
                "content_id": cid,
                "kind": kind,
                "author_id": author,
                "space_id": space,
                "root_id": cid,
                "created_at": at,
            }
        )
        event(at, author, "asked" if kind == "question" else "posted", space)

    for offset in (0, 28):
        for i, person in enumerate(WRITERS):
            for day in range(3 + i % 3):
                write(ago(offset + 1 + day * 4), person, LIVELY)
            event(ago(offset + 2), person, "commented", LIVELY, WRITERS[(i + 1) % 10])
        for person in SHY_READERS:
            for day in range(6):
                event(ago(offset + 1 + day * 4), person, "viewed", LIVELY)
    write(ago(hours=100), WRITERS[0], LIVELY, "question", QUESTION_LIVELY)
    write(ago(hours=100), WRITERS[1], ELSEWHERE, "question", QUESTION_ELSEWHERE)
    write(ago(120), WRITERS[0], DEAD)
    write(ago(2), WRITERS[0], NEW_EMPTY)
    for day in range(10):
        event(ago(30 + 2 * day), CHURNED, "logged_in", None)
    everyone = [*WRITERS, *SHY_READERS, CHURNED]
    created = {LIVELY: LONG_AGO, DEAD: LONG_AGO, NEW_EMPTY: ago(4), ELSEWHERE: LONG_AGO}
    return Dataset(
        people=pl.DataFrame({"person_id": everyone, "joined_at": [LONG_AGO] * len(everyone)}),
        spaces=pl.DataFrame(
            {
                "space_id": list(created),
                "name": ["Lively", "Dead", "New", "Elsewhere"],
                "created_at": list(created.values()),
            }
        ),
        content=pl.DataFrame(content),
        events=pl.DataFrame(events).with_columns(object_type=pl.lit("content")),
    )


@pytest.fixture(scope="module")
def world() -> Dataset:
    return advisor_world()


def test_every_alert_kind_has_a_category_and_both_languages() -> None:
    ids = [p.advice.advice_id for p in PLAYBOOKS.values()]
    ids += [a.advice_id for a in PROFILE_ADVICE.values()]
    assert len(ids) == len(set(ids))
    for playbook in PLAYBOOKS.values():
        assert playbook.category in {"seeding", "feeding", "weeding"}
        assert (
            playbook.advice.fr and playbook.advice.en and playbook.advice.fr != playbook.advice.en
        )
    assert set(PROFILE_PLAYBOOKS) <= set(PROFILE_ADVICE)


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("silent_newcomer", "seeding"),
        ("empty_new_space", "seeding"),
        ("unanswered_question", "feeding"),
        ("dormant_space_alive", "feeding"),
        ("churn_stopped", "feeding"),
        ("dormant_space", "weeding"),
        ("duplicate_question", "weeding"),
        ("oversized_space", "weeding"),
    ],
)
def test_alert_labels(kind: str, category: str) -> None:
    item = advise(Alert(kind, "space", 1, 1, 0.5, {"x": 1}, [1]))
    assert item.category == category
    assert item.priority == PLAYBOOKS[kind].base_priority + 10.0
    assert item.evidence == [1] and item.facts == {"x": 1}


def test_manager_sees_only_their_spaces_in_priority_order(world: Dataset) -> None:
    todo = weekly_todo(world, [LIVELY, DEAD, NEW_EMPTY], AS_OF)
    spaces = [group.space_id for group in todo.spaces]
    assert spaces == [LIVELY, NEW_EMPTY, DEAD]  # question 80+, empty space 65+, archive 20+
    kinds = {g.space_id: [i.kind for i in g.items] for g in todo.spaces}
    assert kinds[LIVELY][0] == "unanswered_question"
    assert todo.spaces[0].items[0].subject_id == QUESTION_LIVELY
    assert "profile_shy" in kinds[LIVELY]
    assert kinds[NEW_EMPTY] == ["empty_new_space"]
    assert kinds[DEAD] == ["dormant_space"]
    assert all(i.subject_id != QUESTION_ELSEWHERE for i in todo.items())
    assert all(i.kind != "churn_stopped" for i in todo.items())  # community-wide, not managed
    for group in todo.spaces:
        priorities = [i.priority for i in group.items]
        assert priorities == sorted(priorities, reverse=True)


def test_shy_aggregate_counts_the_planted_readers(world: Dataset) -> None:
    todo = weekly_todo(world, [LIVELY], AS_OF)
    (shy,) = [i for i in todo.items() if i.kind == "profile_shy"]
    assert shy.facts["members"] == len(SHY_READERS)
    assert shy.category == "feeding" and shy.evidence == []
    assert shy.text_fr == PROFILE_ADVICE["shy"].fr


def test_whole_community_includes_community_wide_items(world: Dataset) -> None:
    todo = weekly_todo(world, None, AS_OF)
    by_space = {g.space_id: g for g in todo.spaces}
    assert {LIVELY, DEAD, NEW_EMPTY, ELSEWHERE, None} == set(by_space)
    assert [i.subject_id for i in by_space[None].items] == [CHURNED]
    assert by_space[None].name is None and by_space[LIVELY].name == "Lively"
    only_mine = weekly_todo(world, [DEAD], AS_OF, include_community_wide=True)
    assert {g.space_id for g in only_mine.spaces} == {DEAD, None}


def test_less_is_more_caps_items_per_space(world: Dataset) -> None:
    todo = weekly_todo(world, [LIVELY], AS_OF, max_items_per_space=1)
    (group,) = todo.spaces
    assert len(group.items) == 1 and group.hidden >= 1
    assert group.items[0].kind == "unanswered_question"
    dumped = todo.to_dict()
    assert dumped["spaces"][0]["items"][0]["text_en"].startswith("Unanswered question")


def test_manager_of_no_space_and_empty_dataset() -> None:
    assert weekly_todo(advisor_world(), [], AS_OF).spaces == []
    empty = weekly_todo(Dataset())
    assert empty.spaces == [] and empty.to_dict()["as_of"] is None


def test_precomputed_health_and_profiles_give_the_same_list(world: Dataset) -> None:
    health = health_report(world, AS_OF)
    sizes = profile_sizes(world, "space", AS_OF)
    for managed in (None, [LIVELY, DEAD]):
        fresh = weekly_todo(world, managed, AS_OF)
        given = weekly_todo(world, managed, AS_OF, health=health, space_profiles=sizes)
        assert given.to_dict() == fresh.to_dict()
    # What is passed in is what is used: a report without alerts leaves profile items only.
    quiet = HealthReport(health.retention, health.members, [])
    kinds = {i.kind for i in weekly_todo(world, None, AS_OF, health=quiet).items()}
    assert kinds and all(kind.startswith("profile_") for kind in kinds)


def test_item_json_is_the_result_conversion(world: Dataset) -> None:
    for item in weekly_todo(world, None, AS_OF).items():
        assert item.to_dict() == Result("todo", dict(item.__dict__), "").to_dict()["value"]
