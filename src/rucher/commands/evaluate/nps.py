"""``rucher evaluate nps --csv FILE``: NPS estimated from text against the true NPS.

Each row is one respondent: a 0–10 score and the text they wrote. Over ``--repeats``
random splits, a ``--calibration-share`` of the rows calibrates the sentiment thresholds
(as a polled sample would), the NPS of the other rows is estimated from their texts alone
and compared with their true NPS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from rucher.commands import CliError, existing_path, write_json


def read_scored_texts(path: Path, score_col: str, text_col: str) -> tuple[list[str], list[float]]:
    """Texts and 0–10 scores from a CSV with a header, all-or-nothing.

    Rows with an empty text are skipped (counted by the caller); a score that is missing,
    not a number or outside 0–10 is a CliError naming the file and line.
    """
    import polars as pl

    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise CliError(f"{path}: not a readable CSV: {first}") from error
    for column in (score_col, text_col):
        if column not in frame.columns:
            raise CliError(f"{path}: no column {column!r} (columns: {', '.join(frame.columns)})")
    scores = frame.get_column(score_col).str.strip_chars().cast(pl.Float64, strict=False)
    bad = (scores.is_null() | scores.is_nan() | (scores < 0) | (scores > 10)).fill_null(True)
    if bad.any():
        row = int(bad.arg_true()[0])
        raw = frame.get_column(score_col)[row]
        raise CliError(f"{path}:{row + 2}: score must be a number from 0 to 10, not {raw!r}")
    texts = frame.get_column(text_col).fill_null("").to_list()
    return texts, scores.to_list()


@click.command(name="nps")
@click.option("--csv", "csv_file", required=True, metavar="FILE", help="One respondent a row.")
@click.option("--score-col", required=True, help="Column with the 0–10 answer.")
@click.option("--text-col", required=True, help="Column with the respondent's text.")
@click.option(
    "--calibration-share",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0.01, 0.9),
    help="Share of rows whose scores calibrate the thresholds.",
)
@click.option("--repeats", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--lang", type=click.Choice(["fr", "en", "auto"]), default="auto", show_default=True)
@click.option("--seed", default=0, show_default=True, help="Seed of the random splits.")
@click.option("--json", "json_file", metavar="FILE", help="Also write the figures as JSON.")
def command(
    csv_file: str,
    score_col: str,
    text_col: str,
    calibration_share: float,
    repeats: int,
    lang: str,
    seed: int,
    json_file: str | None,
) -> None:
    """True NPS, NPS estimated from texts (± bootstrap interval), error and AUC."""
    import numpy as np

    from rucher.commands.evaluate.sentiment import embedding_progress
    from rucher.insights.nps import MIN_NPS_RESPONSES, nps, promoter_detractor_auc
    from rucher.insights.sentiment import resolve_method, score_texts

    path = existing_path(csv_file)
    raw_texts, raw_scores = read_scored_texts(path, score_col, text_col)
    keep = [i for i, text in enumerate(raw_texts) if text and text.strip()]
    texts = [raw_texts[i] for i in keep]
    scores = np.rint(np.asarray([raw_scores[i] for i in keep], dtype=np.float64))
    n = len(texts)
    calibration_n = round(calibration_share * n)
    if calibration_n < 1 or n - calibration_n < MIN_NPS_RESPONSES:
        raise CliError(
            f"{path}: {n} rows with text are too few for a calibration share of "
            f"{calibration_share} and at least {MIN_NPS_RESPONSES} rows to estimate"
        )
    with embedding_progress(n, "scoring texts") as advance:
        sentiment, languages = score_texts(texts, lang, progress=advance)
    methods = sorted({resolve_method("auto", found) for found in set(languages)})

    payload = evaluate_splits(sentiment, scores, calibration_share, repeats, seed)
    true_all = nps(scores, name="true_nps")
    payload.update(
        {
            "true_nps": true_all.value,
            "true_nps_margin_95": true_all.parameters.get("margin_95"),
            "auc": promoter_detractor_auc(sentiment, scores),
            "n": n,
            "rows_without_text": len(raw_texts) - n,
            "calibration_share": calibration_share,
            "calibration_n": calibration_n,
            "repeats": repeats,
            "lang": lang,
            "languages": {found: languages.count(found) for found in sorted(set(languages))},
            "sentiment_methods": methods,
        }
    )
    _print_table(payload)
    if json_file:
        write_json(json_file, payload)


def evaluate_splits(
    sentiment: Any, scores: Any, calibration_share: float, repeats: int, seed: int
) -> dict[str, Any]:
    """Mean and spread over random calibration/held-out splits of the estimate's figures."""
    import numpy as np

    from rucher.insights.nps import (
        DEFAULT_THRESHOLDS,
        estimate_nps_from_text,
        nps_components,
        text_nps_value,
    )

    rng = np.random.default_rng(seed)
    n = len(scores)
    calibration_n = round(calibration_share * n)
    estimates, errors, calibration_errors, default_errors, covered = [], [], [], [], []
    threshold_errors = []
    lows, highs = [], []
    for repeat in range(repeats):
        order = rng.permutation(n)
        calibration, held_out = order[:calibration_n], order[calibration_n:]
        promoters, detractors, _ = nps_components(scores[held_out])
        truth = 100.0 * (promoters - detractors)
        result = estimate_nps_from_text(
            sentiment[held_out],
            sentiment[calibration],
            scores[calibration],
            seed=seed + repeat,
        )
        if not result.ok:
            continue
        low, high = result.parameters["interval_95"]
        estimates.append(result.value)
        errors.append(abs(result.value - truth))
        lows.append(low)
        highs.append(high)
        covered.append(low <= truth <= high)
        cal_promoters, cal_detractors, _ = nps_components(scores[calibration])
        calibration_errors.append(abs(100.0 * (cal_promoters - cal_detractors) - truth))
        threshold_errors.append(abs(result.parameters["threshold_nps"] - truth))
        default_errors.append(abs(text_nps_value(sentiment[held_out], DEFAULT_THRESHOLDS) - truth))

    def summary(values: list[float]) -> dict[str, float | None]:
        if not values:
            return {"mean": None, "std": None}
        return {"mean": float(np.mean(values)), "std": float(np.std(values))}

    return {
        "estimated_nps": {
            **summary(estimates),
            "interval_95": [float(np.mean(lows)), float(np.mean(highs))] if lows else None,
        },
        "abs_error": summary(errors),
        "interval_coverage": float(np.mean(covered)) if covered else None,
        "calibration_only_abs_error": summary(calibration_errors),
        "uncalibrated_abs_error": summary(default_errors),
        "threshold_abs_error": summary(threshold_errors),
        "calibrated_thresholds": bool(estimates) and calibration_n >= 20,
    }


