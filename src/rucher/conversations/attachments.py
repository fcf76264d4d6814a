"""Attachments: stored under the data directory, checked for size and type."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from rucher.conversations.models import Attachment, Content
from rucher.errors import Forbidden, Invalid
from rucher.people.models import Person

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


@transaction.atomic
def attach(person: Person, content: Content, upload: UploadedFile) -> Attachment:
    if content.author_id != person.pk:
        raise Forbidden(_("only the author attaches files"))
    content_type = check_upload(upload)
    # The stored and downloaded name takes the extension of the CHECKED type, so a file
    # declared as text never lands on a disk as .html or .exe.
    stem = Path(upload.name or "fichier").stem[:150] or "fichier"
    name = f"{stem}{settings.RUCHER_ATTACHMENT_TYPES[content_type]}"
    attachment = Attachment(
        content=content, name=name, size=upload.size or 0, content_type=content_type
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment
