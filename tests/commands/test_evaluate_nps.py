"""``rucher evaluate nps`` through click's CliRunner, on CSVs built in the test."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from rucher.commands.evaluate.nps import command

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sentiment"

# Scores drawn from the polarity label: positive reviewers mostly 8–10, negative mostly
# 0–7, with overlap, as in a real survey where a satisfied person may still answer 7.
SCORES = np.arange(11)
POSITIVE_P = np.array([0, 0, 0, 0, 0, 0, 0.02, 0.08, 0.2, 0.35, 0.35])
NEGATIVE_P = np.array([0.06, 0.06, 0.08, 0.1, 0.12, 0.15, 0.18, 0.13, 0.08, 0.03, 0.01])

POSITIVE = [
    "Great support, my problem was solved in minutes.",
    "I love the new dashboard, it is clear and fast.",
    "Excellent product, I recommend it to my colleagues.",
    "Very happy with the service, thank you!",
]
NEGATIVE = [
    "The app keeps crashing, very frustrating.",
    "Terrible experience, nobody answered my request.",
    "Slow, confusing and overpriced.",
    "I am disappointed, it does not work at all.",
]


def write_survey(path: Path, texts: list[str], labels: list[int], seed: int = 7) -> Path:
    rng = np.random.default_rng(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["score", "comment"])
        for text, label in zip(texts, labels, strict=True):
            p = POSITIVE_P if label else NEGATIVE_P
            writer.writerow([int(rng.choice(SCORES, p=p / p.sum())), text])
    return path


def _survey(tmp_path: Path) -> Path:
    texts = (POSITIVE + NEGATIVE) * 8
    labels = ([1] * 4 + [0] * 4) * 8
    return write_survey(tmp_path / "survey.csv", texts, labels)


def _true_nps(path: Path) -> float:
    scores = pd.read_csv(path)["score"]
    return 100 * ((scores >= 9).mean() - (scores <= 6).mean())


def test_json_keys_and_true_nps(tmp_path: Path) -> None:
    survey = _survey(tmp_path)
    out = tmp_path / "out.json"
    args = ["--csv", str(survey), "--score-col", "score", "--text-col", "comment"]
    result = CliRunner().invoke(command, [*args, "--repeats", "3", "--json", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["true_nps"] == pytest.approx(_true_nps(survey))
    assert payload["n"] == 64 and payload["calibration_n"] == 13
    for key in ("estimated_nps", "abs_error", "auc"):
        assert key in payload
    assert payload["auc"] > 0.7  # the sentences separate promoters from detractors
    low, high = payload["estimated_nps"]["interval_95"]
    assert low <= payload["estimated_nps"]["mean"] <= high


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["11", "too high"]], "survey.csv:3: score must be a number from 0 to 10"),
        ([["", "no score"]], "survey.csv:3:"),
        ([["ten", "words"]], "survey.csv:3:"),
    ],
)
def test_bad_score_is_exit_2_naming_the_line(
    tmp_path: Path, rows: list[list[str]], message: str
) -> None:
    path = tmp_path / "survey.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerows([["score", "comment"], ["9", "fine"], *rows])
    args = ["--csv", str(path), "--score-col", "score", "--text-col", "comment"]
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 2
    assert message in result.output


def test_missing_file_column_or_rows_are_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--score-col", "score", "--text-col", "comment"]
    result = runner.invoke(command, ["--csv", str(tmp_path / "absent.csv"), *base])
    assert result.exit_code == 2 and "not found" in result.output
    survey = _survey(tmp_path)
    result = runner.invoke(
        command, ["--csv", str(survey), "--score-col", "nps", "--text-col", "comment"]
    )
    assert result.exit_code == 2 and "no column 'nps'" in result.output
    few = write_survey(tmp_path / "few.csv", POSITIVE, [1] * 4)
    result = runner.invoke(command, ["--csv", str(few), *base])
    assert result.exit_code == 2 and "too few" in result.output


@pytest.mark.dataset
def test_uci_survey_estimate_is_close(tmp_path: Path) -> None:
    path = DATA / "en-uci" / "imdb_labelled.txt"
    if not path.exists():
        pytest.skip(f"dataset absent: {path}")
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            text, label = line.rsplit("\t", 1)
            texts.append(text.strip())
            labels.append(int(label))
    survey = write_survey(tmp_path / "survey.csv", texts, labels)
    out = tmp_path / "out.json"
    args = ["--csv", str(survey), "--score-col", "score", "--text-col", "comment"]
    result = CliRunner().invoke(command, [*args, "--lang", "en", "--json", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["true_nps"] == pytest.approx(_true_nps(survey))
    assert payload["auc"] > 0.8
    assert payload["abs_error"]["mean"] < 10
