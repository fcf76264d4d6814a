"""The full insights report: sections, scope (space subtree, period), empty data, failures,
and the cache's invalidation."""

from __future__ import annotations

import importlib.util
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import polars as pl
import pytest

from rucher.insights import report as report_module
from rucher.insights.contract import Dataset
from rucher.insights.periods import Period
from rucher.insights.report import SECTIONS, cached_report, full_report
from rucher.insights.report_cache import ReportCache
from rucher.insights.report_scope import UnknownSpace, restrict_to_spaces, space_subtree

START = datetime(2025, 3, 1, tzinfo=UTC)
DAYS = 61
# Space 1 is a hub; 2 is its child and 4 its grandchild; 3 stands alone.
SPACE_PARENTS = {1: None, 2: 1, 3: None, 4: 2}
WRITE_VERBS = {"post": "posted", "question": "asked", "comment": "commented", "answer": "answered"}


def build_dataset(seed: int = 7) -> Dataset:
    """21 people in two departments, four spaces, two months of content and events; person
    21 takes part in space 3 only."""
    rng = np.random.default_rng(seed)
    people = pl.DataFrame(
        {
            "person_id": list(range(1, 22)),
            "department": ["A"] * 10 + ["B"] * 11,
            "kind": ["employee"] * 21,
            "joined_at": [START - timedelta(days=30)] * 21,
        }
    )
    spaces = pl.DataFrame(
        {
            "space_id": list(SPACE_PARENTS),
            "name": [f"Space {s}" for s in SPACE_PARENTS],
            "parent_id": list(SPACE_PARENTS.values()),
            "created_at": [START - timedelta(days=60)] * 4,
        }
    )
    content: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []

    def event(at: datetime, actor: int, verb: str, **fields: Any) -> None:
        events.append(
            {"event_id": len(events) + 1, "at": at, "actor_id": actor, "verb": verb, **fields}
        )

    roots: list[dict[str, Any]] = []
    for day in range(DAYS):
        for _ in range(int(rng.integers(3, 9))):
            at = START + timedelta(days=day, minutes=int(rng.integers(0, 1440)))
            author = int(rng.integers(1, 21)) if rng.random() < 0.5 else int(rng.integers(1, 6))
            space = int(rng.choice(list(SPACE_PARENTS)))
            if rng.random() < 0.05:
                author, space = 21, 3
            if roots and author != 21 and rng.random() < 0.6:
                root = roots[int(rng.integers(max(0, len(roots) - 15), len(roots)))]
                kind = "answer" if root["kind"] == "question" else "comment"
                item = {"parent_id": root["content_id"], "root_id": root["content_id"]}
                space, topics = root["space_id"], root["topics"]
                target = root["author_id"]
            else:
                kind = "question" if rng.random() < 0.3 else "post"
                item, topics, target = {}, [f"t{int(rng.integers(0, 3))}"], None
            content_id = len(content) + 1
            item = {
                "content_id": content_id,
                "kind": kind,
                "author_id": author,
                "space_id": space,
                "created_at": at,
                "text": "merci pour ce retour" if rng.random() < 0.5 else "great idea thanks",
                "lang": "fr",
                "topics": topics,
                "root_id": item.get("root_id", content_id),
                "parent_id": item.get("parent_id"),
                "accepted": False if kind == "answer" else None,
            }
            content.append(item)
            if kind in ("post", "question"):
                roots.append(item)
            event(at, author, WRITE_VERBS[kind], object_type="content", object_id=content_id,
                  space_id=space, target_id=target)  # fmt: skip
            for _ in range(int(rng.integers(0, 3))):
                reader = int(rng.integers(1, 21)) if space != 3 else 21
                later = at + timedelta(minutes=int(rng.integers(1, 600)))
                event(later, reader, "reacted", object_type="content", object_id=content_id,
                      space_id=space, target_id=author, value=1.0)  # fmt: skip
                event(later, reader, "viewed", object_type="content", object_id=content_id,
                      space_id=space)  # fmt: skip
        event(START + timedelta(days=day, hours=8), int(rng.integers(1, 21)), "logged_in")
    poll = {
        "content_id": len(content) + 1, "kind": "poll", "author_id": 1, "space_id": 3,
        "created_at": START + timedelta(days=10), "root_id": len(content) + 1, "topics": [],
    }  # fmt: skip
    content.append(poll)
    for person in range(1, 21):
        event(START + timedelta(days=11, minutes=person), person, "voted", object_type="poll",
              object_id=poll["content_id"], space_id=3, value=float(person % 11))  # fmt: skip
    events.sort(key=lambda row: row["at"])
    for number, row in enumerate(events, start=1):
        row["event_id"] = number
    return Dataset(
        people=people,
        spaces=spaces,
        content=pl.DataFrame(content, infer_schema_length=None),
        events=pl.DataFrame(events, infer_schema_length=None),
    )


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return build_dataset()


