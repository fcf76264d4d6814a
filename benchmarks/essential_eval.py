"""Essentiel on held-out time: ``insights.essential.evaluate_essential`` (the product's
scoring) against newest-first, on the first and second halves of each dataset's timeline.

    .venv/bin/python benchmarks/essential_eval.py [--shared ../shared/data]

The weights were chosen on the first half (test_from 0.0, test_until 0.5); the second half is
the held-out figure (docs/insights.md, "Essentiel, measured"). Every item's text is embedded
first with the product's encoder (``insights.sentiment_model.embed``, ~20 s), so that the
closeness of each conversation to the reader's own contributions counts as in the product;
``--without-meaning`` leaves it out (the weights otherwise unchanged)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rucher.insights import essential
from rucher.insights.importers.slack import read_slack_xml
from rucher.insights.importers.stackexchange import load_stackexchange
from rucher.insights.sentiment_model import embed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default="../shared/data")
    parser.add_argument("--without-meaning", action="store_true")
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
        vectors = None
        if not args.without_meaning:
            # What the product embeds: the text (a question's title is its first line).
            encoded = embed([str(c.get("text") or "") for c in content])
            vectors = {int(c["content_id"]): encoded[i] for i, c in enumerate(content)}
        for part, (start, end) in (("train", (0.0, 0.5)), ("held-out", (0.5, 1.0))):
            report = essential.evaluate_essential(
                content,
                events,
                window_days=window,
                test_from=start,
                test_until=end,
                vectors=vectors,
            )
            meaning = {"meaning": vectors is not None}
            print(json.dumps({"dataset": name, "part": part, **meaning, **report}))


if __name__ == "__main__":
    main()
