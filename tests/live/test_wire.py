"""The server-sent events wire format."""

from __future__ import annotations

from rucher.live import wire


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
