"""A reader of server-sent events for the tests (imported by name: tests/live is on sys.path)."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Stream:
    """The messages of one event stream, read as they come (comments are kept too)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.iter_lines()
        self.comments: list[str] = []

    def next(self, event: str | None = None) -> dict[str, Any]:
        """The next message (of kind ``event``): its id, event and data; a read that waits
        longer than the client's timeout fails the test."""
        while True:
            fields: dict[str, Any] = {}
            for line in self.lines:
                if line == "":
                    if fields:
                        break
                    continue
                if line.startswith(":"):
                    self.comments.append(line)
                    continue
                name, _, value = line.partition(": ")
                fields[name] = value
            else:
                raise AssertionError("the stream ended")
            if "data" in fields:
                fields["data"] = json.loads(fields["data"])
            if "event" not in fields:
                continue  # the retry field
            if event is None or fields["event"] == event:
                return fields
