"""``rucher demo``: migrate, load Groupe Orvanne once, print the demo accounts, serve."""

from __future__ import annotations

import os
import threading
import time

import click

from rucher.commands import CliError, setup_django
from rucher.commands.serve import migrate_database, serve_forever
from rucher.demo.organisation import DEFAULT_ITEMS, DEFAULT_PEOPLE, DEFAULT_SEED


def _existing_data() -> str:
    """'none', 'demo' or 'other': what the database already holds."""
    from rucher.people.models import Person

    if Person.objects.filter(is_demo=True).exists():
        # Loaded by the demo; accounts added since (a directory's SCIM test, someone created
        # by hand) belong to that demo: it is reused, and the demo writes nothing more.
        return "demo"
    return "other" if Person.objects.exists() else "none"


def load_demo(seed: int, people: int, items: int, progress: bool = True) -> str:
    """Generate and load the demo organisation; returns the loader's one-line report."""
    from rucher.bulk.loader import load_dataset
    from rucher.demo.charter import seed_charter
    from rucher.demo.generator import generate
    from rucher.demo.notifications import seed_notifications
    from rucher.demo.recognition import seed_recognition
    from rucher.search.rebuild import rebuild_all

    started = time.perf_counter()
    data = generate(seed, people=people, items=items)
    generated = time.perf_counter() - started
    report = load_dataset(
        data.dataset,
        source="demo",
        people_extras=data.people_extras,
        spaces_extras=data.spaces_extras,
        poll_options=data.poll_options,
        reaction_kinds=data.reaction_kinds,
        demo=True,
        progress=progress,
    )
    started = time.perf_counter()
    notified = seed_notifications()
    kudos, badges = seed_recognition()
    seed_charter()  # after the notifications: their few real actions pass no charter gate
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    indexed = rebuild_all()  # the bulk load hands no event to the index: build it whole
    searchable = time.perf_counter() - started
    return (
        f"generated in {generated:.1f} s; loaded {report}; "
        f"{notified} notifications, {kudos} kudos and {badges} badges in {seeded:.1f} s; "
        f"{indexed} objects indexed for search in {searchable:.1f} s"
    )


def embed_conversations() -> str:
    """Give the demo's conversations their vectors (related content, similar questions);
    resumable, so a reused demo costs a quick pass. `rucher embed` does comments too."""
    from rucher.meaning.neighbours import ROOT_KINDS
    from rucher.meaning.vectors import embed_all

    started = time.perf_counter()
    embedded = embed_all(kinds=ROOT_KINDS)[1]
    return f"{embedded} conversations embedded in {time.perf_counter() - started:.1f} s"


def score_sentiment() -> str:
    """Store every demo item's sentiment (``rucher sentiment backfill``): the bulk load hands
    no event to the worker, and the cockpit's opinion page reads the stored scores (without
    them its themes and tones say "too few"). Resumable: a reused demo costs one quick pass."""
    from rucher.sentiment.scoring import backfill

    started = time.perf_counter()
    seen, scored, _dropped = backfill()
    return f"sentiment of {scored} of {seen} items scored in {time.perf_counter() - started:.1f} s"


def score_sentiment_beside() -> threading.Thread:
    """The sentiment backfill (``score_sentiment``) in a thread of this process while the
    demo serves: scoring every item takes minutes on a small machine (docs/insights.md), and
    the pages need not wait. The web server's workers are processes of their own, so this
    one is otherwise idle; the thread ends with it (resumable: the next run goes on)."""

    def run() -> None:
        from django.db import connection

        try:
            click.echo(f"rucher demo: {score_sentiment()}")
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="demo-sentiment", daemon=True)
    thread.start()
    return thread


def print_accounts() -> None:
    from rich.console import Console
    from rich.table import Table

    from rucher.demo.organisation import DEMO_ACCOUNTS, DEMO_PASSWORD

    table = Table(title="Comptes de démonstration / demo accounts")
    for column in ("identifiant", "mot de passe", "nom", "rôle"):
        table.add_column(column)
    for account in DEMO_ACCOUNTS:
        table.add_row(
            account.username,
            DEMO_PASSWORD,
            f"{account.first_name} {account.last_name}",
            account.role,
        )
    Console().print(table)


def mail_folder_notice() -> str:
    """Where the demo's e-mails go (EMAIL_URL unset: files; docs/notifications-email.md)."""
    from django.conf import settings

    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        folder = getattr(settings, "EMAIL_FILE_PATH", "")
        return (
            f"rucher demo: e-mails (notifications, digests) are written as files in {folder}, "
            "not sent (set EMAIL_URL to send them); the task worker writes them, so it must "
            "be running. The demo accounts get their mentions by e-mail at once."
        )
    return f"rucher demo: e-mails are sent through {settings.EMAIL_BACKEND.rsplit('.', 2)[-2]}"


@click.command(name="demo")
@click.option(
    "--seed",
    default=DEFAULT_SEED,
    show_default=True,
    type=int,
    help="the same seed gives the same organisation",
)
@click.option("--no-serve", is_flag=True, help="load (or reuse) the demo, then stop")
@click.option("--no-worker", is_flag=True, help="serve without a task worker beside the server")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--people",
    default=DEFAULT_PEOPLE,
    show_default=True,
    type=click.IntRange(40, 100_000),
    hidden=True,
    help="accounts to generate (smaller for quick checks)",
)
@click.option(
    "--items",
    default=DEFAULT_ITEMS,
    show_default=True,
    type=click.IntRange(200, 10_000_000),
    hidden=True,
    help="posts, comments and reactions to generate",
)
def command(
    seed: int, no_serve: bool, no_worker: bool, host: str, port: int, people: int, items: int
) -> None:
    """Load the demo organisation (Groupe Orvanne) once, then serve it."""
    # The demo accounts sign in with the password "demo" in one step: the second factor the
    # organisation's default asks of administrators is optional here (unless set otherwise).
    os.environ.setdefault("RUCHER_TWO_FACTOR", "optional")
    setup_django()
    migrate_database()
    existing = _existing_data()
    if existing == "other":
        raise CliError(
            "this database holds non-demo accounts: the demo will not touch it "
            "(point RUCHER_DATA_DIR or DATABASE_URL at an empty database)"
        )
    if existing == "demo":
        click.echo(
            "rucher demo: the demo organisation is already loaded; reusing it (--seed is ignored)."
        )
        from rucher.search.models import Entry
        from rucher.search.rebuild import rebuild_all

        if not Entry.objects.exists():  # loaded before search existed: build its index once
            click.echo(f"rucher demo: {rebuild_all()} objects indexed for search")
    else:
        click.echo(f"rucher demo: generating Groupe Orvanne (seed {seed})…")
        started = time.perf_counter()
        summary = load_demo(seed, people, items)
        click.echo(f"rucher demo: {summary}")
        click.echo(f"rucher demo: ready in {time.perf_counter() - started:.1f} s")
    if no_serve:
        click.echo("rucher demo: scoring the sentiment of what was written…")
        click.echo(f"rucher demo: {score_sentiment()}")
    print_accounts()
    click.echo(mail_folder_notice())
    if not no_serve:
        click.echo("rucher demo: computing sentence vectors (related content, similar questions)…")
        click.echo(f"rucher demo: {embed_conversations()}")
        score_sentiment_beside()
        click.echo(
            "rucher demo: the sentiment of what was written is being scored in the background "
            "(a few minutes): the cockpit's opinion figures fill in as it goes"
        )
        serve_forever(host, port, task_worker=not no_worker)
