"""One-click unsubscribe (RFC 8058): signed links that work without signing in, and refuse
forged, altered, expired or foreign tokens with a clear 400 (never a 500)."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from rucher.notifications.models import Preference, Settings
from rucher.notifications.unsubscribe import (
    SALT,
    BadLink,
    digest_on,
    link_for,
    read_token,
    token_for,
    unsubscribe,
)

pytestmark = pytest.mark.django_db


def path_of(token: str) -> str:
    return reverse("unsubscribe", args=[token])


def channel(person: Any, kind: str) -> str | None:
    found = Preference.objects.filter(person=person, kind=kind).first()
    return found.channel if found else None


def test_get_asks_post_unsubscribes_and_a_replay_changes_nothing(world: dict[str, Any]) -> None:
    bob = world["bob"]
    Preference.objects.create(person=bob, kind="mention", channel="email")
    client = Client(enforce_csrf_checks=True)
    url = path_of(token_for(bob.pk, "mention"))

    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "ne plus recevoir les e-mails quand on vous mentionne" in body
    assert 'method="post"' in body and "Se désabonner" in body
    assert channel(bob, "mention") == "email"  # a GET (a link scanner) changes nothing

    done = client.post(url, {"List-Unsubscribe": "One-Click"})  # no cookie, no CSRF token
    assert done.status_code == 200
    assert "vous ne recevrez plus les e-mails quand on vous mentionne" in done.content.decode()
    assert reverse("notification_settings") in done.content.decode()
    assert channel(bob, "mention") == "app"  # still in the notification centre

    again = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    assert "Rien à changer" in again.content.decode()
    assert channel(bob, "mention") == "app"


def test_the_page_speaks_the_persons_language(world: dict[str, Any]) -> None:
    Settings.objects.create(person=world["bob"], language="en")
    page = Client().get(path_of(token_for(world["bob"].pk, "weekly")))
    assert "stop receiving the weekly digest" in page.content.decode()


def test_a_kind_that_was_not_e_mailed_stays_as_it_was(world: dict[str, Any]) -> None:
    bob = world["bob"]
    Preference.objects.create(person=bob, kind="new_post", channel="off")
    assert unsubscribe(bob.pk, "new_post").changed is False
    assert channel(bob, "new_post") == "off"  # not turned on in the app by an unsubscribe
    assert unsubscribe(bob.pk, "reply").changed is True  # default: weekly digest
    assert channel(bob, "reply") == "app"


def test_turning_a_digest_off(world: dict[str, Any]) -> None:
    bob, carol = world["bob"], world["carol"]
    assert digest_on([bob.pk, carol.pk], "weekly") == {bob.pk, carol.pk}  # the defaults
    assert digest_on([bob.pk], "daily") == set()
    Preference.objects.create(person=bob, space=world["open"], channel="weekly")

    Client().post(path_of(token_for(bob.pk, "weekly")))
    assert digest_on([bob.pk, carol.pk], "weekly") == {carol.pk}
    assert Preference.objects.get(person=bob, space=world["open"]).channel == "app"
    assert {channel(bob, kind) for kind in ("reply", "reaction", "role_change")} == {"app"}


@pytest.mark.parametrize(
    "make",
    [
        # Signed with another salt (a password-reset style signature reused here).
        lambda pk: signing.dumps([pk, "mention"], salt="another.purpose", compress=False),
        # Another person's id pasted into a valid token's payload.
        lambda pk: (
            token_for(pk + 1, "mention").split(":")[0]
            + ":"
            + token_for(pk, "mention").split(":", 1)[1]
        ),
        # The signature altered by one character.
        lambda pk: (
            token_for(pk, "mention")[:-1]
            + ("A" if not token_for(pk, "mention").endswith("A") else "B")
        ),
        # Cut short, or not a token at all.
        lambda pk: token_for(pk, "mention")[:20],
        lambda pk: "nonsense",
        lambda pk: "%00%ff",
        # A valid signature over something that is not ours.
        lambda pk: signing.dumps({"p": pk}, salt=SALT),
        lambda pk: signing.dumps([pk, "everything"], salt=SALT, compress=False),
    ],
)
def test_forged_or_tampered_links_are_a_clear_400(world: dict[str, Any], make: Any) -> None:
    bob = world["bob"]
    client = Client(raise_request_exception=False)
    for method in (client.get, client.post):
        response = method(path_of(make(bob.pk)))
        assert response.status_code == 400
        assert "Ce lien ne peut pas être utilisé" in response.content.decode()
    assert not Preference.objects.filter(person=bob).exists()


def test_an_expired_link_says_so(world: dict[str, Any], settings: Any) -> None:
    token = token_for(world["bob"].pk, "mention")
    later = time.time() + settings.RUCHER_UNSUBSCRIBE_MAX_AGE_DAYS * 86400 + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = Client().post(path_of(token))
        with pytest.raises(BadLink):
            read_token(token)
    assert response.status_code == 400
    assert "a expiré" in response.content.decode()
    assert not Preference.objects.filter(person=world["bob"]).exists()


def test_a_link_for_an_account_gone_is_a_400(world: dict[str, Any]) -> None:
    token = token_for(world["bob"].pk, "mention")
    world["bob"].is_active = False
    world["bob"].save()
    assert Client().post(path_of(token)).status_code == 400


def test_links_are_absolute_and_round_trip(world: dict[str, Any], settings: Any) -> None:
    settings.RUCHER_BASE_URL = "https://rucher.example.org/social"
    link = link_for(world["carol"].pk, "daily")
    assert link.startswith("https://rucher.example.org/social/unsubscribe/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert read_token(token) == (world["carol"].pk, "daily")


def test_only_get_and_post(world: dict[str, Any]) -> None:
    assert Client().put(path_of(token_for(world["bob"].pk, "mention"))).status_code == 405
