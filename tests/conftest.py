"""Fixtures shared by the whole suite.

The same suite runs on SQLite (default) and PostgreSQL (DATABASE_URL=postgres://…; `make
test` does both). Under CI=true a PostgreSQL run that cannot reach its server fails: it
never silently skips.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def pytest_configure(config: pytest.Config) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres") and os.environ.get("CI") == "true":
        import psycopg

        try:
            psycopg.connect(url.replace("postgresql://", "postgres://"), connect_timeout=5).close()
        except psycopg.OperationalError as error:
            raise pytest.UsageError(f"CI: PostgreSQL unreachable at {url}: {error}") from error
    # The cockpit's report cache is shared between processes by design (web and worker), so
    # the suite's parallel workers would share it too, and one test's clear() would empty
    # another's: each worker gets its own (a folder, or a key prefix in Redis).
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from django.conf import settings

        cockpit = settings.CACHES["cockpit"]
        cockpit["KEY_PREFIX"] = f"{cockpit.get('KEY_PREFIX', 'cockpit')}-{worker}"
        if cockpit["BACKEND"].endswith("FileBasedCache"):
            cockpit["LOCATION"] = f"{cockpit['LOCATION']}-{worker}"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"shared datasets not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def make_person(db: Any) -> Callable[..., Any]:
    from rucher.moderation.screens import current_rules
    from rucher.people.models import Department, Organisation, Person

    # Publishing reads its rules (watched words, slow mode) from the cache, emptied for each
    # test: load them now so pinned query counts measure publishing, not this first load.
    current_rules()
    counter = iter(range(1, 10_000))

    def make(kind: str = "employee", username: str | None = None, **fields: Any) -> Person:
        n = next(counter)
        username = username or f"{kind[:4]}{n}"
        if kind == "partner" and "organisation" not in fields:
            fields["organisation"] = Organisation.objects.get_or_create(
                name="Partenaire SA", defaults={"is_partner": True}
            )[0]
        if "department" in fields and isinstance(fields["department"], str):
            fields["department"] = Department.objects.get_or_create(name=fields["department"])[0]
        person = Person.objects.create_user(
            username=username,
            password="demo",
            kind=kind,
            first_name=fields.pop("first_name", username.capitalize()),
            last_name=fields.pop("last_name", "Test"),
            is_staff=kind == "admin",
            is_superuser=kind == "admin",
            **fields,
        )
        return person

    return make


@pytest.fixture
def make_space(db: Any) -> Callable[..., Any]:
    from rucher.spaces.actions import create_space, invite, join_space

    def make(owner: Any, name: str = "Espace", members: tuple[Any, ...] = (), **options: Any):
        space = create_space(owner, name, **options)
        for member in members:
            if space.visibility == "open" and space.kind == "internal" and not member.is_guest:
                join_space(member, space)
            else:
                invite(owner, space, member)
                join_space(member, space)
        return space

    return make


@pytest.fixture
def world(make_person: Callable[..., Any], make_space: Callable[..., Any]) -> dict[str, Any]:
    """A small organisation covering every visibility and kind, for permission tests.

    alice (employee) owns every space; bob (employee) is a member of none but the open one;
    carol (employee) belongs to the secret and private spaces; gus (partner guest) belongs to
    the partner space only; cm (community manager) belongs to nothing; admin is an admin.
    """
    alice = make_person(username="alice")
    bob = make_person(username="bob")
    carol = make_person(username="carol")
    gus = make_person("partner", username="gus")
    cm = make_person("community_manager", username="cm")
    admin = make_person("admin", username="admin")
    open_space = make_space(alice, "Ouvert", members=(bob,))
    private = make_space(alice, "Privé", members=(carol,), visibility="private")
    secret = make_space(alice, "Secret", members=(carol,), visibility="secret")
    partner = make_space(alice, "Partenaires", members=(gus,), kind="partner", visibility="private")
    confidential = make_space(
        alice, "Confidentiel", members=(carol,), visibility="private", confidential=True
    )
    return {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "gus": gus,
        "cm": cm,
        "admin": admin,
        "open": open_space,
        "private": private,
        "secret": secret,
        "partner": partner,
        "confidential": confidential,
    }


@pytest.fixture
def client_for(db: Any) -> Callable[[Any], Any]:
    """A test client signed in as ``person`` (a session, as in a browser)."""
    from django.test import Client

    def make(person: Any) -> Client:
        client = Client()
        client.force_login(person)
        return client

    return make


@pytest.fixture
def grow(world: dict[str, Any], make_person: Callable[..., Any]) -> Callable[[int], Any]:
    """Make ``world`` bigger, for the query-count tests: each call adds n people to the open
    space, n posts by alice mentioning bob (#t0..#t2) that bob likes, and n replies (with a
    topic and a mention) under the first post, which bob celebrates; and a question by bob.
    Returns that first post,
    also kept as ``world["root"]``."""
    from rucher.conversations import actions
    from rucher.spaces.actions import join_space

    def more(n: int) -> Any:
        alice, bob = world["alice"], world["bob"]
        start = len(world.setdefault("grown", []))
        people = [
            make_person(username=f"p{start + i}", department=f"D{i % 3}", last_name=f"N{i}")
            for i in range(n)
        ]
        world["grown"] += people
        root = world.get("root")
        for i, person in enumerate(people):
            join_space(person, world["open"])
            post = actions.publish(alice, world["open"], f"message {i} #t{i % 3} @bob")
            actions.react(bob, post, "like")
            root = root or post
            comment = actions.reply(person, root, f"réponse {i} #t{i % 2} @alice")
            actions.react(bob, comment, "celebrate")
        actions.publish(bob, world["open"], f"Question {start} #t0 ?", kind="question")
        world["root"] = root
        return root

    return more


@pytest.fixture(autouse=True)
def no_language_left_active() -> Iterator[None]:
    """A request activates its language in the thread; tests must not inherit it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty cache (sign-in throttling counts, cockpit reports)."""
    from django.core.cache import cache, caches

    from rucher.cockpit.data import forget_datasets
    from rucher.expertise.finder import clear_knowledge

    cache.clear()
    caches["cockpit"].clear()  # the cockpit's reports (shared with the worker)
    forget_datasets()  # and the frames the cockpit keeps in this process
    clear_knowledge()  # who-knows' in-process index of each audience


@pytest.fixture(autouse=True)
def experts_index_rebuilt_before_answering(settings: Any) -> None:
    """No background rebuild of who-knows' index (a thread beside the test's database);
    tests/expertise/test_experts_product.py tests the stale path with it on."""
    settings.RUCHER_EXPERTS_STALE_SECONDS = 0


@pytest.fixture(autouse=True)
def no_rate_limits(settings: Any) -> None:
    """Requests budgets are off, except in their own tests (tests/web/test_pace.py), which
    turn them on: a test may make many writes in a second, a person does not."""
    settings.RUCHER_RATE_LIMITS = None


@pytest.fixture(autouse=True)
def second_factor_optional(settings: Any) -> None:
    """The demo's rule (administrators sign in with a password alone), except in the
    two-factor tests (tests/identity/test_two_factor.py), which set the organisation's
    default ("admins") or "everyone" themselves."""
    settings.RUCHER_TWO_FACTOR = "optional"


@pytest.fixture(autouse=True)
def fresh_vector_matrix() -> None:
    """The in-process matrix of sentence vectors (rucher.meaning.cache) outlives a test's
    rolled-back rows, whose ids the next test reuses: each test starts from the database."""
    from rucher.meaning import cache

    cache.reset()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: Any) -> None:
    """Argon2 is deliberately slow; tests create many accounts (production keeps Argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def notification_row(db: Any) -> Callable[..., Any]:
    """``notification_row(person, content, read=False)``: an in-app notification row for ``person``
    about ``content`` (a mention), as the worker's fan-out writes one."""
    from django.utils import timezone

    from rucher.notifications.models import Notification

    def make(person: Any, content: Any, read: bool = False) -> Any:
        now = timezone.now()
        return Notification.objects.create(
            recipient=person,
            kind="mention",
            subject=f"content:{content.pk}",
            content_id=content.pk,
            space_id=content.space_id,
            channel="app",
            first_event_id=1,
            last_event_id=1,
            created_at=now,
            updated_at=now,
            read_at=now if read else None,
        )

    return make


# --- rucher's ASGI application served for real (tests/live, tests/e2e) ---------------------


class EmbeddedServer:
    """Granian serving ``rucher.asgi`` in a thread of the test process (its embedded mode),
    so the pages, the event stream and the test share the test database."""

    def __init__(self, port: int) -> None:
        from granian.constants import Interfaces
        from granian.server.embed import Server

        from rucher.asgi import application

        self.url = f"http://127.0.0.1:{port}"
        self.server = Server(application, address="127.0.0.1", port=port, interface=Interfaces.ASGI)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="asgi-server", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the embedded ASGI server did not come up")

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.stop)
        self.thread.join(timeout=15)


@pytest.fixture
def asgi_server(transactional_db: Any, settings: Any) -> Iterator[EmbeddedServer]:
    settings.ALLOWED_HOSTS = ["*"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = EmbeddedServer(port)
    server.start()
    try:
        yield server
    finally:
        server.stop()
