"""A real SMTP server for the mail tests (aiosmtpd on a free local port), collecting what it
receives; messages are parsed back with the ``email`` package."""

from __future__ import annotations

import socket
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Collect:
    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append(envelope.original_content or envelope.content)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


class SmtpSink:
    """``start()`` / ``stop()`` on a fixed port, so a test can take the server down and up."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = Collect()
        self.controller: Controller | None = None

    def start(self) -> SmtpSink:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        for _attempt in range(50):  # the port may linger a moment after a stop
            try:
                self.controller.start()
                return self
            except (OSError, RuntimeError):
                time.sleep(0.1)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(raw, policy=policy.default)  # type: ignore[misc]
            for raw in self.handler.raw
        ]

    def use(self, settings: Any) -> None:
        """Point Django's settings (the pytest-django fixture) at this server."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = self.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5


def parts(message: EmailMessage) -> tuple[str, str]:
    """The text and HTML bodies."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def make_notification(
    recipient: Any,
    kind: str,
    channel: str,
    actor: Any,
    content: Any = None,
    space: Any = None,
    actors: int = 1,
    at: Any = None,
) -> Any:
    """A notification row as the fan-out writes it (the fan-out is not needed here)."""
    from django.utils import timezone

    from rucher.notifications.models import Notification, NotificationActor

    at = at or timezone.now()
    row = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        channel=channel,
        content_id=content.pk if content is not None else None,
        space_id=(content.space_id if content is not None else space.pk),
        subject=f"content:{content.pk}" if content is not None else f"space:{space.pk}",
        actor_count=actors,
        last_actor=actor,
        first_event_id=1,
        last_event_id=1,
        created_at=at,
        updated_at=at,
    )
    NotificationActor.objects.create(notification=row, actor=actor)
    return row
