"""Digests against a real SMTP server: due by local hour and weekday, once per period, nothing
when there is nothing to say, only what the person may see; the worker's tick; the command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from smtp_sink import SmtpSink, make_notification, parts

from rucher.activity.actions import record_view
from rucher.activity.tasks import LeasedWorker, Periodic
from rucher.commands.digests import command as digests_command
from rucher.conversations.actions import publish, react, reply
from rucher.notifications import digests
from rucher.notifications.models import Notification, Preference, Settings
from rucher.spaces.actions import join_space

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")


def addressed(person: Any, now: datetime | None = None, **fields: Any) -> Any:
    """An e-mail address, and (given ``now``) a digest hour and weekday that are due now;
    without ``now``, an hour that is NOT now (the default, Monday 08:00 in Paris, is due when
    the suite happens to run on a Monday morning: CI once did)."""
    person.email = f"{person.username}@example.org"
    person.first_name, person.last_name = person.username.capitalize(), "Martin"
    person.save()
    if now is not None:
        local = now.astimezone(PARIS)
        fields = {"digest_hour": local.hour, "digest_weekday": local.weekday(), **fields}
    else:
        not_now = (timezone.now().astimezone(PARIS).hour + 12) % 24
        fields = {"digest_hour": not_now, **fields}
    Settings.objects.update_or_create(person=person, defaults=fields)
    return person


# --- when ----------------------------------------------------------------------------------

TOKYO = Settings(time_zone="Asia/Tokyo", digest_hour=8, digest_weekday=0)


@pytest.mark.parametrize(
    ("now", "channel", "due"),
    [
        # Monday 08:30 in Tokyo is still Sunday 23:30 UTC: both digests due.
        (datetime(2026, 6, 7, 23, 30, tzinfo=UTC), "daily", True),
        (datetime(2026, 6, 7, 23, 30, tzinfo=UTC), "weekly", True),
        # Tuesday 08:30 in Tokyo: the daily one only.
        (datetime(2026, 6, 8, 23, 30, tzinfo=UTC), "daily", True),
        (datetime(2026, 6, 8, 23, 30, tzinfo=UTC), "weekly", False),
        # 07:59 in Tokyo: not yet (and yesterday's is past its catch-up window).
        (datetime(2026, 6, 7, 22, 59, tzinfo=UTC), "daily", False),
        (datetime(2026, 6, 7, 22, 59, tzinfo=UTC), "weekly", False),
        # 13:30 in Tokyo: a worker back at 13:30 still sends the 8:00 digest (within 6 h)...
        (datetime(2026, 6, 8, 4, 30, tzinfo=UTC), "daily", True),
        # ... but not at 15:00.
        (datetime(2026, 6, 8, 6, 0, tzinfo=UTC), "daily", False),
    ],
)
def test_due_by_local_hour_and_weekday(now: datetime, channel: str, due: bool) -> None:
    assert (digests.is_due(TOKYO, channel, now) is not None) is due


def test_once_per_period() -> None:
    now = datetime(2026, 6, 7, 23, 30, tzinfo=UTC)
    moment = digests.is_due(TOKYO, "weekly", now)
    assert moment == datetime(2026, 6, 8, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    sent = Settings(**{**_fields(TOKYO), "last_weekly_digest_at": now})
    assert digests.is_due(sent, "weekly", now + timedelta(hours=1)) is None
    assert digests.is_due(sent, "weekly", now + timedelta(days=7)) is not None


def _fields(settings: Settings) -> dict[str, Any]:
    return {
        "time_zone": settings.time_zone,
        "digest_hour": settings.digest_hour,
        "digest_weekday": settings.digest_weekday,
    }


# --- what, once ----------------------------------------------------------------------------


def test_a_weekly_digest_tells_what_waited_and_the_best_unseen_posts_once(
    world: dict[str, Any], smtp: SmtpSink
) -> None:
    now = timezone.now()
    alice = addressed(world["alice"])
    bob = addressed(world["bob"], now)
    quiet = publish(alice, world["open"], "Menu de la cantine\nPoisson vendredi")
    busy = publish(alice, world["open"], "Sortie d'équipe <vendredi> & après")
    for text in ("Oui !", "Je viens", "Moi aussi"):
        reply(bob, busy, text)
    react(bob, busy, "like")
    seen = publish(alice, world["open"], "Déjà lu")
    record_view(bob, seen.kind, seen.pk, seen.space_id)
    publish(bob, world["open"], "Mon propre message")  # never in my own digest
    mine = publish(bob, world["open"], "Bilan du trimestre")
    waiting = make_notification(bob, "reply", "weekly", alice, content=mine)

    run = digests.send_due_digests(now, channels=("weekly",))
    assert (run.sent, run.empty) == (1, 0)  # alice's digest hour is not now
    (message,) = smtp.messages
    assert message["To"] == "bob@example.org"
    assert message["Subject"].strip() == (
        "Votre résumé de la semaine sur rucher : 1 notification, 2 publications"
    )
    assert (
        message["List-Unsubscribe"].strip().startswith("<https://rucher.example.org/unsubscribe/")
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(message)
    assert "Alice Martin a répondu à votre message « Bilan du trimestre »" in text
    assert f"https://rucher.example.org/posts/{mine.pk}/" in text
    for post in (busy, quiet):
        assert f"https://rucher.example.org/posts/{post.pk}/" in html
    assert text.index("Sortie d'équipe") < text.index("Menu de la cantine")  # most engaging first
    assert "Déjà lu" not in text and "Mon propre message" not in text
    assert "&lt;vendredi&gt; &amp; après" in html and "<vendredi>" not in html
    waiting.refresh_from_db()
    assert waiting.emailed_at is not None

    again = digests.send_due_digests(now + timedelta(minutes=5), channels=("weekly",))
    assert again.sent == 0 and len(smtp.messages) == 1  # once per period
    assert Settings.objects.get(person=bob).last_weekly_digest_at is not None


def test_english_and_daily(world: dict[str, Any], smtp: SmtpSink) -> None:
    now = timezone.now()
    alice = addressed(world["alice"])
    bob = addressed(world["bob"], now, language="en")
    Preference.objects.create(person=bob, kind="mention", channel="daily")
    post = publish(alice, world["open"], "Revue de code @bob")
    make_notification(bob, "mention", "daily", alice, content=post)
    digests.send_due_digests(now, channels=("daily", "weekly"))
    subjects = sorted(m["Subject"].strip() for m in smtp.messages)
    assert subjects == [
        "Your daily summary on rucher: 1 notification",
        "Your weekly summary on rucher: 1 post",
    ]


def test_nothing_to_say_sends_nothing(world: dict[str, Any], smtp: SmtpSink) -> None:
    now = timezone.now()
    for name in ("bob", "carol", "cm", "gus"):
        addressed(world[name], now)
    run = digests.send_due_digests(now)
    assert smtp.messages == []
    assert run.empty == 4 and run.sent == 0  # weekly is on by default; daily is off


def test_a_secret_spaces_post_never_reaches_a_non_member(
    world: dict[str, Any], smtp: SmtpSink
) -> None:
    now = timezone.now()
    alice = addressed(world["alice"])
    bob = addressed(world["bob"], now)
    carol = addressed(world["carol"], now)
    secret = publish(alice, world["secret"], "Rachat de la société Dupont")
    opened = publish(alice, world["open"], "Pot de départ")
    # A notification about the secret post, however it came to bob (he left the space...).
    make_notification(bob, "reaction", "weekly", alice, content=secret)
    make_notification(carol, "reaction", "weekly", alice, content=secret)
    digests.send_due_digests(now, channels=("weekly",))
    by_person = {m["To"]: parts(m)[0] for m in smtp.messages}
    assert "Rachat" not in by_person["bob@example.org"]
    assert f"/posts/{opened.pk}/" in by_person["bob@example.org"]
    assert "Rachat" in by_person["carol@example.org"]


def test_a_dead_smtp_server_loses_no_digest(world: dict[str, Any], settings: Any) -> None:
    now = timezone.now()
    down = SmtpSink()
    down.use(settings)
    alice = addressed(world["alice"])
    bob = addressed(world["bob"], now)
    post = publish(alice, world["open"], "Inventaire")
    waiting = make_notification(bob, "reaction", "weekly", alice, content=post)
    with pytest.raises(ConnectionRefusedError):
        digests.send_due_digests(now, channels=("weekly",))
    waiting.refresh_from_db()
    assert waiting.emailed_at is None
    assert Settings.objects.get(person=bob).last_weekly_digest_at is None  # put back

    down.start()
    try:
        digests.send_due_digests(now + timedelta(minutes=5), channels=("weekly",))
        digests.send_due_digests(now + timedelta(minutes=10), channels=("weekly",))
        assert len(down.messages) == 1
    finally:
        down.stop()


def test_two_runs_at_once_claim_each_person_once(world: dict[str, Any]) -> None:
    now = timezone.now()
    bob = addressed(world["bob"], now)
    post = publish(world["alice"], world["open"], "Inventaire")
    make_notification(bob, "reaction", "weekly", world["alice"], content=post)
    moment = digests.is_due(Settings.objects.get(person=bob), "weekly", now)
    assert moment is not None
    first = digests._claim("weekly", {bob.pk: moment}, {bob.pk}, digests._stamp(now))
    second = digests._claim("weekly", {bob.pk: moment}, {bob.pk}, digests._stamp(now))
    assert first[0] == {bob.pk} and len(first[1][bob.pk]) == 1
    assert second == (set(), {})


def test_force_and_one_person(world: dict[str, Any], smtp: SmtpSink) -> None:
    now = timezone.now()
    alice = addressed(world["alice"])
    # bob's hour is not now: --now sends all the same, once.
    bob = addressed(world["bob"], digest_hour=(now.astimezone(PARIS).hour + 3) % 24)
    carol = addressed(world["carol"], now)
    for person in (bob, carol):
        post = publish(alice, world["open"], f"Pour {person.username}")
        make_notification(person, "reaction", "weekly", alice, content=post)
    digests.send_due_digests(now, force=True, usernames=["bob"])
    digests.send_due_digests(now, force=True, usernames=["bob"])
    assert [m["To"] for m in smtp.messages] == ["bob@example.org"]


def test_the_command(world: dict[str, Any], smtp: SmtpSink) -> None:
    alice = addressed(world["alice"])
    bob = addressed(world["bob"])
    post = publish(alice, world["open"], "Nouvelles")
    make_notification(bob, "reaction", "weekly", alice, content=post)
    runner = CliRunner()
    unknown = runner.invoke(digests_command, ["--person", "nobody"])
    assert unknown.exit_code == 2 and "nobody" in unknown.output
    done = runner.invoke(digests_command, ["--now", "--person", "bob", "--quiet"])
    assert done.exit_code == 0, done.output
    assert "1 sent" in done.output
    assert len(smtp.messages) == 1


def test_queries_per_person_are_bounded(world: dict[str, Any], make_person: Any) -> None:
    """A batch costs a constant number of queries plus the home stream's per person."""
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = timezone.now()
    alice = addressed(world["alice"])

    def people(n: int) -> list[Any]:
        found = []
        for _ in range(n):
            person = addressed(make_person(), now)
            join_space(person, world["open"])
            post = publish(alice, world["open"], f"Pour {person.username}")
            make_notification(person, "reaction", "weekly", alice, content=post)
            found.append(person)
        return found

    def cost(group: list[Any]) -> int:
        with CaptureQueriesContext(connection) as queries:
            digests.send_due_digests(
                now, usernames=[p.username for p in group], channels=("weekly",)
            )
        return len(queries)

    two, five = cost(people(2)), cost(people(5))
    per_person = (five - two) / 3
    # Per person: their home stream since the last digest (one prepared statement) and the
    # read policy on their notifications; per batch: who, their settings and preferences, the
    # claim, the notifications, the centre's texts (contents, actors), the excerpts, the
    # views, the chosen items.
    assert per_person == 2
    assert two - 2 * per_person == 17


