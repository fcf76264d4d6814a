"""``rucher evaluate sentiment`` and ``rucher sentiment learn`` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rucher.commands.evaluate.sentiment import command
from rucher.commands.sentiment import group

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sentiment"

LINES_FR = [
    "1\tJ'ai adoré cette formation, vraiment excellente.",
    "1\tBravo pour ce projet, le résultat est superbe.",
    "1\tMerci, la nouvelle version est rapide et agréable.",
    "0\tJe n'aime pas du tout ce nouvel outil, il est lent.",
    "0\tQuelle déception, la réunion était inutile et ennuyeuse.",
    "0\tLe service est nul, rien ne fonctionne.",
]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_out_of_the_box_and_json(tmp_path: Path) -> None:
    tsv = _write(tmp_path / "dev.tsv", LINES_FR)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(command, ["--tsv", str(tsv), "--json", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["n"] == 6 and payload["lang"] == "fr"
    assert payload["method"] == "out_of_the_box"
    assert payload["accuracy"] == pytest.approx(1.0)
    assert set(payload["baseline"]) >= {"accuracy", "macro_f1"}
    assert "baseline: plain VADER" in result.output


def test_train_then_evaluate_text_label_order(tmp_path: Path) -> None:
    swapped = [f"{text}\t{label}" for label, text in (line.split("\t") for line in LINES_FR)]
    train = _write(tmp_path / "train.txt", swapped * 3)
    dev = _write(tmp_path / "dev.txt", swapped)
    out = tmp_path / "out.json"
    args = ["--tsv", str(dev), "--train", str(train), "--columns", "text,label", "--lang", "fr"]
    result = CliRunner().invoke(command, [*args, "--json", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["method"] == "learned" and payload["trained_on"] == 18
    assert payload["accuracy"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1 no tab here", "dev.tsv:2: no tab"),
        ("2\tlabel two", "dev.tsv:2: label must be 0 or 1"),
        ("1\t   ", "dev.tsv:2: empty text"),
    ],
)
def test_malformed_line_is_exit_2_naming_file_and_line(
    tmp_path: Path, line: str, message: str
) -> None:
    tsv = _write(tmp_path / "dev.tsv", [LINES_FR[0], line])
    result = CliRunner().invoke(command, ["--tsv", str(tsv)])
    assert result.exit_code == 2
    assert message in result.output


def test_missing_file_and_bad_columns_are_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(command, ["--tsv", str(tmp_path / "absent.tsv")])
    assert result.exit_code == 2 and "not found" in result.output
    tsv = _write(tmp_path / "dev.tsv", LINES_FR)
    result = CliRunner().invoke(command, ["--tsv", str(tsv), "--columns", "a,b"])
    assert result.exit_code == 2


def test_train_with_one_label_is_exit_2(tmp_path: Path) -> None:
    dev = _write(tmp_path / "dev.tsv", LINES_FR)
    train = _write(tmp_path / "train.tsv", LINES_FR[:3])
    result = CliRunner().invoke(command, ["--tsv", str(dev), "--train", str(train)])
    assert result.exit_code == 2 and "both" in result.output


def test_learn_saves_the_model_under_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUCHER_DATA_DIR", str(tmp_path / "var"))
    train = _write(tmp_path / "train.tsv", LINES_FR * 2)
    result = CliRunner().invoke(group, ["learn", str(train)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "var" / "models" / "sentiment-fr.joblib").is_file()
    bad = _write(tmp_path / "bad.tsv", ["x\ty"])
    result = CliRunner().invoke(group, ["learn", str(bad)])
    assert result.exit_code == 2 and "bad.tsv:1" in result.output


@pytest.mark.dataset
def test_uci_amazon_beats_the_baseline(tmp_path: Path) -> None:
    path = DATA / "en-uci" / "amazon_cells_labelled.txt"
    if not path.exists():
        pytest.skip(f"dataset absent: {path}")
    out = tmp_path / "out.json"
    args = ["--tsv", str(path), "--columns", "text,label", "--lang", "en", "--json", str(out)]
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["n"] == 1000
    assert payload["accuracy"] > payload["baseline"]["accuracy"]
