"""Every page renders for the people who may see it and is a 404 for those who may not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from rucher.conversations import actions
from rucher.spaces.models import ConfidentialRead

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    page = client.get("/login/")
    assert page.status_code == 200
    assert b'name="password"' in page.content
    assert b'<html lang="' in page.content


def test_sign_in_with_the_form(client: Client, make_person: Callable[..., Any]) -> None:
    make_person(username="zoe")
    response = client.post("/login/", {"username": "zoe", "password": "demo"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    refused = Client().post("/login/", {"username": "zoe", "password": "nope"})
    assert refused.status_code == 200
    assert b'role="alert"' in refused.content


def test_home_shows_the_stream_and_the_composer(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    actions.publish(world["alice"], world["open"], "Bonjour **tout le monde** #accueil")
    actions.publish(world["alice"], world["secret"], "Projet confidentiel XYZ")
    page = client_for(world["bob"]).get("/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<strong>tout le monde</strong>" in body
    assert "#accueil" in body
    assert "Projet confidentiel XYZ" not in body
    assert 'id="composer"' in body
    assert 'href="#main"' in body  # skip link


@pytest.mark.parametrize(
    ("who", "space", "status"),
    [
        ("alice", "secret", 200),
        ("carol", "secret", 200),
        ("bob", "secret", 404),
        ("cm", "secret", 404),
        ("gus", "open", 404),
        ("gus", "private", 404),
        ("gus", "partner", 200),
        ("bob", "private", 200),  # listed: its card, not its content
        ("bob", "partner", 200),
    ],
)
def test_space_page_visibility(
    world: dict[str, Any],
    client_for: Callable[[Any], Client],
    who: str,
    space: str,
    status: int,
) -> None:
    response = client_for(world[who]).get(f"/spaces/{world[space].slug}/")
    assert response.status_code == status


def test_a_non_member_sees_a_private_space_card_but_not_its_posts(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    actions.publish(world["alice"], world["private"], "Message réservé aux membres")
    page = client_for(world["bob"]).get(f"/spaces/{world['private'].slug}/")
    assert "Message réservé aux membres" not in page.content.decode()
    assert "Ask to join" in page.content.decode() or "Demander" in page.content.decode()


def test_space_list_hides_secret_spaces_from_non_members(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    bob_page = client_for(world["bob"]).get("/spaces/").content.decode()
    assert "Ouvert" in bob_page and "Secret" not in bob_page
    gus_page = client_for(world["gus"]).get("/spaces/").content.decode()
    assert "Partenaires" in gus_page and "Ouvert" not in gus_page


def test_content_page_permissions(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    public = actions.publish(world["alice"], world["open"], "Ouvert à tous")
    secret = actions.publish(world["alice"], world["secret"], "Secret")
    assert client_for(world["bob"]).get(f"/posts/{public.pk}/").status_code == 200
    assert client_for(world["gus"]).get(f"/posts/{public.pk}/").status_code == 404
    assert client_for(world["bob"]).get(f"/posts/{secret.pk}/").status_code == 404
    assert client_for(world["carol"]).get(f"/posts/{secret.pk}/").status_code == 200
    assert client_for(world["bob"]).get("/posts/999999/").status_code == 404


def test_confidential_reads_are_recorded_and_bannered(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    post = actions.publish(world["alice"], world["confidential"], "Chiffres du trimestre")
    carol = client_for(world["carol"])
    before = ConfidentialRead.objects.count()
    page = carol.get(f"/spaces/{world['confidential'].slug}/")
    assert page.status_code == 200
    assert b"banner confidential" in page.content
    assert carol.get(f"/posts/{post.pk}/").status_code == 200
    # the space page (1), the post shown in its stream (1), the post's own page (1)
    reads = ConfidentialRead.objects.order_by("id")[before:]
    assert [(r.object_type, r.object_id) for r in reads] == [
        ("post", post.pk),
        ("space", world["confidential"].pk),
        ("post", post.pk),
    ]


def test_directory_and_profiles_for_a_partner_guest(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    gus = client_for(world["gus"])
    directory = gus.get("/people/").content.decode()
    assert "Alice" in directory and "Bob" not in directory
    assert gus.get(f"/people/{world['bob'].pk}/").status_code == 404
    assert gus.get("/people/@bob/").status_code == 404
    assert gus.get(f"/people/{world['alice'].pk}/").status_code == 200


def test_directory_search_and_filters(
    world: dict[str, Any], client_for: Callable[[Any], Client], make_person: Callable[..., Any]
) -> None:
    make_person(
        username="pierre",
        first_name="Pierre",
        last_name="Durand",
        job_title="Chef de projet",
        department="Logistique",
    )
    client = client_for(world["bob"])
    assert "Durand" in client.get("/people/?q=projet").content.decode()
    assert "Durand" not in client.get("/people/?q=zzz").content.decode()
    assert "Durand" in client.get("/people/?department=Logistique").content.decode()
    assert "Alice" not in client.get("/people/?department=Logistique").content.decode()


def test_profile_org_chart_and_contacts(
    world: dict[str, Any], client_for: Callable[[Any], Client], make_person: Callable[..., Any]
) -> None:
    boss = make_person(username="boss", first_name="Grande", last_name="Cheffe")
    world["bob"].manager = boss
    world["bob"].save()
    client = client_for(world["alice"])
    assert client.get("/people/@bob/").status_code == 200
    chart = client.get(f"/people/{boss.pk}/org/")
    assert chart.status_code == 200 and "Bob" in chart.content.decode()
    assert "Cheffe" in client.get(f"/people/{world['bob'].pk}/org/").content.decode()
    assert client.post(f"/people/{world['bob'].pk}/contact/", {"op": "add"}).status_code == 302
    assert "Bob" in client.get("/people/contacts/").content.decode()
    again = client.post(f"/people/{world['bob'].pk}/contact/", {"op": "add"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    "path",
    [
        "/questions/",
        "/topics/accueil/",
        "/settings/",
        "/settings/tokens/",
        "/moderation/",
        "/spaces/new/",
        "/people/me/edit/",
        "/people/contacts/",
    ],
)
def test_personal_pages_render(
    world: dict[str, Any], client_for: Callable[[Any], Client], path: str
) -> None:
    assert client_for(world["alice"]).get(path).status_code == 200


def test_guests_have_no_space_creation_or_moderation(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    gus = client_for(world["gus"])
    assert gus.get("/spaces/new/").status_code == 404
    assert gus.get("/moderation/").status_code == 404


def test_language_switch(world: dict[str, Any], client_for: Callable[[Any], Client]) -> None:
    client = client_for(world["bob"])
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/").content.decode()


def test_bad_cursor_is_a_4xx_not_a_crash(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    response = client_for(world["bob"]).get("/?cursor=%%%garbage")
    assert response.status_code == 422
    assert client_for(world["bob"]).get("/?space=abc").status_code == 422
    assert client_for(world["bob"]).get("/?kind=nope").status_code == 422


def test_split_notice_for_managers_only(
    world: dict[str, Any], client_for: Callable[[Any], Client], settings: Any
) -> None:
    settings.RUCHER_SPACE_SPLIT_THRESHOLD = 0  # any active member passes it
    path = f"/spaces/{world['open'].slug}/"
    assert b"banner notice" in client_for(world["alice"]).get(path).content
    assert b"banner notice" in client_for(world["cm"]).get(path).content
    assert b"banner notice" not in client_for(world["bob"]).get(path).content
    settings.RUCHER_SPACE_SPLIT_THRESHOLD = 150
    assert b"banner notice" not in client_for(world["alice"]).get(path).content


def test_non_member_reaction_is_refused_with_a_message(
    world: dict[str, Any], client_for: Callable[[Any], Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    post = actions.publish(world["alice"], world["open"], "Pour les membres")
    carol = client_for(world["carol"])  # may read the open space, is not a member
    response = carol.post(
        f"/posts/{post.pk}/react/", {"kind": "like"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    assert b"join this space" in response.content


def test_a_topic_shows_once_under_a_post(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    from rucher.conversations.models import Topic

    post = actions.publish(world["alice"], world["open"], "Réunion #budget")
    imported, _ = Topic.objects.get_or_create(name="finances")  # a tag not in the text
    post.topics.add(imported)
    assert [t.name for t in post.topics_beyond_text()] == ["finances"]
    for url in ("/", f"/posts/{post.pk}/"):
        body = client_for(world["bob"]).get(url).content.decode()
        assert body.count('href="/topics/budget/"') == 1, url
        assert body.count('href="/topics/finances/"') == 1, url