# --- the worker's tick ---------------------------------------------------------------------


def test_the_worker_tick_enqueues_one_run_at_a_time(world: dict[str, Any], smtp: SmtpSink) -> None:
    bob = addressed(world["bob"], timezone.now())
    post = publish(world["alice"], world["open"], "Hebdo")
    make_notification(bob, "reaction", "weekly", world["alice"], content=post)
    rows = DBTaskResult.objects.filter(task_path=digests.TASK_PATH)
    worker = LeasedWorker(
        lease=timedelta(minutes=5),
        interval=0.01,
        worker_id="test",
        periodic=[Periodic("digests", 3600, digests.enqueue_due_digests)],
    )
    worker.serve(once=True)
    assert rows.count() == 0  # the first tick is one interval after the start
    worker.periodic[0].next_at = 0  # the interval has passed
    worker.serve(once=True)  # ticks: enqueues a run, which the batch then runs
    assert [r.status for r in rows] == ["SUCCESSFUL"]
    assert len(smtp.messages) == 1
    assert Notification.objects.get(recipient=bob).emailed_at is not None
    worker.serve(once=True)  # the next tick is an hour away
    assert rows.count() == 1
    assert digests.enqueue_due_digests() is True
    assert digests.enqueue_due_digests() is False  # one is waiting already: not twice


