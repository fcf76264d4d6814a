"""A stored file served as a download, for the pages and the API alike.

The caller has checked that the person may have it (the read policy, or a conversation's
participants); this only opens the file and answers. A file the database knows but the
storage has lost is "file not found" (``NotFound``: a 404 on both transports)."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from rucher.errors import NotFound


def file_download(stored: FieldFile, name: str, content_type: str) -> FileResponse:
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise NotFound(_("file not found")) from None
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
