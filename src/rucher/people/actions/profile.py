"""Write paths for people: profiles. (Contacts are the directory's: they depend on who one
may see, which the read policy above people decides.)"""

from __future__ import annotations

import io
import secrets
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from rucher.activity.actions import record
from rucher.errors import Invalid
from rucher.people.models import Department, Person, Site, Tag

PROFILE_LIMITS = {"job_title": 120, "bio": 1000, "languages": 60}
MAX_TAGS = 30


def _tags(names: object) -> list[Tag]:
    if isinstance(names, str):
        names = [n for n in names.split(",")]
    if not isinstance(names, list | tuple):
        raise Invalid(_("skills and expertise are lists of words"))
    clean = list(dict.fromkeys(str(n).strip().lower() for n in names if str(n).strip()))
    if len(clean) > MAX_TAGS or any(len(n) > 60 for n in clean):
        raise Invalid(_("at most %(max)s tags of at most 60 characters") % {"max": MAX_TAGS})
    Tag.objects.bulk_create([Tag(name=n) for n in clean], ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=clean))


def _listed(model: type[Department] | type[Site], name: object, what: str) -> Any:
    """The organisation's department or site of this name, None for an empty name. The list
    is the organisation's (administrators keep it, the directory sync will): a member picks
    from it and never creates an entry, which would distort every figure by department."""
    if name is None or (isinstance(name, str) and not name.strip()):
        return None
    if not isinstance(name, str):
        raise Invalid(_("%(field)s must be a string") % {"field": what})
    found = model.objects.filter(name__iexact=name.strip()).first()
    if found is None:
        raise Invalid(
            _("%(name)s is not in the organisation's list of %(kind)s: choose one from it")
            % {"name": name.strip(), "kind": what}
        )
    return found


@transaction.atomic
def update_profile(person: Person, **fields: Any) -> Person:
    """Fields: job_title, bio, languages, department (name), site (name), skills, expertise,
    show_influence. Unknown fields are an error, not silently ignored."""
    allowed = set(PROFILE_LIMITS) | {"department", "site", "skills", "expertise", "show_influence"}
    unknown = set(fields) - allowed
    if unknown:
        raise Invalid(
            _("unknown profile field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    for name, limit in PROFILE_LIMITS.items():
        if name in fields:
            value = fields[name]
            if not isinstance(value, str) or len(value) > limit:
                raise Invalid(
                    _("%(field)s is text of at most %(limit)s characters")
                    % {"field": name, "limit": limit}
                )
            setattr(person, name, value.strip())
    if "department" in fields:
        person.department = _listed(Department, fields["department"], _("department"))
    if "site" in fields:
        person.site = _listed(Site, fields["site"], _("site"))
    if "show_influence" in fields:
        person.show_influence = bool(fields["show_influence"])
    person.save()
    record(person, "edited", "person", person.pk)  # names and titles show in streams
    if "skills" in fields:
        person.skills.set(_tags(fields["skills"]))
    if "expertise" in fields:
        person.expertise.set(_tags(fields["expertise"]))
    return person


@transaction.atomic
def set_language(person: Person, language: str) -> Person:
    """The interface language the person chose: French or English ("" = the browser's)."""
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes and language != "":
        raise Invalid(_("%(code)s is not a language of rucher") % {"code": language})
    person.language = language
    person.save(update_fields=["language"])
    record(person, "edited", "person", person.pk)
    return person


PHOTO_SIZE = 256  # pixels, square: enough for the largest avatar (96 CSS px) on a 2x screen
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded


def _square(upload: IO[bytes]) -> bytes:
    """The image cropped to its centred square, resized and saved as JPEG (no metadata: the
    camera's EXIF, GPS included, does not leave the server)."""
    try:
        with Image.open(upload) as opened:
            if opened.width * opened.height > PHOTO_MAX_PIXELS:
                raise Invalid(_("the image is too large: at most 40 megapixels"))
            upright = ImageOps.exif_transpose(opened)
            image = ImageOps.fit(
                upright.convert("RGB"), (PHOTO_SIZE, PHOTO_SIZE), Image.Resampling.LANCZOS
            )
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise Invalid(
            _("this file is not an image rucher can read (JPEG, PNG, WebP, GIF)")
        ) from error
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def set_photo(person: Person, upload: IO[bytes], size: int | None = None) -> Person:
    """Replace the person's photo: cropped to a square and resized on the server (Pillow)."""
    if size is not None and size > PHOTO_MAX_BYTES:
        raise Invalid(_("the image is too large: at most 8 MB"))
    data = _square(upload)  # before the transaction: decoding is slow and writes nothing
    old = person.photo.name if person.photo else ""
    with transaction.atomic():
        name = f"{person.pk}-{secrets.token_hex(6)}.jpg"
        person.photo.save(name, ContentFile(data), save=False)
        try:
            person.save(update_fields=["photo"])
            record(person, "edited", "person", person.pk)
        except BaseException:
            person.photo.storage.delete(person.photo.name)
            person.photo.name = old
            raise
        if old:
            storage = person.photo.storage
            transaction.on_commit(lambda: storage.delete(old))
    return person


@transaction.atomic
def remove_photo(person: Person) -> Person:
    """Back to the generated avatar (initials on a colour)."""
    old = person.photo.name if person.photo else ""
    person.photo = ""
    person.save(update_fields=["photo"])
    record(person, "edited", "person", person.pk)
    if old:
        storage = person.photo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return person
