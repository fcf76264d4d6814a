"""The pure ranking blocks (rucher.insights.retrieval) and the search evaluation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from rucher.insights.retrieval import (
    Bm25,
    nearest_rows,
    ranking_from_scores,
    reciprocal_rank_fusion,
)


def test_fusion_adds_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a"]], k=1)
    scores = dict(fused)
    assert scores["a"] == pytest.approx(1 / 2 + 1 / 3)
    assert scores["c"] == pytest.approx(1 / 4 + 1 / 2)
    assert scores["b"] == pytest.approx(1 / 3)
    assert [key for key, _ in fused] == ["a", "c", "b"]


def test_fusion_favours_what_both_rankings_agree_on() -> None:
    # Second in both beats first in one only (with the paper's k = 60).
    fused = reciprocal_rank_fusion([["x", "both"], ["y", "both"]])
    assert fused[0][0] == "both"
    assert reciprocal_rank_fusion([[], []]) == []
    assert len(reciprocal_rank_fusion([["a", "b", "c"]], limit=2)) == 2
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], k=-1)


def test_nearest_rows_best_first_masked_and_float16() -> None:
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(500, 16)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    query = matrix[42]
    rows, similarities = nearest_rows(matrix.astype(np.float16), query, 5, chunk_rows=64)
    assert rows[0] == 42
    assert similarities[0] == pytest.approx(1.0, abs=1e-3)
    assert list(similarities) == sorted(similarities, reverse=True)
    allowed = np.ones(500, dtype=bool)
    allowed[42] = False
    rows, _ = nearest_rows(matrix, query, 5, allowed=allowed)
    assert 42 not in rows
    none_allowed = np.zeros(500, dtype=bool)
    assert len(nearest_rows(matrix, query, 5, allowed=none_allowed)[0]) == 0
    assert len(nearest_rows(matrix[:0], query, 5)[0]) == 0


def test_bm25_prefers_rare_terms_and_respects_the_mask() -> None:
    index = Bm25([["budget", "projet"], ["budget", "cantine"], ["cantine", "menu", "menu"]])
    scores = index.scores(["cantine", "menu"])
    assert ranking_from_scores(scores, ["a", "b", "c"], 3) == ["c", "b"]
    masked = index.scores(["cantine", "menu"], among=np.array([True, True, False]))
    assert ranking_from_scores(masked, ["a", "b", "c"], 3) == ["b"]
    assert ranking_from_scores(index.scores(["inconnu"]), ["a", "b", "c"], 3) == []


POSTS = """<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="1" PostTypeId="1" CreationDate="2020-01-01T10:00:00.000" OwnerUserId="1"
       Title="How do I request vacation days?"
       Body="&lt;p&gt;Where is the form for holidays?&lt;/p&gt;"
       Tags="&lt;rh&gt;" />
  <row Id="2" PostTypeId="1" CreationDate="2020-01-02T10:00:00.000" OwnerUserId="1"
       Title="The cafeteria menu"
       Body="&lt;p&gt;What is served on Friday at lunch?&lt;/p&gt;"
       Tags="&lt;food&gt;" />
  <row Id="3" PostTypeId="1" CreationDate="2020-02-01T10:00:00.000" OwnerUserId="2"
       Title="Asking for paid leave"
       Body="&lt;p&gt;How can I take some holidays next month?&lt;/p&gt;"
       Tags="&lt;rh&gt;" />
  <row Id="4" PostTypeId="1" CreationDate="2020-02-03T10:00:00.000" OwnerUserId="2"
       Title="Lunch on Friday"
       Body="&lt;p&gt;Which meals does the cafeteria serve on Friday?&lt;/p&gt;"
       Tags="&lt;food&gt;" />
</posts>
"""
USERS = """<?xml version="1.0" encoding="utf-8"?>
<users>
  <row Id="1" DisplayName="Ann" CreationDate="2019-01-01T00:00:00.000" />
  <row Id="2" DisplayName="Bea" CreationDate="2019-01-01T00:00:00.000" />
</users>
"""
LINKS = """<?xml version="1.0" encoding="utf-8"?>
<postlinks>
  <row Id="1" CreationDate="2020-02-01T11:00:00.000" PostId="3" RelatedPostId="1"
       LinkTypeId="3" />
  <row Id="2" CreationDate="2020-02-03T11:00:00.000" PostId="2" RelatedPostId="4"
       LinkTypeId="1" />
  <row Id="3" CreationDate="2020-02-03T11:00:00.000" PostId="4" RelatedPostId="99"
       LinkTypeId="1" />
</postlinks>
"""


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    (tmp_path / "Posts.xml").write_text(POSTS)
    (tmp_path / "Users.xml").write_text(USERS)
    (tmp_path / "PostLinks.xml").write_text(LINKS)
    return tmp_path


def test_linked_pairs_point_from_the_later_question(dump: Path) -> None:
    from rucher.insights.importers.stackexchange import load_stackexchange
    from rucher.insights.search_quality import linked_pairs, questions_of, read_post_links

    questions = questions_of(load_stackexchange(dump, detect_language=False).content)
    pairs = linked_pairs(read_post_links(dump / "PostLinks.xml"), questions)
    # 3 → 1 as written; 2 ↔ 4 written backwards in time; the link to a missing post dropped.
    assert [(p.query_id, p.target_id) for p in pairs] == [(3, 1), (4, 2)]


def test_evaluate_search_reports_the_three_rankings(dump: Path, tmp_path: Path) -> None:
    import json

    from rucher.cli import main

    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        main, ["evaluate", "search", "--stackexchange", str(dump), "--k", "1", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["n_queries"] == 2
    for ranking in ("words", "meaning", "product"):
        assert set(report[ranking]) == {"hit_at_k", "mrr"}
    # Paraphrases with few shared words: meaning finds both; only one earlier question is a
    # candidate for "Asking for paid leave", so every ranking that finds it puts it first.
    assert report["meaning"]["hit_at_k"] == 1.0
    assert report["product"]["mrr"] >= report["words"]["mrr"]


def test_evaluate_search_bad_input_exits_2(tmp_path: Path, dump: Path) -> None:
    from rucher.cli import main

    missing = CliRunner().invoke(main, ["evaluate", "search", "--stackexchange", "/nope"])
    assert missing.exit_code == 2
    (dump / "PostLinks.xml").unlink()
    no_links = CliRunner().invoke(main, ["evaluate", "search", "--stackexchange", str(dump)])
    assert no_links.exit_code == 2
    assert "PostLinks.xml" in no_links.output
