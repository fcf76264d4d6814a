"""Essentiel on held-out time: ``insights.essential.evaluate_essential`` (the product's
scoring) against newest-first, on the first and second halves of each dataset's timeline.

    .venv/bin/python benchmarks/essential_eval.py [--shared ../shared/data]

The weights were chosen on the first half (test_from 0.0, test_until 0.5); the second half is
the held-out figure (docs/insights.md, "Essentiel, measured")."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rucher.insights import essential
from rucher.insights.importers.slack import read_slack_xml
from rucher.insights.importers.stackexchange import load_stackexchange


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default="../shared/data")
    args = parser.parse_args()
    root = Path(args.shared)
    datasets = {
        "german.meta": (
            load_stackexchange(root / "stackexchange/german.meta", detect_language=False),
            30,
        ),
        "slack racket-general 2017": (read_slack_xml(root / "slack/racket-general-2017.xml"), 7),
    }
    for name, (data, window) in datasets.items():
        content, events = data.content.to_dicts(), data.events.to_dicts()
        for part, (start, end) in (("train", (0.0, 0.5)), ("held-out", (0.5, 1.0))):
            report = essential.evaluate_essential(
                content, events, window_days=window, test_from=start, test_until=end
            )
            print(json.dumps({"dataset": name, "part": part, **report}))


if __name__ == "__main__":
    main()
