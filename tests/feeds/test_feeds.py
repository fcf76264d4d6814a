"""The RSS/Atom feeds (docs/feeds.md): well-formed (parsed by feedparser), their items, and
the read policy applied as the key's holder at each request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rucher.conversations import actions as conversations
from rucher.feeds.keys import key_from_nonce
from rucher.feeds.links import feed_path
from rucher.feeds.models import FeedToken
from rucher.spaces.actions import leave_space
from rucher.streams import actions as streams

pytestmark = pytest.mark.django_db

BASE = "http://rucher.example.test"


@pytest.fixture(autouse=True)
def base_url(settings: Any) -> None:
    settings.RUCHER_BASE_URL = BASE


def titles(parsed: Any) -> list[str]:
    return [entry.title for entry in parsed.entries]


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_a_space_feed_is_well_formed_with_its_items_newest_first(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any], fmt: str
) -> None:
    alice, bob = world["alice"], world["bob"]
    first = conversations.publish(alice, world["open"], "Premier message\nla suite #budget @bob")
    conversations.reply(bob, first, "Un commentaire")
    conversations.publish(bob, world["open"], "Qui vient jeudi ?", "question")
    conversations.create_poll(alice, world["open"], "Quel jour ?", ["Lundi", "Mardi"])
    parsed = fetch(key_of(bob), "space", world["open"].slug, fmt)

    assert not parsed.bozo, parsed.get("bozo_exception")
    expected_type = "application/atom+xml" if fmt == "atom" else "application/rss+xml"
    assert parsed["response"]["Content-Type"].startswith(expected_type)
    assert parsed.version == ("atom10" if fmt == "atom" else "rss20")
    assert parsed.feed.title == "Ouvert · rucher"
    assert parsed.feed.link == f"{BASE}/spaces/{world['open'].slug}/"
    # Posts, questions and polls, not comments; newest first.
    assert titles(parsed) == ["Quel jour ?", "Qui vient jeudi ?", "Premier message"]
    post = parsed.entries[2]
    assert post.link == f"{BASE}/posts/{first.pk}/"
    assert post.author == alice.display_name
    assert [tag.term for tag in post.tags] == ["budget"]
    assert post.published_parsed is not None
    # The summary is the site's sanitised HTML, links made absolute, with the reply count.
    assert f'href="{BASE}/topics/budget/"' in post.summary
    assert f'href="{BASE}/people/@bob/"' in post.summary
    assert "1 comment" in post.summary
    assert "0 answers" in parsed.entries[1].summary


def test_the_summary_is_never_the_raw_text(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    conversations.publish(world["alice"], world["open"], "<script>alert(1)</script> **gras**")
    parsed = fetch(key_of(world["bob"]), "space", world["open"].slug)
    summary = parsed.entries[0].summary
    assert "<script>" not in summary and "<strong>gras</strong>" in summary


def test_a_feed_holds_at_most_thirty_items(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    for n in range(33):
        conversations.publish(world["alice"], world["open"], f"Message {n}")
    parsed = fetch(key_of(world["bob"]), "space", world["open"].slug)
    assert len(parsed.entries) == 30 and parsed.entries[0].title == "Message 32"


def test_a_topic_feed_holds_what_the_holder_may_read_about_it(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    alice = world["alice"]
    conversations.publish(alice, world["open"], "Ouvert #budget")
    conversations.publish(alice, world["private"], "Privé #budget")
    conversations.publish(alice, world["secret"], "Secret #budget")
    conversations.publish(alice, world["confidential"], "Confidentiel #budget")
    conversations.publish(alice, world["open"], "Autre #sport")
    assert titles(fetch(key_of(world["bob"]), "topic", "budget")) == ["Ouvert #budget"]
    # carol reads the private and secret spaces; the confidential one never leaves rucher.
    parsed = fetch(key_of(world["carol"]), "topic", "Budget", "rss")
    assert titles(parsed) == ["Secret #budget", "Privé #budget", "Ouvert #budget"]
    assert parsed.feed.title == "#budget · rucher"


def test_the_home_feed_is_the_holders_home_stream(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    alice, carol = world["alice"], world["carol"]
    conversations.publish(alice, world["private"], "Dans le privé")
    conversations.publish(alice, world["confidential"], "Dans le confidentiel")
    conversations.publish(alice, world["open"], "Dans l'ouvert, que carol ne suit pas")
    parsed = fetch(key_of(carol), "home")
    assert not parsed.bozo
    assert titles(parsed) == ["Dans le privé"]
    streams.follow(carol, "space", world["open"].pk)
    assert titles(fetch(key_of(carol), "home")) == [
        "Dans l'ouvert, que carol ne suit pas",
        "Dans le privé",
    ]


def test_a_home_feed_busy_with_a_confidential_space_still_fills_up(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    alice = world["alice"]
    conversations.publish(alice, world["private"], "Ancien message privé")
    for n in range(35):
        conversations.publish(alice, world["confidential"], f"Confidentiel {n}")
    assert titles(fetch(key_of(world["carol"]), "home")) == ["Ancien message privé"]


# --- the read policy, as the holder, at each request --------------------------------------


def test_a_member_removed_from_a_private_space_no_longer_gets_it(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    carol = world["carol"]
    conversations.publish(world["alice"], world["private"], "Pour les membres #budget")
    key = key_of(carol)
    assert titles(fetch(key, "space", world["private"].slug)) == ["Pour les membres #budget"]
    leave_space(carol, world["private"])
    assert fetch(key, "space", world["private"].slug).status_code == 404
    assert titles(fetch(key, "topic", "budget")) == []
    assert titles(fetch(key, "home")) == []


def test_a_secret_space_is_not_found_for_someone_outside_it(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    conversations.publish(world["alice"], world["secret"], "Chut")
    key = key_of(world["bob"])
    assert fetch(key, "space", world["secret"].slug).status_code == 404
    # The same answer as a space that does not exist, and as a private space bob cannot read.
    assert fetch(key, "space", "nulle-part").status_code == 404
    assert fetch(key, "space", world["private"].slug).status_code == 404
    assert titles(fetch(key_of(world["carol"]), "space", world["secret"].slug)) == ["Chut"]


def test_a_confidential_space_has_no_feed_even_for_its_members(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    conversations.publish(world["alice"], world["confidential"], "Confidentiel")
    assert fetch(key_of(world["carol"]), "space", world["confidential"].slug).status_code == 404


def test_a_partner_guest_reads_only_the_partner_space(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    alice, gus = world["alice"], world["gus"]
    conversations.publish(alice, world["partner"], "Avec nos partenaires #budget")
    conversations.publish(alice, world["open"], "Entre nous #budget")
    key = key_of(gus)
    assert titles(fetch(key, "space", world["partner"].slug)) == ["Avec nos partenaires #budget"]
    assert fetch(key, "space", world["open"].slug).status_code == 404
    assert titles(fetch(key, "topic", "budget")) == ["Avec nos partenaires #budget"]
    assert titles(fetch(key, "home")) == ["Avec nos partenaires #budget"]


def test_a_revoked_or_replaced_key_is_not_found(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    from rucher.feeds.actions import revoke_feed_key

    bob = world["bob"]
    old = key_of(bob)
    new = key_of(bob)  # regenerating revokes the old key
    assert fetch(old, "home").status_code == 404
    assert fetch(new, "home").status_code == 200
    revoke_feed_key(bob)
    assert fetch(new, "home").status_code == 404


@pytest.mark.parametrize("change", ["left", "inactive"])
def test_the_key_of_someone_who_left_or_is_inactive_is_not_found(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any], change: str
) -> None:
    bob = world["bob"]
    key = key_of(bob)
    if change == "left":
        bob.left_at = timezone.now() - timedelta(minutes=1)
    else:
        bob.is_active = False
    bob.save()
    assert fetch(key, "home").status_code == 404
    assert fetch(key, "space", world["open"].slug).status_code == 404


def test_a_departure_planned_for_later_keeps_the_key_working_until_then(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    bob = world["bob"]
    key = key_of(bob)
    bob.left_at = timezone.now() + timedelta(days=3)
    bob.save()
    assert fetch(key, "home").status_code == 200


# --- bad input: a 404, never a 500 --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/rcf_short/home.atom",
        "/feeds/not-a-key/home.atom",
        "/feeds/" + "rcf_" + "A" * 43 + "/home.atom",  # well formed, unknown
        "/feeds/" + "rcf_" + "A" * 43 + "/spaces/ouvert.atom",
        "/feeds/{key}/home.json",
        "/feeds/{key}/home",
        "/feeds/{key}/spaces/ouvert.xml",
        "/feeds/{key}/spaces/.atom",
        "/feeds/{key}/spaces/nulle-part.atom",
        "/feeds/{key}/spaces/%00.atom",
        "/feeds/{key}/spaces/ouvert%00.rss",
        "/feeds/{key}/spaces/" + "a" * 5000 + ".atom",
        "/feeds/{key}/spaces/ouvert.atom%00",
        "/feeds/{key}/topics/%00.atom",
        "/feeds/{key}/topics/%20.atom",
        "/feeds/{key}/topics/" + "x" * 300 + ".atom",
        "/feeds/{key}/topics/%23.rss",
        "/feeds/{key}/elsewhere/ouvert.atom",
        "/feeds/{key}%00/home.atom",
        "/feeds/" + "é" * 47 + "/home.atom",
    ],
)
def test_bad_input_is_not_found(
    world: dict[str, Any], key_of: Callable[..., str], path: str
) -> None:
    key = key_of(world["bob"])
    response = Client(raise_request_exception=False).get(path.replace("{key}", key))
    assert response.status_code == 404, (path, response.status_code)


def test_only_reads_are_allowed(world: dict[str, Any], key_of: Callable[..., str]) -> None:
    path = feed_path(key_of(world["bob"]), "home")
    assert Client().post(path).status_code == 405
    assert Client().head(path).status_code == 200


def test_the_database_holds_no_key(world: dict[str, Any], key_of: Callable[..., str]) -> None:
    key = key_of(world["bob"])
    row = FeedToken.objects.get(person=world["bob"], revoked_at__isnull=True)
    assert key not in {row.nonce, row.token_hash}
    assert key_from_nonce(row.nonce) == key  # shown again on the person's own pages


def test_a_new_secret_key_retires_every_feed_url(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any], settings: Any
) -> None:
    key = key_of(world["bob"])
    settings.SECRET_KEY = "another secret, after a rotation" * 2
    assert fetch(key, "home").status_code == 404


def test_a_feed_speaks_the_readers_language(
    world: dict[str, Any], key_of: Callable[..., str], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "fr"
    post = conversations.publish(world["alice"], world["open"], "Bonjour")
    conversations.reply(world["bob"], post, "Salut")
    path = feed_path(key_of(world["bob"]), "home")
    french = Client().get(path)
    assert "1 commentaire" in french.content.decode()
    assert "Fil d’accueil de Bob Test" in french.content.decode()
    english = Client().get(path, headers={"accept-language": "en"})
    assert "1 comment&lt;" in english.content.decode()
    assert english["ETag"] != french["ETag"]


def test_a_topic_with_accents_has_its_feed(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    conversations.publish(world["alice"], world["open"], "Bientôt #été")
    parsed = fetch(key_of(world["bob"]), "topic", "été")
    assert titles(parsed) == ["Bientôt #été"]
    assert [tag.term for tag in parsed.entries[0].tags] == ["été"]
    assert parsed.feed.link == f"{BASE}/topics/%C3%A9t%C3%A9/"


def test_a_bare_share_is_titled_by_the_shared_post_while_it_is_published(
    world: dict[str, Any], key_of: Callable[..., str], fetch: Callable[..., Any]
) -> None:
    original = conversations.publish(world["alice"], None, "Le rapport annuel est en ligne")
    conversations.share(world["bob"], original, world["open"], "")
    key = key_of(world["bob"])
    parsed = fetch(key, "space", world["open"].slug)
    assert titles(parsed) == ["Le rapport annuel est en ligne"]
    assert "Shared from" in parsed.entries[0].summary
    conversations.delete(world["alice"], original)
    parsed = fetch(key, "space", world["open"].slug)
    assert titles(parsed) == ["A post by Bob Test"]
    assert "rapport" not in parsed.entries[0].summary
    assert "This content was deleted." in parsed.entries[0].summary
