"""Build and send the daily digests of a whole organisation to a local SMTP sink.

    .venv/bin/python benchmarks/digests.py [--people 10000] [--items 200000] \
        [--database sqlite|postgres] [--per-person 3] [--port 18325]

The organisation comes from ``generate_org.py`` (generated once, reused). Every person gets an
e-mail address, the daily digest (a ``reply`` preference on ``daily``), due now, and
``--per-person`` waiting notifications (replies, reactions, mentions about recent items of
their spaces); "now" is an hour after the organisation's newest item, so the home streams have
unseen posts to rank. The run is ``rucher digests``' own code (``send_due_digests``): claims,
the read policy, each person's home stream, one SMTP connection for all, into an aiosmtpd
server in this process that counts what it receives. Reported: time, messages/s, peak memory
(max RSS of the process, sink included). Each run resets the digests' state first.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_org import ensure_org


class Count:
    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        self.bytes += len(envelope.content)
        return "250 OK"


def sink_main(port: int) -> None:
    """The SMTP sink, in its own process (no GIL shared with the sender): counts messages,
    prints "messages bytes" when told to stop (SIGTERM)."""
    import signal
    import threading

    from aiosmtpd.controller import Controller

    counter = Count()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    print(counter.messages, counter.bytes, flush=True)


def prepare(per_person: int) -> Any:
    """E-mail addresses, settings, preferences and waiting notifications; returns "now"."""
    import numpy as np
    from django.db import connection, transaction
    from django.db.models import Max

    from rucher.conversations.models import Content
    from rucher.notifications.models import Notification, Preference, Settings
    from rucher.people.models import Person
    from rucher.spaces.models import Membership

    newest = Content.objects.aggregate(at=Max("created_at"))["at"]
    now = newest + timedelta(hours=1)
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Person._meta.db_table} SET email = username || '@bench.example'"
            )
        Notification.objects.filter(subject__startswith="bench:").delete()
        Settings.objects.all().delete()
        local_hour = now.astimezone(ZoneInfo("Europe/Paris")).hour
        Settings.objects.bulk_create(
            [Settings(person_id=pk, digest_hour=local_hour) for pk in people], batch_size=2000
        )
        Preference.objects.filter(kind="reply").delete()
        Preference.objects.bulk_create(
            [Preference(person_id=pk, kind="reply", channel="daily") for pk in people],
            batch_size=2000,
        )
        # Recent roots per space, for notifications about things the person may read.
        recent = list(
            Content.objects.filter(
                parent__isnull=True, created_at__gte=now - timedelta(days=3)
            ).values_list("pk", "space_id", "author_id")
        )
        by_space: dict[int, list[tuple[int, int]]] = {}
        for pk, space, author in recent:
            by_space.setdefault(space, []).append((pk, author))
        spaces_of: dict[int, list[int]] = {}
        for person, space in Membership.objects.values_list("person_id", "space_id"):
            if space in by_space:
                spaces_of.setdefault(person, []).append(space)
        rng = np.random.default_rng(11)
        kinds = ("reply", "reaction", "mention")
        rows = []
        for pk in people:
            spaces = spaces_of.get(pk)
            if not spaces:
                continue
            for n in range(per_person):
                space = spaces[int(rng.integers(len(spaces)))]
                content, author = by_space[space][int(rng.integers(len(by_space[space])))]
                rows.append(
                    Notification(
                        recipient_id=pk,
                        kind=kinds[n % 3],
                        channel="daily",
                        content_id=content,
                        space_id=space,
                        subject=f"bench:{content}:{n}",
                        actor_count=int(rng.integers(1, 4)),
                        last_actor_id=author,
                        first_event_id=1,
                        last_event_id=1,
                        created_at=now - timedelta(hours=2),
                        updated_at=now - timedelta(hours=2),
                    )
                )
        Notification.objects.bulk_create(rows, batch_size=2000)
    print(f"prepared {len(people)} people, {len(rows)} waiting notifications; now = {now}")
    return now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--per-person", type=int, default=3)
    parser.add_argument("--port", type=int, default=18325)
    parser.add_argument("--sink", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        sink_main(args.port)
        return
    ensure_org(args.people, args.items, args.database)

    import signal
    import subprocess

    from django.conf import settings
    from rich.progress import Progress

    from rucher.notifications.digests import send_due_digests

    now = prepare(args.per_person)
    sink = subprocess.Popen(
        [sys.executable, __file__, "--sink", "--port", str(args.port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", args.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        with Progress(transient=True) as bar:
            job = bar.add_task("daily digests", total=None)
            run = send_due_digests(
                now,
                channels=("daily",),
                progress=lambda done, total: bar.update(job, completed=done, total=total),
            )
    finally:
        elapsed = time.perf_counter() - started
        sink.send_signal(signal.SIGTERM)
        received, size = (int(x) for x in sink.communicate(timeout=60)[0].split())
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{run.sent} digests sent ({run.empty} empty, {run.due} due) in {elapsed:.1f} s: "
        f"{run.sent / elapsed:.0f} messages/s; the sink received {received} "
        f"({size / 1e6:.1f} MB); peak RSS {rss_after / 1024:.0f} MB "
        f"({rss_before / 1024:.0f} MB before the run)"
    )


if __name__ == "__main__":
    main()
