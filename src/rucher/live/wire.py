"""The server-sent events wire format (https://html.spec.whatwg.org/#server-sent-events).

One message is ``id``, ``event`` and one ``data`` line of JSON, ended by a blank line; a line
starting with ``:`` is a comment (the heartbeat). ``id`` is the event log's id up to which the
server has looked: a browser sends it back as ``Last-Event-ID`` when it reconnects, and the
server resumes from there.
"""

from __future__ import annotations

import json
from typing import Any

HEARTBEAT = b": keep-alive\n\n"
# Reconnect after 3 s (the browser's default varies); sent once, first.
RETRY = b"retry: 3000\n\n"


def message(event: str, data: dict[str, Any], event_id: int | None = None) -> bytes:
    """One message. The JSON has no newline (``json.dumps`` escapes them), so one ``data``
    line carries it whole."""
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, separators=(",", ":"), sort_keys=True))
    return ("\n".join(lines) + "\n\n").encode()


def parse_event_id(raw: str | None) -> int | None:
    """A ``Last-Event-ID`` (or ``?since=``) as an event id; anything else is "none"."""
    if raw is None:
        return None
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)
