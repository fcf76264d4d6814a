"""``rucher evaluate experts``: JSON keys, bad input (exit 2), the real dump."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rucher.commands.evaluate.experts import command

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
GERMAN_META = DATA / "stackexchange" / "german.meta"
HEADER = '<?xml version="1.0" encoding="utf-8"?>\n'


def _write(directory: Path, name: str, root: str, rows: list[str]) -> None:
    body = "".join(f"  <row {r} />\n" for r in rows)
    (directory / name).write_text(f"{HEADER}<{root}>\n{body}</{root}>\n", encoding="utf-8")


def tiny_dump(directory: Path) -> Path:
    """Two questions about cats; person 2 answered the first (accepted), then both answer
    the second, where 2 is accepted again."""
    directory.mkdir()
    _write(directory, "Users.xml", "users", [
        f'Id="{i}" DisplayName="u{i}" CreationDate="2020-01-01T00:00:00.000"' for i in (1, 2, 3)
    ])  # fmt: skip
    _write(directory, "Posts.xml", "posts", [
        'Id="1" PostTypeId="1" AcceptedAnswerId="2" CreationDate="2020-01-02T00:00:00.000" '
        'OwnerUserId="1" Title="Cats purr?" Body="why do cats purr" Tags="&lt;cats&gt;"',
        'Id="2" PostTypeId="2" ParentId="1" CreationDate="2020-01-02T01:00:00.000" '
        'OwnerUserId="2" Body="cats purr with the larynx"',
        'Id="3" PostTypeId="1" AcceptedAnswerId="4" CreationDate="2020-02-02T00:00:00.000" '
        'OwnerUserId="1" Title="Cats again" Body="do cats purr when happy" Tags="&lt;cats&gt;"',
        'Id="4" PostTypeId="2" ParentId="3" CreationDate="2020-02-02T01:00:00.000" '
        'OwnerUserId="2" Body="yes"',
        'Id="5" PostTypeId="2" ParentId="3" CreationDate="2020-02-02T02:00:00.000" '
        'OwnerUserId="3" Body="no"',
    ])  # fmt: skip
    return directory


def test_json_report_keys(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        command, ["--stackexchange", str(tiny_dump(tmp_path / "d")), "--k", "1", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["n_questions"] == 2
    for key in ("method", "baselines", "answerers", "all_members"):
        assert key in report
    for protocol in ("answerers", "all_members"):
        section = report[protocol]
        assert set(section["baselines"]) == {"random", "prior_answers", "bm25_answers"}
        for figures in (section["method"], *section["baselines"].values()):
            assert set(figures) == {"p_at_1", "mrr", "hit_at_k"}
    # Question 3 (the only one with two answerers): 2 has the prior accepted answer on cats.
    assert report["answerers"]["n_questions"] == 1
    assert report["answerers"]["method"]["p_at_1"] == 1.0
    assert report["answerers"]["baselines"]["random"]["p_at_1"] == 0.5
    assert "rucher" in result.output and "P@1" in result.output


def test_bad_input_exits_2(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(command, ["--stackexchange", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "not found" in missing.output
    broken = tiny_dump(tmp_path / "d")
    (broken / "Posts.xml").write_text(HEADER + '<posts>\n  <row Id="1" PostTypeId="1"\n')
    bad = runner.invoke(command, ["--stackexchange", str(broken)])
    assert bad.exit_code == 2 and "Posts.xml" in bad.output
    zero_k = runner.invoke(command, ["--stackexchange", str(broken), "--k", "0"])
    assert zero_k.exit_code == 2


@pytest.mark.dataset
def test_german_meta_beats_baselines(tmp_path: Path) -> None:
    if not (GERMAN_META / "Posts.xml").exists():
        pytest.skip(f"dataset absent: {GERMAN_META}")
    out = tmp_path / "r.json"
    result = CliRunner().invoke(command, ["--stackexchange", str(GERMAN_META), "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    for protocol in ("answerers", "all_members"):
        section = report[protocol]
        ours = section["method"]["mrr"]
        assert ours > section["baselines"]["random"]["mrr"]
        assert ours >= section["baselines"]["prior_answers"]["mrr"]
