"""The application around the pages: language saved in the profile, day-first English dates,
profile photos (square, cached, for those who may see the person), manifest, service worker
and offline page, the navigation column's spaces."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import formats, translation
from PIL import Image

from rucher.activity.models import Event
from rucher.notifications.fanout import KIND_OF_VERB, notify
from rucher.people.actions import set_photo
from rucher.people.models import Person

pytestmark = pytest.mark.django_db


def _png(width: int = 300, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_the_language_switch_saves_the_choice_and_it_follows_the_person(
    world: dict[str, Any], client_for: Any, client: Any
) -> None:
    bob = client_for(world["bob"])
    answer = bob.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert answer.status_code == 302
    assert Person.objects.get(pk=world["bob"].pk).language == "en"
    # Another browser (no language cookie, asking for French): English once signed in.
    client.force_login(world["bob"])
    page = client.get("/", headers={"accept-language": "fr"}).content.decode()
    assert '<html lang="en">' in page and "Share something…" in page
    # A language rucher does not have is not saved.
    bob.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert Person.objects.get(pk=world["bob"].pk).language == "en"


def test_english_dates_are_day_first_with_a_24_hour_clock() -> None:
    moment = datetime(2026, 12, 6, 17, 53)
    with translation.override("en"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "06/12/2026 17:53"
        assert formats.date_format(moment, "DATE_FORMAT") == "6 December 2026"
    with translation.override("fr"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "06/12/2026 17:53"


def test_a_photo_is_cropped_square_served_cached_and_only_to_who_may_see(
    world: dict[str, Any], client_for: Any
) -> None:
    alice = world["alice"]
    answer = client_for(alice).post(
        "/people/me/photo/", {"photo": SimpleUploadedFile("me.png", _png(), "image/png")}
    )
    assert answer.status_code == 302
    alice.refresh_from_db()
    assert alice.photo.name.endswith(".jpg")
    page = client_for(world["bob"]).get(f"/people/{alice.pk}/").content.decode()
    src = page.split('class="avatar big" src="')[1].split('"')[0]
    served = client_for(world["bob"]).get(src)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert "max-age=31536000" in served["Cache-Control"] and "private" in served["Cache-Control"]
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as image:
        assert image.size == (256, 256)
    # Nobody's photo by a made-up address.
    assert client_for(world["bob"]).get(f"/people/{world['bob'].pk}/photo/x.jpg").status_code == 404


def test_a_file_that_is_not_an_image_is_refused_with_a_message(
    world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(world["alice"])
    answer = client.post(
        "/people/me/photo/",
        {"photo": SimpleUploadedFile("me.png", b"not an image", "image/png")},
        follow=True,
    )
    assert "pas une image que rucher sait lire" in answer.content.decode()
    world["alice"].refresh_from_db()
    assert not world["alice"].photo


def test_removing_the_photo_brings_back_the_generated_avatar(world: dict[str, Any]) -> None:
    from rucher.people.actions import remove_photo

    alice = set_photo(world["alice"], io.BytesIO(_png(50, 80)))
    assert alice.photo
    remove_photo(alice)
    assert not Person.objects.get(pk=alice.pk).photo


def test_manifest_service_worker_and_offline_page(client: Any) -> None:
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    worker = client.get("/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    assert '"/offline/"' in worker.content.decode()  # the shell's list was filled in
    offline = client.get("/offline/")
    assert offline.status_code == 200 and "Vous êtes hors ligne" in offline.content.decode()


def test_the_navigation_lists_my_spaces_with_their_unread_marks(
    world: dict[str, Any], client_for: Any
) -> None:
    from rucher.conversations.actions import publish
    from rucher.notifications.queries import my_spaces

    publish(world["alice"], world["open"], "Bonjour @bob")
    for event in Event.objects.filter(verb__in=list(KIND_OF_VERB)).order_by("id"):
        notify(event)  # what the worker does after the commit
    spaces = {s.name: s.unread for s in my_spaces(world["bob"])}
    assert spaces == {"Ouvert": 1}
    page = client_for(world["bob"]).get("/").content.decode()
    assert 'aria-labelledby="nav-spaces-title"' in page and "Ouvert" in page
    # gus (partner guest) sees only his partner space there, never an internal one.
    assert [s.name for s in my_spaces(world["gus"])] == ["Partenaires"]
