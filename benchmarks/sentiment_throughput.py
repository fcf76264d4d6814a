"""Out-of-the-box sentiment throughput (docs/insights.md, "The default model"): texts shaped
like the demo's (the sample of ``benchmarks/meaning.py``), scored by ``sentiment_scores``
(the path of the worker and of ``rucher sentiment backfill``), and each encoder alone.
Prints JSON: per step, texts/s by the wall clock and by the process's CPU time, and the load
average (the machine is shared: read the wall figures with it).
Usage: ``python benchmarks/sentiment_throughput.py [--sample 500]``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from typing import Any

from meaning import sample_texts


def timed(step: Callable[[], Any], n: int) -> dict[str, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"texts_per_s_wall": round(n / wall, 1), "texts_per_s_cpu": round(n / cpu, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=500)
    args = parser.parse_args()
    from rucher.insights import sentiment_default
    from rucher.insights.sentiment import sentiment_scores
    from rucher.insights.sentiment_model import embed

    texts = sample_texts(args.sample)
    # Load both encoders before timing (a worker keeps them loaded).
    embed(texts[:2])
    sentiment_default.vectors(texts[:2])
    n = len(texts)
    report = {
        "sample": n,
        "mean_chars": round(sum(map(len, texts)) / n, 1),
        "load_average_before": os.getloadavg()[0],
        "use_vectors": timed(lambda: embed(texts), n),
        "e5_vectors": timed(lambda: sentiment_default.vectors(texts), n),
        "out_of_the_box": timed(lambda: sentiment_scores(texts, "fr", "out_of_the_box"), n),
        "load_average_after": os.getloadavg()[0],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