@pytest.fixture(scope="module")
def whole(dataset: Dataset) -> dict[str, Any]:
    return full_report(dataset)


def _current(report: dict[str, Any], metric: str) -> Any:
    return report["sections"]["engagement"][metric]["value"]["current"]


def _gini(values: np.ndarray) -> float:
    """Mean absolute difference over twice the mean (an independent formula)."""
    x = values.astype(float)
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean()))


def test_every_section_is_present_and_json_ready(whole: dict[str, Any]) -> None:
    assert list(whole["sections"]) == list(SECTIONS)
    assert whole["errors"] == []
    json.dumps(whole, allow_nan=False)  # no NaN, no datetime, no numpy scalar
    assert set(whole["seconds"]) == {"scope", *SECTIONS}


def test_whole_report_figures_match_hand_counts(dataset: Dataset, whole: dict[str, Any]) -> None:
    content = dataset.content.to_pandas()
    assert _current(whole, "contributions") == len(content)
    assert _current(whole, "questions") == int((content["kind"] == "question").sum())
    assert _current(whole, "reactions") == int((dataset.events["verb"] == "reacted").sum())
    written = content[content["kind"].isin(["post", "question", "comment", "answer"])]
    counts = written.groupby("author_id").size().reindex(range(1, 22), fill_value=0)
    gini = whole["sections"]["inequality"]["registered"]["gini"]["value"]
    assert gini == pytest.approx(_gini(counts.to_numpy()), abs=1e-12)
    scores = np.array([p % 11 for p in range(1, 21)])
    expected_nps = 100 * (np.mean(scores >= 9) - np.mean(scores <= 6))
    assert whole["sections"]["nps"]["overall"]["value"] == pytest.approx(expected_nps)


def test_dau_wau_mau_match_the_pandas_baseline(dataset: Dataset, whole: dict[str, Any]) -> None:
    baseline = _baseline()
    expected = baseline.dau_wau_mau(baseline.to_pandas(dataset))
    for metric in ("dau", "wau", "mau"):
        assert _current(whole, metric) == pytest.approx(expected[metric], rel=1e-12)


def test_silos_and_inequality_match_the_networkx_baseline(
    dataset: Dataset, whole: dict[str, Any]
) -> None:
    baseline = _baseline()
    tables = baseline.to_pandas(dataset)
    edges, _ = baseline.interaction_graph(tables)
    expected = baseline.silos(tables, edges)
    silos = whole["sections"]["silos"]
    assert silos["ei_observed"] == pytest.approx(expected["ei_index"], abs=1e-12)
    assert silos["modularity"] == pytest.approx(expected["modularity"], abs=1e-9)
    shares = baseline.gini_and_shares(tables)
    top = whole["sections"]["inequality"]["registered"]["top_shares"]["value"]
    assert top["top_10%"] == pytest.approx(shares["top_10%"], abs=1e-12)


