"""E-mails at once, against a real SMTP server: what is sent (headers, both parts, language,
links, escaping), once; quiet hours; a dead server delays, never loses, never blocks a post."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from smtp_sink import SmtpSink, make_notification, parts

from rucher.activity.tasks import LeasedWorker
from rucher.conversations.actions import publish
from rucher.notifications import hooks, mail
from rucher.notifications.models import Notification, Settings

pytestmark = pytest.mark.django_db(transaction=True)

SEND_TASK = "rucher.notifications.mail.send_notification"


def run_worker() -> None:
    LeasedWorker(lease=timedelta(minutes=5), interval=0.01, worker_id="test").serve(once=True)


def make_due() -> None:
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(1))


def tasks(status: str | None = None) -> list[DBTaskResult]:
    rows = DBTaskResult.objects.filter(task_path=SEND_TASK).order_by("enqueued_at")
    return list(rows.filter(status=status) if status else rows)


def addressed(person: Any, language: str = "fr", **fields: Any) -> Any:
    person.email = f"{person.username}@example.org"
    person.first_name, person.last_name = person.username.capitalize(), "Martin"
    person.save()
    Settings.objects.update_or_create(person=person, defaults={"language": language, **fields})
    return person


def notify_after_commit(notification: Notification) -> None:
    """What the fan-out does: rows written, then the hooks told once the transaction commits."""
    with transaction.atomic():
        hooks.notified([notification.pk])


def mention(world: dict[str, Any], text: str = "Planning du chantier") -> Any:
    """A post and bob's mention notification (written here: no ``@bob``, so the fan-out,
    which the worker also runs, does not bump the row)."""
    post = publish(world["alice"], world["open"], text)
    return make_notification(world["bob"], "mention", "email", world["alice"], content=post)


def test_a_mention_is_e_mailed_once_in_french_with_one_click_unsubscribe(
    world: dict[str, Any], smtp: SmtpSink
) -> None:
    addressed(world["alice"])
    bob = addressed(world["bob"])
    notification = mention(world, "Planning du chantier <script>alert(1)</script> & co")
    notify_after_commit(notification)
    assert [t.status for t in tasks()] == ["READY"]
    assert smtp.messages == []  # nothing sent before the worker runs

    run_worker()
    (message,) = smtp.messages
    assert message["To"] == "bob@example.org"
    assert message["From"] == "rucher <rucher@localhost>"
    subject = (
        "Alice Martin vous a mentionné dans « Planning du chantier <script>alert(1)</script> & co »"
    )
    assert message["Subject"].strip() == subject
    assert "=?utf-8?" in message_from_bytes(smtp.handler.raw[0])["Subject"]  # RFC 2047
    unsubscribe = message["List-Unsubscribe"].strip()
    assert unsubscribe.startswith("<https://rucher.example.org/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "fr"
    text, html = parts(message)
    link = f"https://rucher.example.org/posts/{notification.content_id}/"
    assert link in text and link in html
    assert unsubscribe.strip("<>") in text and unsubscribe.strip("<>").replace("&", "&amp;") in html
    assert "Ouvrir dans rucher" in text
    # User content is escaped in the HTML part and left as written in the text part.
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" in text
    assert "<img" not in html and "<script" not in html and "<link" not in html
    notification.refresh_from_db()
    assert notification.emailed_at is not None

    make_due()
    run_worker()
    notify_after_commit(notification)  # the fan-out telling again (a grouped row updated)
    run_worker()
    assert len(smtp.messages) == 1  # never twice
    assert bob.pk == notification.recipient_id


def test_english_for_a_person_who_chose_it(world: dict[str, Any], smtp: SmtpSink) -> None:
    addressed(world["alice"])
    addressed(world["bob"], language="en")
    notify_after_commit(mention(world))
    run_worker()
    (message,) = smtp.messages
    assert message["Subject"].strip() == "Alice Martin mentioned you in “Planning du chantier”"
    assert message["Content-Language"] == "en"
    text, _html = parts(message)
    assert "Open in rucher" in text


def test_grouped_reactions_read_as_a_person_and_others(
    world: dict[str, Any], smtp: SmtpSink
) -> None:
    addressed(world["alice"])
    addressed(world["bob"])
    post = publish(world["bob"], world["open"], "Bilan du trimestre")
    row = make_notification(
        world["bob"], "reaction", "email", world["alice"], content=post, actors=3
    )
    notify_after_commit(row)
    run_worker()
    assert smtp.messages[0]["Subject"].strip() == (
        "Alice Martin et 2 autres ont réagi à votre message « Bilan du trimestre »"
    )


def test_only_rows_of_channel_email_are_sent(world: dict[str, Any], smtp: SmtpSink) -> None:
    addressed(world["alice"])
    addressed(world["bob"])
    post = publish(world["alice"], world["open"], "Hebdo")
    rows = [
        make_notification(world["bob"], kind, channel, world["alice"], content=post)
        for kind, channel in (("reply", "app"), ("reaction", "weekly"), ("answer", "daily"))
    ]
    with transaction.atomic():
        hooks.notified([row.pk for row in rows])
    assert tasks() == []
    run_worker()
    assert smtp.messages == []


def test_nothing_the_recipient_may_not_see(world: dict[str, Any], smtp: SmtpSink) -> None:
    addressed(world["bob"])
    secret_post = publish(world["alice"], world["secret"], "Projet confidentiel")
    row = make_notification(world["bob"], "mention", "email", world["alice"], content=secret_post)
    notify_after_commit(row)
    run_worker()
    assert smtp.messages == []
    row.refresh_from_db()
    assert row.emailed_at is None


def test_read_in_the_app_before_the_worker_ran_is_not_e_mailed(
    world: dict[str, Any], smtp: SmtpSink
) -> None:
    addressed(world["bob"])
    row = mention(world)
    notify_after_commit(row)
    Notification.objects.filter(pk=row.pk).update(read_at=timezone.now())
    run_worker()
    assert smtp.messages == []


def test_enqueueing_costs_two_queries_and_one_insert_per_e_mail(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    post = publish(world["alice"], world["open"], "Hebdo")
    rows = [
        make_notification(person, "mention", "email", world["alice"], content=post)
        for person in (world["bob"], world["carol"], world["cm"])
    ]
    with django_assert_num_queries(2 + 3):
        mail.enqueue_emails([row.pk for row in rows])


# --- quiet hours -----------------------------------------------------------------------------


def quiet(zone: str, start: str, end: str) -> Settings:
    return Settings(
        time_zone=zone, quiet_from=time.fromisoformat(start), quiet_until=time.fromisoformat(end)
    )


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 22:00-07:00 in New York (UTC-4 in June): 23:30 local -> 07:00 the next morning.
        (datetime(2026, 6, 10, 3, 30, tzinfo=UTC), datetime(2026, 6, 10, 11, 0, tzinfo=UTC)),
        # 01:00 local, after midnight -> 07:00 the same day.
        (datetime(2026, 6, 10, 5, 0, tzinfo=UTC), datetime(2026, 6, 10, 11, 0, tzinfo=UTC)),
        # 07:00 local: over; 21:59 local: not yet.
        (datetime(2026, 6, 10, 11, 0, tzinfo=UTC), None),
        (datetime(2026, 6, 10, 1, 59, tzinfo=UTC), None),
        # The night the clocks go back (1 Nov 2026): 07:00 EST is 12:00 UTC.
        (datetime(2026, 11, 1, 3, 0, tzinfo=UTC), datetime(2026, 11, 1, 12, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_across_midnight_in_the_persons_time_zone(
    now: datetime, expected: datetime | None
) -> None:
    assert mail.quiet_until(quiet("America/New_York", "22:00", "07:00"), now) == expected


def test_quiet_hours_within_a_day_and_none() -> None:
    lunch = quiet("Asia/Tokyo", "12:00", "14:00")
    noon_tokyo = datetime(2026, 6, 10, 3, 30, tzinfo=UTC)  # 12:30 in Tokyo
    assert mail.quiet_until(lunch, noon_tokyo) == datetime(2026, 6, 10, 5, 0, tzinfo=UTC)
    assert mail.quiet_until(lunch, noon_tokyo + timedelta(hours=2)) is None
    assert mail.quiet_until(Settings(), noon_tokyo) is None
    assert mail.quiet_until(quiet("Asia/Tokyo", "09:00", "09:00"), noon_tokyo) is None


def test_an_e_mail_inside_quiet_hours_waits_for_their_end(
    world: dict[str, Any], smtp: SmtpSink
) -> None:
    zone = "Pacific/Auckland"
    local = timezone.now().astimezone(ZoneInfo(zone))
    start = (local - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (local + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    addressed(world["alice"])
    addressed(world["bob"], time_zone=zone, quiet_from=start, quiet_until=end)
    notify_after_commit(mention(world))
    (task,) = tasks()
    expected = mail.quiet_until(Settings.objects.get(person=world["bob"]), timezone.now())
    assert expected is not None and task.run_after == expected
    assert timedelta(hours=1) < task.run_after - timezone.now() <= timedelta(hours=2)
    run_worker()
    assert smtp.messages == []  # not before the end

    Settings.objects.filter(person=world["bob"]).update(quiet_from=None, quiet_until=None)
    make_due()
    run_worker()
    assert len(smtp.messages) == 1


# --- a dead SMTP server ----------------------------------------------------------------------


def test_a_dead_smtp_server_delays_the_e_mail_then_it_is_delivered_once(
    world: dict[str, Any], settings: Any
) -> None:
    down = SmtpSink()  # a free port, nothing listening yet: connection refused
    down.use(settings)
    addressed(world["alice"])
    addressed(world["bob"])
    row = mention(world)
    notify_after_commit(row)
    run_worker()  # the attempt fails; the worker carries on
    failed, retry = tasks()
    assert failed.status == "FAILED" and "ConnectionRefusedError" in failed.exception_class_path
    assert retry.status == "READY" and retry.args_kwargs["args"] == [row.pk, 2]
    assert retry.run_after - timezone.now() >= timedelta(seconds=25)  # the backoff
    row.refresh_from_db()
    assert row.emailed_at is None  # the claim was put back: not lost

    down.start()  # the server comes back
    try:
        make_due()
        run_worker()
        make_due()
        run_worker()
        assert len(down.messages) == 1
        assert [t.status for t in tasks()] == ["FAILED", "SUCCESSFUL"]
    finally:
        down.stop()


def test_a_post_succeeds_at_once_while_smtp_is_down(world: dict[str, Any], settings: Any) -> None:
    SmtpSink().use(settings)  # nothing listening
    addressed(world["alice"])
    addressed(world["bob"])
    with transaction.atomic():  # the post, and the fan-out's rows and hooks after commit
        post = publish(world["alice"], world["open"], "Réunion demain @bob")
        row = make_notification(world["bob"], "mention", "email", world["alice"], content=post)
        hooks.notified([row.pk])
    assert post.pk is not None
    assert [t.status for t in tasks()] == ["READY"]  # handed to the worker, not tried here


def test_end_to_end_a_mention_through_the_fan_out(world: dict[str, Any], smtp: SmtpSink) -> None:
    """The real path: a post mentions bob, the worker fans it out (bob chose e-mails for
    mentions), the hook enqueues the e-mail, the worker sends it."""
    from rucher.notifications.models import Preference

    addressed(world["alice"])
    bob = addressed(world["bob"])
    Preference.objects.create(person=bob, kind="mention", channel="email")
    post = publish(world["alice"], world["open"], "Planning du chantier\nLundi 8 h, @bob")
    assert smtp.messages == []  # the post is written; nothing is sent in its request
    run_worker()  # the fan-out's task, then the e-mail's task it enqueued
    run_worker()
    (message,) = smtp.messages
    assert message["Subject"].strip() == (
        "Alice Martin vous a mentionné dans « Planning du chantier »"
    )
    assert f"/posts/{post.pk}/" in parts(message)[0]
    assert Notification.objects.get(recipient=bob, kind="mention").emailed_at is not None


def test_a_confidential_spaces_text_never_leaves_in_an_e_mail(
    world: dict[str, Any], smtp: SmtpSink
) -> None:
    addressed(world["alice"])
    addressed(world["carol"])
    post = publish(world["alice"], world["confidential"], "Plan social 2027 : 40 postes")
    row = make_notification(world["carol"], "mention", "email", world["alice"], content=post)
    notify_after_commit(row)
    run_worker()
    (message,) = smtp.messages
    assert "contenu confidentiel" in message["Subject"]
    text, html = parts(message)
    for part in (message["Subject"], text, html):
        assert "Plan social" not in part
    assert f"/posts/{post.pk}/" in text  # the page that records the read


def test_the_one_click_link_of_a_received_e_mail_unsubscribes(
    world: dict[str, Any], smtp: SmtpSink, settings: Any
) -> None:
    from django.test import Client

    from rucher.notifications.models import Preference

    settings.RUCHER_UNSUBSCRIBE_MAILTO = "unsubscribe@rucher.example.org"
    addressed(world["alice"])
    bob = addressed(world["bob"])
    Preference.objects.create(person=bob, kind="mention", channel="email")
    notify_after_commit(mention(world))
    run_worker()
    (message,) = smtp.messages
    header = " ".join(message["List-Unsubscribe"].split())
    url, mailto = (part.strip("<> ") for part in header.split(","))
    assert mailto == "mailto:unsubscribe@rucher.example.org?subject=unsubscribe"
    path = url.removeprefix("https://rucher.example.org")
    # What a mail client does (RFC 8058): a POST with this body, no cookie, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Preference.objects.get(person=bob, kind="mention").channel == "app"
