"""rucher.paging: the one definition of page sizes and cursors (streams and API lists)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation

from rucher.errors import Invalid
from rucher.paging import MAX_ID, decode_cursor, encode_cursor, page_size


@override_settings(RUCHER_STREAM_PAGE_SIZE=20, RUCHER_STREAM_MAX_PAGE_SIZE=100)
def test_page_size_default_and_bounds() -> None:
    assert page_size(None) == 20
    assert page_size(1) == 1
    assert page_size("100") == 100
    for bad in (0, 101, -1, "ten", 2.5j, True, [3]):
        with pytest.raises(Invalid):
            page_size(bad)


@override_settings(RUCHER_STREAM_MAX_PAGE_SIZE=100)
def test_page_size_errors_are_translated() -> None:
    with translation.override("fr"), pytest.raises(Invalid) as error:
        page_size(500)
    assert "100" in error.value.message and "limit must" not in error.value.message
    with translation.override("fr"), pytest.raises(Invalid) as error:
        page_size("dix")
    assert "whole number" not in error.value.message


def test_a_cursor_round_trips() -> None:
    assert decode_cursor(encode_cursor(["Dupont", "Anne", 42]), 3) == ["Dupont", "Anne", 42]
    assert decode_cursor(encode_cursor(["x", MAX_ID]), 2) == ["x", MAX_ID]


@pytest.mark.parametrize(
    "forged",
    [
        "%%%",
        "",
        "WzFd",  # [1]: the wrong width
        encode_cursor(["a", 0]),
        encode_cursor(["a", -1]),
        encode_cursor(["a", MAX_ID + 1]),
        encode_cursor(["a", "1"]),
        encode_cursor(["a", True]),
        encode_cursor([1, 1]),
        "eyJhIjogMX0",  # {"a": 1}
    ],
)
def test_a_forged_cursor_is_invalid(forged: Any) -> None:
    with pytest.raises(Invalid):
        decode_cursor(forged, 2)
    with translation.override("fr"), pytest.raises(Invalid) as error:
        decode_cursor(forged, 2)
    assert error.value.message != "invalid cursor"