def _print_table(payload: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    def points(value: float | None) -> str:
        return "n/a" if value is None else f"{value:+.1f}"

    def spread(entry: dict[str, Any]) -> str:
        if entry["mean"] is None:
            return "n/a"
        return f"{entry['mean']:.1f} ± {entry['std']:.1f}"

    table = Table(title=f"NPS from text (n = {payload['n']}, {payload['repeats']} splits)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    margin = payload["true_nps_margin_95"]
    table.add_row(
        "true NPS (all rows)",
        points(payload["true_nps"]) + (f" ± {margin:.1f}" if margin is not None else ""),
    )
    estimate = payload["estimated_nps"]
    interval = estimate["interval_95"]
    table.add_row(
        "estimated NPS from text (mean ± sd over splits)",
        "n/a" if estimate["mean"] is None else f"{estimate['mean']:+.1f} ± {estimate['std']:.1f}",
    )
    if interval:
        table.add_row("mean 95 % bootstrap interval", f"[{interval[0]:+.1f}, {interval[1]:+.1f}]")
    table.add_row("absolute error (points)", spread(payload["abs_error"]))
    coverage = payload["interval_coverage"]
    table.add_row("interval covers the truth", "n/a" if coverage is None else f"{coverage:.0%}")
    table.add_row(
        "error of the calibration sample alone", spread(payload["calibration_only_abs_error"])
    )
    table.add_row("error of calibrated thresholds alone", spread(payload["threshold_abs_error"]))
    table.add_row("error with uncalibrated thresholds", spread(payload["uncalibrated_abs_error"]))
    auc = payload["auc"]
    table.add_row("AUC promoters vs detractors", "n/a" if auc is None else f"{auc:.3f}")
    Console().print(table)
