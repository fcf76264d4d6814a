"""A small closed-loop HTTP load generator: N keep-alive connections, each sending its next
request as soon as the previous answer arrives, for a fixed time.

Both sides of a ratio are measured with this same generator, one after the other, against the
same server, so the generator's own overhead weighs on both the same way.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p95_ms(self) -> float:
        return self.percentile(0.95)

    @property
    def p99_ms(self) -> float:
        return self.percentile(0.99)


def run_load(
    url: str,
    headers: dict[str, str] | list[dict[str, str]],
    concurrency: int,
    seconds: float,
    max_requests: int = 1_000_000,
) -> LoadResult:
    """Bounded in time and count; talks only to the given (loopback) URL.

    With a list of header sets (several readers' tokens), each connection takes them in turn,
    starting at its own offset, so every reader is asked for about as often.
    """
    header_sets = headers if isinstance(headers, list) else [headers]
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the load generator only targets this machine's loopback")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
        local: list[float] = []
        ok = errors = 0
        turn = offset
        while time.perf_counter() < deadline and ok + errors < max_requests // concurrency:
            start = time.perf_counter()
            turn += 1
            try:
                conn.request("GET", path, headers=header_sets[turn % len(header_sets)])
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    ok += 1
                    local.append((time.perf_counter() - start) * 1000)
                else:
                    errors += 1
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
        conn.close()
        with lock:
            latencies.extend(local)
            counts["ok"] += ok
            counts["errors"] += errors

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(counts["ok"], counts["errors"], time.perf_counter() - started, latencies)
