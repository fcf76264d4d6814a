"""The search candidate cap, side by side in one process: ``search.queries.search`` as the
member of the most spaces, over the search benchmark's queries, alternating rounds with
RUCHER_SEARCH_CANDIDATES=0 (every match checked by the read policy) and the default cap.
Run after benchmarks/search_latency.py has built the organisation and its index.

    .venv/bin/python benchmarks/search_cap.py [--people 1000] [--items 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_org import OUT, ensure_org
from search_latency import QUERIES


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = ensure_org(args.people, args.items, "sqlite")
    os.environ.setdefault("RUCHER_DATA_DIR", str(OUT / "data"))
    from django.conf import settings
    from django.db.models import Count

    from rucher.people.models import Person
    from rucher.search.queries import parse_filters, search

    reader = Person.objects.annotate(n=Count("memberships")).order_by("-n", "pk").first()
    times: dict[str, list[float]] = {"every match": [], "capped": []}
    for _ in range(args.rounds):
        for name, cap in (("every match", 0), ("capped", None)):
            settings.RUCHER_SEARCH_CANDIDATES = cap
            for q in QUERIES:
                started = time.perf_counter()
                search(reader, q, parse_filters(reader), limit=20)
                times[name].append((time.perf_counter() - started) * 1000)
    report = {
        name: {
            "p50_ms": round(statistics.median(v), 1),
            "p95_ms": round(sorted(v)[int(0.95 * (len(v) - 1))], 1),
            "n": len(v),
        }
        for name, v in times.items()
    }
    report["database"] = url
    report["load_average"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
