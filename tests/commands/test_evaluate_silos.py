"""`rucher evaluate silos` on hand-made files, on bad input, and on email-Eu-core."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rucher.commands.evaluate.silos import command

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "email-eu-core"


def _files(tmp_path: Path, edges: str, labels: str) -> tuple[str, str]:
    (tmp_path / "e.txt").write_text(edges)
    (tmp_path / "d.txt").write_text(labels)
    return str(tmp_path / "e.txt"), str(tmp_path / "d.txt")


def test_json_keys_and_values(tmp_path: Path) -> None:
    # 4 ties inside a, 8 inside b, 6 across: E-I = (6 - 12) / 18.
    edges = "0 1\n1 0\n0 1\n1 0\n" + "2 3\n3 2\n" * 4 + "0 2\n1 3\n" * 3
    e, d = _files(tmp_path, edges, "0 a\n1 a\n2 b\n3 b\n")
    out = tmp_path / "silos.json"
    result = CliRunner().invoke(command, ["--edges", e, "--departments", d, "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "E-I index observed" in result.output
    payload = json.loads(out.read_text())
    for key in (
        "ei_observed",
        "ei_expected",
        "nmi",
        "modularity",
        "assortativity",
        "per_department",
    ):
        assert key in payload
    assert payload["ei_observed"] == pytest.approx(-6 / 18)
    assert payload["ei_expected"] == pytest.approx(0.0)
    assert {row["department"] for row in payload["per_department"]} == {"a", "b"}


def test_no_ties_reports_not_enough_data(tmp_path: Path) -> None:
    e, d = _files(tmp_path, "0 0\n", "0 a\n1 b\n")
    out = tmp_path / "silos.json"
    result = CliRunner().invoke(command, ["--edges", e, "--departments", d, "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["ei_observed"] is None
    assert "n/a" in result.output


@pytest.mark.parametrize(
    ("edges", "labels", "message"),
    [
        ("0 1\nzero 1\n", "0 a\n", "e.txt:2: expected"),
        ("0 1\n", "0 a\n0 b\n", "d.txt:2: person 0"),
        ("0 1\n", "0\n", "d.txt:1: expected"),
    ],
)
def test_malformed_input_exits_2(tmp_path: Path, edges: str, labels: str, message: str) -> None:
    e, d = _files(tmp_path, edges, labels)
    result = CliRunner().invoke(command, ["--edges", e, "--departments", d])
    assert result.exit_code == 2
    assert message in result.output


def test_missing_file_exits_2(tmp_path: Path) -> None:
    e, _ = _files(tmp_path, "0 1\n", "0 a\n")
    result = CliRunner().invoke(command, ["--edges", e, "--departments", str(tmp_path / "no")])
    assert result.exit_code == 2 and "not found" in result.output


@pytest.mark.dataset
def test_email_eu_core(tmp_path: Path) -> None:
    edges = DATA / "email-Eu-core.txt"
    labels = DATA / "email-Eu-core-department-labels.txt"
    if not edges.exists() or not labels.exists():
        pytest.skip(f"dataset absent: {DATA}")
    out = tmp_path / "silos.json"
    args = ["--edges", str(edges), "--departments", str(labels), "--json", str(out)]
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["ei_observed"] == pytest.approx(0.306, abs=0.001)
    assert payload["ei_expected"] == pytest.approx(0.905, abs=0.001)
    assert 0.5 < payload["nmi"] < 0.7
    assert len(payload["per_department"]) == 42
