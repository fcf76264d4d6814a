"""Time rucher's full insights pass against the pandas + NetworkX baseline on the same data.

    .venv/bin/python benchmarks/insights_pass.py --events 10000000 --json out/pass-10m.json

Each side runs in its own child process, so its peak memory (``ru_maxrss``: Polars' and
NumPy's native allocations included, which tracemalloc would miss) and CPU time are its own.
The data (``generate_events.py``, cached as Parquet) is generated first if absent.

The baseline is run on the full data up to ``--baseline-max-events`` events. Above that, it
would take well over ten minutes (measured: ~70 s wall at 1 M events, dominated by one
``nx.pagerank`` per context, Louvain and modularity growing with the edges), so it runs on a
uniform random sample of that many events (and the same share of content) and its time is
extrapolated linearly in the number of events. The JSON then says so
(``baseline_sampled``, ``baseline_sample_events``, ``baseline_measured_seconds``).

JSON keys: ``seconds`` (rucher's full pass, wall), ``baseline_seconds``, ``ratio``
(baseline / rucher), ``peak_memory_mb`` (rucher's child), ``events``, and details.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

BASELINE_MAX_EVENTS = 1_000_000
SEED = 0


def _usage() -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "peak_memory_mb": round(usage.ru_maxrss / 1024, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
    }


def run_rucher(directory: Path) -> dict[str, Any]:
    from rucher.insights.contract import Dataset
    from rucher.insights.report import full_report

    began = time.perf_counter()
    dataset = Dataset.read(directory)
    loaded = time.perf_counter()
    report = full_report(dataset)
    done = time.perf_counter()
    return {
        "load_seconds": round(loaded - began, 2),
        "seconds": round(done - loaded, 2),
        "sections": report["seconds"],
        "errors": report["errors"],
        "events": dataset.events.height,
        **_usage(),
    }


def _sample(dataset: Any, events: int, seed: int) -> tuple[Any, float]:
    from rucher.insights.report_scope import with_frames

    share = events / dataset.events.height
    return (
        with_frames(
            dataset,
            events=dataset.events.sample(fraction=share, seed=seed).sort("at"),
            content=dataset.content.sample(fraction=share, seed=seed).sort("created_at"),
        ),
        share,
    )


def run_baseline(directory: Path, max_events: int) -> dict[str, Any]:
    import baseline_pandas_nx
    from rucher.insights.contract import Dataset

    dataset = Dataset.read(directory)
    total = dataset.events.height
    share = 1.0
    if total > max_events:
        dataset, share = _sample(dataset, max_events, SEED)
    began = time.perf_counter()
    _, steps = baseline_pandas_nx.run(dataset)
    measured = time.perf_counter() - began
    return {
        "baseline_seconds": round(measured / share, 2),
        "baseline_measured_seconds": round(measured, 2),
        "baseline_sampled": share < 1.0,
        "baseline_sample_events": dataset.events.height,
        "baseline_steps": steps,
        **{f"baseline_{k}": v for k, v in _usage().items()},
    }


def _child(kind: str, directory: Path, max_events: int) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        kind,
        "--directory",
        str(directory),
        "--baseline-max-events",
        str(max_events),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="rucher's insights pass against pandas + nx")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--baseline-max-events", type=int, default=BASELINE_MAX_EVENTS)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--child", choices=["rucher", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--directory", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run = (
            run_rucher(args.directory)
            if args.child == "rucher"
            else run_baseline(args.directory, args.baseline_max_events)
        )
        print(json.dumps(run))
        return 0

    from generate_events import cache_dir, load_or_generate

    directory = cache_dir(args.events, args.seed)
    if not (directory / "events.parquet").exists():
        load_or_generate(args.events, args.seed)
    figures: dict[str, Any] = {"cores": os.cpu_count(), "load_average": os.getloadavg()[0]}
    figures |= _child("rucher", directory, args.baseline_max_events)
    print(
        f"rucher: {figures['seconds']:.1f} s wall ({figures['cpu_seconds']:.1f} s CPU incl. "
        f"load), peak {figures['peak_memory_mb']:.0f} MB, {figures['events']:,} events"
    )
    if not args.skip_baseline:
        figures |= _child("baseline", directory, args.baseline_max_events)
        figures["ratio"] = round(figures["baseline_seconds"] / max(figures["seconds"], 1e-9), 1)
        sampled = (
            f" (measured {figures['baseline_measured_seconds']:.1f} s on a sample of "
            f"{figures['baseline_sample_events']:,} events, extrapolated linearly)"
            if figures["baseline_sampled"]
            else ""
        )
        print(f"baseline: {figures['baseline_seconds']:.1f} s wall{sampled}")
        print(f"ratio: {figures['ratio']}x")
    figures["load_average_after"] = os.getloadavg()[0]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
