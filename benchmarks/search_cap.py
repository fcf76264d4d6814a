"""The search's candidate cap and recency window, side by side in one process:
``search.queries.search`` (a submitted search: words and meaning) over the search benchmark's
queries, as the member of the most spaces and as three people chosen at random (seeded),
alternating rounds between three settings:

* ``every match``: RUCHER_SEARCH_CANDIDATES=0, RUCHER_SEARCH_WINDOW=0 (every match scored
  and checked by the read policy);
* ``cap``: the default cap (the best 1,000 matches checked by the policy), no window;
* ``cap + window``: the defaults (the cap, among the 20,000 newest matches).

Wall and CPU time (this process's; on SQLite the database's work is in it, on PostgreSQL it is
in the server's processes) are reported: on a shared machine the CPU time is the steadier
figure. Each search starts with the query's sentence vector uncached (``--warm-queries`` keeps the
cache, as a server answering the same query again would). Run after
benchmarks/search_latency.py (or any run of ``rebuild_all``) has built the index.

    .venv/bin/python benchmarks/search_cap.py [--people 1000] [--items 20000] [--rounds 3]
        [--database sqlite|postgres] [--warm-queries] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_org import OUT, ensure_org
from search_latency import QUERIES

SETTINGS = {"every match": (0, 0), "cap": (None, 0), "cap + window": (None, None)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm-queries", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    url = ensure_org(args.people, args.items, args.database)
    os.environ.setdefault("RUCHER_DATA_DIR", str(OUT / "data"))
    from django.conf import settings
    from django.db.models import Count

    from rucher.meaning.vectors import encode_query
    from rucher.people.models import Person
    from rucher.search.queries import parse_filters, search

    busiest = Person.objects.annotate(n=Count("memberships")).order_by("-n", "pk").first()
    chooser = random.Random(2026)
    everyone = sorted(Person.objects.values_list("pk", flat=True))
    readers = [busiest, *Person.objects.filter(pk__in=chooser.sample(everyone, 3))]
    times: dict[str, list[float]] = {name: [] for name in SETTINGS}
    cpu: dict[str, list[float]] = {name: [] for name in SETTINGS}
    results: dict[str, list[int]] = {name: [] for name in SETTINGS}
    search(busiest, QUERIES[0], parse_filters(busiest), limit=20, typing=False)  # warm-up
    for _ in range(args.rounds):
        for name, (cap, window) in SETTINGS.items():
            settings.RUCHER_SEARCH_CANDIDATES = cap
            settings.RUCHER_SEARCH_WINDOW = window
            for reader in readers:
                for query in QUERIES:
                    if not args.warm_queries:
                        encode_query.cache_clear()
                    started, cpu_started = time.perf_counter(), time.process_time()
                    page = search(reader, query, parse_filters(reader), limit=20, typing=False)
                    times[name].append((time.perf_counter() - started) * 1000)
                    cpu[name].append((time.process_time() - cpu_started) * 1000)
                    results[name].append(len(page.items))
    report: dict[str, object] = {
        name: {
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(sorted(values)[int(0.95 * (len(values) - 1))], 1),
            "cpu_p50_ms": round(statistics.median(cpu[name]), 1),
            "cpu_p95_ms": round(sorted(cpu[name])[int(0.95 * (len(values) - 1))], 1),
            "n": len(values),
            "results_per_page": round(statistics.mean(results[name]), 2),
        }
        for name, values in times.items()
    }
    report["database"] = url.split("@")[-1]
    report["readers_spaces"] = [reader.memberships.count() for reader in readers]
    report["query_vectors"] = "cached" if args.warm_queries else "computed for each search"
    report["load_average"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