def test_never_chose_settings_the_profiles_language(world: dict[str, Any], smtp: SmtpSink) -> None:
    alice = addressed(world["alice"])
    bob = world["bob"]
    bob.email, bob.languages = "bob@example.org", "en,fr"
    bob.save()
    assert not Settings.objects.filter(person=bob).exists()
    post = publish(alice, world["open"], "Release notes")
    make_notification(bob, "reaction", "weekly", alice, content=post)
    digests.send_due_digests(force=True, usernames=["bob"], channels=("weekly",))
    (message,) = smtp.messages
    assert message["Subject"].strip().startswith("Your weekly summary on rucher")
    assert Settings.objects.get(person=bob).language == "en"  # saved with the claim, as shown


def test_a_confidential_spaces_posts_are_not_picked(world: dict[str, Any], smtp: SmtpSink) -> None:
    now = timezone.now()
    alice = addressed(world["alice"])
    carol = addressed(world["carol"], now)
    publish(alice, world["confidential"], "Plan social 2027")
    post = publish(alice, world["confidential"], "Budget confidentiel")
    make_notification(carol, "reaction", "weekly", alice, content=post)
    opened = publish(alice, world["private"], "Réunion de service")
    digests.send_due_digests(now, channels=("weekly",))
    (message,) = smtp.messages
    text, html = parts(message)
    assert "Plan social" not in text + html and "Budget confidentiel" not in text + html
    assert "contenu confidentiel" in text
    assert f"/posts/{opened.pk}/" in text
