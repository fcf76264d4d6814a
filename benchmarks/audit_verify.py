"""How long `rucher audit verify` takes on a long trail (goal: 1,000,000 entries in under 30 s).

    .venv/bin/python benchmarks/audit_verify.py [--entries 1000000] [--database URL]

Builds a trail of realistic entries in a fresh database (SQLite file under benchmarks/out/ by
default, or the PostgreSQL URL given), chained exactly as `audit.trail.append` chains them
(the same digest function; written with bulk inserts, since appending one by one is not what
is measured), with `ANALYZE` run as an administrator would, then times `verify()` from a cold
connection, twice. The verdict must be "intact": a benchmark that checked a broken chain
would stop early and flatter itself.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
ACTIONS = [
    ("signed_in", 40),
    ("sign_in_failed", 6),
    ("read_confidential", 30),
    ("joined_space", 8),
    ("changed_role", 2),
    ("created_token", 1),
    ("deleted", 3),
    ("exported", 1),
    ("read_audit", 1),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--database", default="")
    parser.add_argument("--reuse", action="store_true", help="verify the trail built last time")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    if args.database:
        os.environ["DATABASE_URL"] = args.database
    else:
        path = OUT / f"audit-{args.entries}.sqlite3"
        if not args.reuse:
            path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rucher.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from rucher.audit.models import AuditEntry, AuditHead
    from rucher.audit.trail import GENESIS, canonical_detail, digest

    if args.reuse and AuditEntry.objects.count() == args.entries:
        return measure(args.entries)
    AuditEntry.objects.all().delete()
    AuditHead.objects.all().delete()
    rng = random.Random(7)
    names, weights = zip(*ACTIONS, strict=True)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    previous = GENESIS
    batch: list[AuditEntry] = []
    built = time.perf_counter()
    for seq in range(1, args.entries + 1):
        action = rng.choices(names, weights)[0]
        detail = (
            {"channel": "web", "count": 3, "items": [["post", rng.randint(1, 10**6)]]}
            if action == "read_confidential"
            else {}
        )
        entry = AuditEntry(
            seq=seq,
            at=start + timedelta(seconds=seq * 30 + rng.random()),
            actor_id=rng.randint(1, 10_000),
            actor_label=f"person{rng.randint(1, 10_000)}",
            action=action,
            space_id=rng.randint(1, 200) if action != "signed_in" else None,
            address=f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            detail=canonical_detail(detail),
            previous_hash=previous,
        )
        entry.hash = digest(previous, entry)
        previous = entry.hash
        batch.append(entry)
        if len(batch) == 10_000:
            AuditEntry.objects.bulk_create(batch)
            batch.clear()
            print(f"\rbuilding the trail: {seq:,}/{args.entries:,}", end="", file=sys.stderr)
    AuditEntry.objects.bulk_create(batch)
    AuditHead.objects.create(pk=1, last_seq=args.entries, last_hash=previous)
    print(
        f"\rbuilt {args.entries:,} entries in {time.perf_counter() - built:.0f} s", file=sys.stderr
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    measure(args.entries)


def measure(entries: int) -> None:
    from django.db import connection, connections

    from rucher.audit.verify import verify

    print(f"database: {connection.vendor}; entries: {entries:,}")
    for attempt in (1, 2):
        connections.close_all()  # a cold connection each time
        began, cpu = time.perf_counter(), time.process_time()
        verdict = verify()
        took, cpu = time.perf_counter() - began, time.process_time() - cpu
        assert verdict.intact and verdict.checked == entries, verdict
        # CPU time too: on a shared machine the wall clock also measures the other work.
        print(
            f"verify #{attempt}: {took:.1f} s wall, {cpu:.1f} s CPU "
            f"({entries / took:,.0f} entries/s wall)"
        )


if __name__ == "__main__":
    main()
