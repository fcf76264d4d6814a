"""Attachment files: the documented limits on size and type (the bytes must match the
declared type). Attaching is an action: ``conversations.actions.attachments``."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from rucher.errors import Invalid

# Magic numbers of the binary types we accept: a declared type must match the bytes.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}
ZIP_BASED = ("officedocument", "opendocument")


def check_upload(upload: UploadedFile) -> str:
    """The upload's checked content type, or Invalid with the documented limits."""
    limit = settings.RUCHER_MAX_ATTACHMENT_BYTES
    if upload.size is None or upload.size == 0:
        raise Invalid(_("the file is empty"))
    if upload.size > limit:
        raise Invalid(_("files are limited to %(mb)s MB") % {"mb": limit // (1024 * 1024)})
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    allowed = settings.RUCHER_ATTACHMENT_TYPES
    if declared not in allowed:
        raise Invalid(_("file type not allowed: %(type)s") % {"type": declared or _("unknown")})
    head = upload.read(16)
    upload.seek(0)
    if declared in SIGNATURES and not head.startswith(SIGNATURES[declared]):
        raise Invalid(_("the file's content does not match its type"))
    if any(z in declared for z in ZIP_BASED) and not head.startswith(b"PK\x03\x04"):
        raise Invalid(_("the file's content does not match its type"))
    if declared.startswith("text/") and b"\x00" in head:
        raise Invalid(_("the file's content does not match its type"))
    return declared
