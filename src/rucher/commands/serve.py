"""``rucher serve``: migrate, then serve with Granian (a Rust HTTP server, BSD-licensed)."""

from __future__ import annotations

import os

import click

from rucher.commands import setup_django


def migrate_database(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def serve_forever(host: str, port: int, workers: int | None = None) -> None:
    """Serve the WSGI application until interrupted (blocking)."""
    import multiprocessing

    from granian.constants import Interfaces
    from granian.server import Server

    # Workers must start as fresh interpreters: this process has already imported Polars
    # (the CLI, the demo generator), whose thread pool does not survive a fork, and a forked
    # worker hangs on its first data-frame operation (the cockpit).
    multiprocessing.set_start_method("spawn", force=True)

    workers = workers or int(os.environ.get("RUCHER_WORKERS", "1"))
    click.echo(f"rucher: serving on http://{host}:{port}/ ({workers} worker(s); Ctrl-C stops)")
    Server(
        "rucher.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=int(os.environ.get("RUCHER_THREADS", "8")),
        log_access=os.environ.get("RUCHER_ACCESS_LOG") == "1",
    ).serve()


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="processes (default RUCHER_WORKERS or 1)",
)
def command(host: str, port: int, workers: int | None) -> None:
    """Apply pending migrations and serve rucher."""
    setup_django()
    migrate_database()
    serve_forever(host, port, workers)
