"""Attach a file to one's own content: checked, stored under the data directory, and an
``edited`` event (the content now shows the file, so cached pages must renew)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.conversations.actions.common import readable
from rucher.conversations.attachments import check_upload
from rucher.conversations.models import Attachment, Content
from rucher.errors import Forbidden
from rucher.people.models import Person
from rucher.spaces import permissions


@transaction.atomic
def attach(person: Person, content: Content, upload: UploadedFile) -> Attachment:
    content = readable(person, content)
    if not permissions.can_edit(person, content):
        raise Forbidden(_("only the author attaches files"))
    if content.space is not None:
        permissions.require_post_in(person, content.space)
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
    record(person, "edited", content.kind, content.pk, space_id=content.space_id)
    return attachment
