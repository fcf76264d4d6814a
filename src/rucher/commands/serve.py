"""``rucher serve``: migrate, then serve with Granian (a Rust HTTP server, BSD-licensed),
with a task worker (``rucher worker``) beside it unless ``--no-worker``."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click

from rucher.commands import setup_django
from rucher.wsgi_bridge import page_threads


def migrate_database(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


WORKER_STOP_SECONDS = 30  # a stopping worker finishes its task; past this it is killed
OPTIMIZE_EVERY_SECONDS = 3600.0


def optimize_sqlite(first: bool = False) -> bool:
    """``PRAGMA optimize`` on a SQLite database, as SQLite recommends for long-lived
    applications (https://sqlite.org/lang_analyze.html#autoanalyze): at start with
    ``0x10002`` (every table may be analysed, bounded by ``analysis_limit`` so a large file
    costs milliseconds, not minutes), then periodically. Statistics change the planner's
    choices; the stream queries are written so that they hold either way
    (tests/streams/test_plans.py). Returns whether it ran (PostgreSQL: autovacuum does it)."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite" or os.environ.get("RUCHER_SQLITE_OPTIMIZE") == "0":
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=400")
        if first and sqlite3.sqlite_version_info < (3, 46):
            # Before 3.46, optimize only looks at tables this connection has queried, and
            # this one has queried none: analyse once when there are no statistics at all,
            # as 0x10002 does on later versions.
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
            )
            if cursor.fetchone() is None:
                cursor.execute("ANALYZE")
        cursor.execute("PRAGMA optimize=0x10002" if first else "PRAGMA optimize")
    connection.close()
    return True


def analyze_postgres_never_analyzed() -> list[str]:
    """On PostgreSQL, ``ANALYZE`` the tables that hold rows but were never analysed (after a
    restore or a bulk load, before autovacuum's first pass): without statistics PostgreSQL's
    default guesses put a few dozen rows where there are hundreds of thousands, and the
    stream's newest-first scans became a read and sort of every root (issue 14: 0.2 s a
    page at 1,000,000 items). Autovacuum keeps them after that. Returns the tables analysed."""
    from django.db import connection

    if connection.vendor != "postgresql" or os.environ.get("RUCHER_PG_ANALYZE") == "0":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NULL"
            " AND last_autoanalyze IS NULL AND n_live_tup + n_dead_tup + n_mod_since_analyze > 0"
            " ORDER BY relname"
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    connection.close()
    return tables


class SqliteOptimizer(threading.Thread):
    """Runs ``optimize_sqlite`` every ``OPTIMIZE_EVERY_SECONDS`` until stopped."""

    def __init__(self, every: float = OPTIMIZE_EVERY_SECONDS) -> None:
        super().__init__(name="sqlite-optimize", daemon=True)
        self.every = every
        self.stop = threading.Event()

    def run(self) -> None:
        from django.db import connection

        while not self.stop.wait(self.every):
            try:
                optimize_sqlite()
            except Exception as error:  # a busy database: try again at the next turn
                connection.close()
                click.echo(f"rucher: PRAGMA optimize failed ({error})", err=True)


class SideWorker:
    """A ``rucher worker`` subprocess beside the web server, restarted if it dies.

    It runs in its own session, so a Ctrl-C in the terminal reaches the server only, and the
    server stops the worker with one SIGTERM (the worker finishes its current task). The worker
    also stops by itself when this process disappears (``--parent-pid``).
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._started_at = 0.0
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # no restart once stop() has begun
        self._watcher = threading.Thread(target=self._watch, name="side-worker", daemon=True)

    def _spawn(self) -> None:
        command = [sys.executable, "-m", "rucher.cli", "worker", "--parent-pid", str(os.getpid())]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        self._started_at = time.monotonic()

    def start(self) -> None:
        self._spawn()
        assert self.process is not None
        click.echo(f"rucher: task worker started (pid {self.process.pid})")
        sys.stdout.flush()  # a log file or a journal sees it now, not at the next 8 KB
        self._watcher.start()

    def _watch(self) -> None:
        pause = 2.0  # doubles (up to a minute) while the worker dies as soon as it starts
        while not self._stopping.wait(pause):
            process = self.process
            if process is None or process.poll() is None:
                continue
            quick = time.monotonic() - self._started_at < 10
            pause = min(pause * 2, 60.0) if quick else 2.0
            if self._stopping.wait(pause):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self.restarts += 1
                self._spawn()
                assert self.process is not None
                click.echo(
                    f"rucher: task worker exited ({process.returncode}); "
                    f"restarted (pid {self.process.pid})",
                    err=True,
                )

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()  # its task is run again once the lease expires
            process.wait()


@contextmanager
def task_worker_beside(enabled: bool = True) -> Iterator[SideWorker | None]:
    """A task worker for as long as the block runs (stopped when it ends, however)."""
    if not enabled:
        yield None
        return
    side = SideWorker()
    side.start()
    try:
        yield side
    finally:
        side.stop()


def serve_forever(
    host: str, port: int, workers: int | None = None, task_worker: bool = True
) -> None:
    """Serve rucher (ASGI: the pages through WSGI in threads, live updates natively) until
    interrupted (blocking), with a task worker beside it
    unless ``task_worker`` is false."""
    import multiprocessing

    from granian.constants import Interfaces
    from granian.server import Server

    # Workers must start as fresh interpreters: this process has already imported Polars
    # (the CLI, the demo generator), whose thread pool does not survive a fork, and a forked
    # worker hangs on its first data-frame operation (the cockpit).
    multiprocessing.set_start_method("spawn", force=True)

    workers = workers or int(os.environ.get("RUCHER_WORKERS", "1"))
    threads = page_threads()
    # ASGI by default: live updates (/events/) are served by a coroutine per open stream,
    # the pages by a pool of RUCHER_THREADS threads (rucher/asgi.py). RUCHER_INTERFACE=wsgi
    # serves the pages alone, as before, without live updates (docs/live-updates.md).
    if os.environ.get("RUCHER_INTERFACE", "asgi").lower() == "wsgi":
        target, interface, blocking = "rucher.wsgi:application", Interfaces.WSGI, threads
    else:
        target, interface, blocking = "rucher.asgi:application", Interfaces.ASGI, 1
    server = Server(
        target,
        address=host,
        port=port,
        interface=interface,
        workers=workers,
        blocking_threads=blocking,
        log_access=os.environ.get("RUCHER_ACCESS_LOG") == "1",
    )
    with task_worker_beside(task_worker):
        click.echo(f"rucher: serving on http://{host}:{port}/ ({workers} worker(s); Ctrl-C stops)")
        server.serve()


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="web processes (default RUCHER_WORKERS or 1)",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="do not start a task worker beside the server (run `rucher worker` yourself)",
)
def command(host: str, port: int, workers: int | None, no_worker: bool) -> None:
    """Apply pending migrations and serve rucher (with a task worker beside it)."""
    setup_django()
    migrate_database()
    optimizer: SqliteOptimizer | None = None
    if analysed := analyze_postgres_never_analyzed():
        click.echo(f"rucher: statistics gathered for {len(analysed)} table(s) never analysed")
    if optimize_sqlite(first=True):
        optimizer = SqliteOptimizer()
        optimizer.start()
    try:
        serve_forever(host, port, workers, task_worker=not no_worker)
    finally:
        if optimizer is not None:
            optimizer.stop.set()
