"""The server-sent events wire format."""

from __future__ import annotations

import pytest
import redis

from rucher.live import broker, wire


def test_a_message_is_id_event_and_one_data_line_then_a_blank_line() -> None:
    assert wire.message("posts", {"count": 3}, 42) == b'id: 42\nevent: posts\ndata: {"count":3}\n\n'


def test_newlines_in_data_never_break_the_frame() -> None:
    frame = wire.message("x", {"text": "a\nb\r\nc"})
    assert frame.count(b"\n") == 3  # event, data, blank line
    assert frame.endswith(b"\n\n")


def test_heartbeat_is_a_comment_and_retry_a_field() -> None:
    assert wire.HEARTBEAT.startswith(b":")
    assert wire.HEARTBEAT.endswith(b"\n\n")
    assert wire.RETRY == b"retry: 3000\n\n"


def test_last_event_id_parsing() -> None:
    assert wire.parse_event_id(" 17 ") == 17
    for bad in (None, "", "-1", "1e3", "abc", "١٢", "9" * 40):
        assert wire.parse_event_id(bad) is None


def test_redis_down_is_not_tried_at_every_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """A write has committed when the doorbell rings: a dead Redis costs one short timeout,
    then nothing for a few seconds."""
    calls: list[str] = []

    class Down:
        def publish(self, channel: str, message: bytes) -> None:
            calls.append(channel)
            raise redis.ConnectionError("down")

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(broker._clients, "redis://127.0.0.1:1/0", Down())
    monkeypatch.setattr(broker, "_failed_at", -broker.QUIET_AFTER_FAILURE)
    broker.publish()
    broker.publish()
    assert calls == [broker.CHANNEL]
