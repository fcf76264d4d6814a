from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from rucher.conversations import actions
from rucher.conversations.actions import attach
from rucher.conversations.attachments import check_upload
from rucher.errors import Forbidden, Invalid

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_real_png_is_stored_under_the_data_directory(
    world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    post = actions.publish(world["alice"], world["open"], "Le schéma")
    attachment = attach(world["alice"], post, SimpleUploadedFile("s.png", PNG, "image/png"))
    assert attachment.size == len(PNG)
    assert (tmp_path / attachment.file.name).read_bytes() == PNG


@pytest.mark.parametrize(
    ("name", "data", "content_type", "reason"),
    [
        ("x.exe", b"MZ\x90\x00", "application/x-msdownload", "not allowed"),
        ("fake.png", b"GIF89a....", "image/png", "does not match"),
        ("empty.txt", b"", "text/plain", "empty"),
    ],
)
def test_forbidden_or_lying_files_are_refused(
    name: str, data: bytes, content_type: str, reason: str
) -> None:
    with translation.override("en"), pytest.raises(Invalid, match=reason):
        check_upload(SimpleUploadedFile(name, data, content_type))


def test_too_big_and_not_the_author(world: dict[str, Any], settings: Any) -> None:
    settings.RUCHER_MAX_ATTACHMENT_BYTES = 10
    with translation.override("en"), pytest.raises(Invalid, match="limited"):
        check_upload(SimpleUploadedFile("big.png", PNG, "image/png"))
    post = actions.publish(world["alice"], world["open"], "Doc")
    with pytest.raises(Forbidden):
        attach(world["bob"], post, SimpleUploadedFile("s.png", PNG, "image/png"))


def test_a_file_takes_the_extension_of_its_checked_type(
    world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    """Declared text/plain, named .html: stored and offered back as page.txt, never .html."""
    settings.MEDIA_ROOT = tmp_path
    post = actions.publish(world["alice"], world["open"], "doc")
    upload = SimpleUploadedFile(
        "page.html", b"<script>alert(document.cookie)</script>", content_type="text/plain"
    )
    stored = attach(world["alice"], post, upload)
    assert stored.name == "page.txt", "the name takes the checked type's extension"
    assert stored.file.name.endswith(".txt")