def _baseline() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "baseline_pandas_nx.py"
    spec = importlib.util.spec_from_file_location("baseline_pandas_nx_for_tests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_space_includes_its_sub_spaces_only(dataset: Dataset) -> None:
    assert space_subtree(dataset.spaces, 1) == [1, 2, 4]
    assert space_subtree(dataset.spaces, 2) == [2, 4]
    hub = full_report(dataset, space_id=1, sections=("engagement", "inequality"))
    alone = full_report(dataset, space_id=3, sections=("engagement", "inequality"))
    content = dataset.content.to_pandas()
    in_hub = content[content["space_id"].isin([1, 2, 4])]
    assert hub["scope"]["space_ids"] == [1, 2, 4]
    assert _current(hub, "contributions") == len(in_hub)
    assert _current(alone, "contributions") == int((content["space_id"] == 3).sum())
    assert _current(hub, "contributions") + _current(alone, "contributions") == len(content)
    # The registered population of a space is who took part in it.
    written = in_hub[in_hub["kind"].isin(["post", "question", "comment", "answer"])]
    events = dataset.events.to_pandas()
    in_space = events[events["space_id"].isin([1, 2, 4])]
    members = sorted(
        set(in_space["actor_id"])
        | set(in_space["target_id"].dropna().astype(int))
        | set(in_hub["author_id"])
    )
    assert 21 not in members
    counts = written.groupby("author_id").size().reindex(members, fill_value=0)
    gini = hub["sections"]["inequality"]["registered"]["gini"]
    assert gini["denominator"]["people"] == len(members)
    assert gini["value"] == pytest.approx(_gini(counts.to_numpy()), abs=1e-12)


def test_period_restricts_the_figures(dataset: Dataset, whole: dict[str, Any]) -> None:
    period = (START + timedelta(days=14), START + timedelta(days=28))
    part = full_report(dataset, period=period)
    created = dataset.content["created_at"]
    inside = int(((created >= period[0]) & (created < period[1])).sum())
    assert _current(part, "contributions") == inside < _current(whole, "contributions")
    at = dataset.events["at"]
    assert part["data"]["events_in_period"] == int(((at >= period[0]) & (at < period[1])).sum())
    assert part["scope"]["as_of"] == period[1].isoformat()
    assert part["sections"]["health"]["members"]["parameters"]["as_of"] == period[1].isoformat()
    # The previous period of engagement is the fortnight just before.
    previous = int(((created >= START) & (created < period[0])).sum())
    assert part["sections"]["engagement"]["contributions"]["value"]["previous"] == previous
    assert part["errors"] == []


def test_space_and_period_together(dataset: Dataset) -> None:
    period = Period(START, START + timedelta(days=30))
    both = full_report(dataset, space_id=2, period=period, sections=("engagement",))
    content = dataset.content.to_pandas()
    expected = content[
        content["space_id"].isin([2, 4])
        & (content["created_at"] >= period.start)
        & (content["created_at"] < period.end)
    ]
    assert _current(both, "contributions") == len(expected)


def test_event_without_space_follows_its_content(dataset: Dataset) -> None:
    target = dataset.content.filter(pl.col("space_id") == 4).row(0, named=True)
    extra = pl.DataFrame(
        {
            "event_id": [10**6],
            "at": [START + timedelta(days=5)],
            "actor_id": [3],
            "verb": ["shared"],
            "object_type": ["content"],
            "object_id": [target["content_id"]],
            "target_id": [target["author_id"]],
        }
    )
    with_extra = Dataset(dataset.people, dataset.spaces, dataset.content,
                         pl.concat([dataset.events, extra], how="diagonal"))  # fmt: skip
    kept = restrict_to_spaces(with_extra, [1, 2, 4]).events
    assert 10**6 in kept["event_id"].to_list()
    assert 10**6 not in restrict_to_spaces(with_extra, [3]).events["event_id"].to_list()


def test_health_and_profiles_are_computed_once_per_report(
    dataset: Dataset, whole: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: dict[str, int] = {}

    def counted(name: str) -> Any:
        original = getattr(report_module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] = calls.get(name, 0) + 1
            return original(*args, **kwargs)

        return wrapper

    for name in ("health_report", "classified_members", "profile_sizes"):
        monkeypatch.setattr(report_module, name, counted(name))
    again = full_report(dataset)
    assert calls == {"health_report": 1, "classified_members": 1, "profile_sizes": 3}
    for section in ("profiles", "health", "todo"):
        assert again["sections"][section] == whole["sections"][section]
    todo_alone = full_report(dataset, sections=("todo",))
    assert todo_alone["sections"]["todo"] == whole["sections"]["todo"]


def test_empty_dataset_gives_defined_values() -> None:
    empty = full_report(Dataset())
    assert list(empty["sections"]) == list(SECTIONS)
    assert empty["errors"] == []
    json.dumps(empty, allow_nan=False)
    assert empty["sections"]["engagement"]["status"] == "not_enough_data"
    assert empty["sections"]["inequality"]["registered"]["gini"]["value"] is None
    assert empty["sections"]["nps"]["overall"]["status"] == "not_enough_data"


def test_one_person_gives_defined_values() -> None:
    at = START
    lonely = Dataset(
        content=pl.DataFrame({"content_id": [1], "kind": ["post"], "author_id": [1],
                              "created_at": [at], "space_id": [1], "text": ["bonjour"]}),
        events=pl.DataFrame({"event_id": [1], "at": [at], "actor_id": [1], "verb": ["posted"],
                             "object_type": ["content"], "object_id": [1], "space_id": [1]}),
    )  # fmt: skip
    result = full_report(lonely)
    assert result["errors"] == []
    assert _current(result, "contributions") == 1
    assert result["sections"]["inequality"]["registered"]["gini"]["status"] == "not_enough_data"


def test_a_failing_metric_does_not_stop_the_report(
    dataset: Dataset, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(scope: Any) -> dict[str, Any]:
        raise ZeroDivisionError("odd input\nsecond line")

    monkeypatch.setitem(report_module.RUNNERS, "silos", broken)
    with caplog.at_level(logging.ERROR, logger="rucher.insights.report"):
        result = full_report(dataset, sections=("engagement", "silos", "cadence"))
    assert result["sections"]["silos"] == {
        "status": "error",
        "error": "ZeroDivisionError: odd input",
    }
    assert result["errors"] == ["silos"]
    assert result["sections"]["engagement"]["contributions"]["status"] == "ok"
    assert "cadence" in result["sections"]
    assert any("silos" in record.getMessage() for record in caplog.records)


def test_bad_arguments_are_refused(dataset: Dataset) -> None:
    with pytest.raises(UnknownSpace):
        full_report(dataset, space_id=99)
    with pytest.raises(ValueError, match="privacy floor"):
        full_report(dataset, min_group_size=3)
    with pytest.raises(ValueError, match="unknown section"):
        full_report(dataset, sections=("gossip",))


def test_subtree_survives_a_parent_cycle() -> None:
    spaces = pl.DataFrame({"space_id": [1, 2], "parent_id": [2, 1]})
    assert space_subtree(spaces, 1) == [1, 2]


def test_cache_reuses_until_new_events_arrive(dataset: Dataset) -> None:
    cache = ReportCache(max_entries=4)
    sections = ("engagement",)
    first = cached_report("demo", dataset, sections=sections, cache=cache)
    again = cached_report("demo", dataset, sections=sections, cache=cache)
    assert again is first and (cache.hits, cache.misses) == (1, 1)
    newer = pl.DataFrame(
        {
            "event_id": [dataset.events["event_id"].max() + 1],  # type: ignore[operator]
            "at": [START + timedelta(days=DAYS - 1, hours=23)],
            "actor_id": [5],
            "verb": ["reacted"],
        }
    )
    grown = Dataset(dataset.people, dataset.spaces, dataset.content,
                    pl.concat([dataset.events, newer], how="diagonal"))  # fmt: skip
    fresh = cached_report("demo", grown, sections=sections, cache=cache)
    assert fresh is not first and fresh["cache_key"] != first["cache_key"]
    reactions = fresh["sections"]["engagement"]["reactions"]["value"]["current"]
    assert reactions == first["sections"]["engagement"]["reactions"]["value"]["current"] + 1
    # Other parameters or another dataset name are other entries.
    other = cached_report("demo", grown, space_id=3, sections=sections, cache=cache)
    assert other is not fresh
    assert cached_report("other", grown, sections=sections, cache=cache) is not fresh
    assert cached_report("demo", grown, sections=sections, cache=cache) is fresh


def test_cache_evicts_the_least_recently_used() -> None:
    cache = ReportCache(max_entries=2)
    for key in ("a", "b", "c"):
        cache.put(key, {"key": key})
    assert cache.get("a") is None and cache.get("c") == {"key": "c"} and len(cache) == 2
    with pytest.raises(ValueError):
        ReportCache(max_entries=0)


SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.mark.dataset
def test_report_on_real_datasets_has_no_failed_section() -> None:
    from rucher.insights.importers.edges import read_email_edges, read_messages
    from rucher.insights.importers.slack import read_slack_xml

    email = SHARED_DATA / "email-eu-core"
    edges, labels = email / "email-Eu-core.txt", email / "email-Eu-core-department-labels.txt"
    messages = SHARED_DATA / "collegemsg" / "CollegeMsg.txt"
    slack = SHARED_DATA / "slack" / "racket-general-2017.xml"
    missing = [str(p) for p in (edges, labels, messages, slack) if not p.exists()]
    if missing:
        pytest.skip(f"shared datasets absent: {', '.join(missing)}")
    datasets = {
        "email-eu-core": read_email_edges(edges, labels),
        "collegemsg": read_messages(messages),
        "slack": read_slack_xml(slack),
    }
    for name, dataset in datasets.items():
        result = full_report(dataset)
        assert result["errors"] == [], (name, result["errors"])
        json.dumps(result, allow_nan=False)
    # The reference figure of the data README: org-wide E-I index +0.306 on email-eu-core.
    email_report = full_report(datasets["email-eu-core"], sections=("silos",))
    assert email_report["sections"]["silos"]["ei_observed"] == pytest.approx(0.306, abs=0.001)
