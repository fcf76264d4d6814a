"""Writing through the pages: posts, replies, reactions, spaces, edits, polls, files, settings.
Bad input answers a 4xx with a message, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rucher.conversations import actions
from rucher.conversations.models import Content, Reaction
from rucher.spaces.actions import join_space
from rucher.spaces.models import Membership, Space
from rucher.streams.models import HideRule, Mute

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_publish_a_post_in_a_space(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    client = client_for(world["bob"])
    response = client.post(
        "/posts/new/", {"kind": "post", "space": world["open"].pk, "text": "Bonjour #equipe"}
    )
    assert response.status_code == 302
    post = Content.objects.get(text="Bonjour #equipe")
    assert post.space_id == world["open"].pk and post.author_id == world["bob"].pk
    assert "Bonjour" in client.get("/").content.decode()


def test_publish_on_my_profile_and_with_htmx(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    client = client_for(world["bob"])
    response = client.post(
        "/posts/new/", {"kind": "post", "space": "profile", "text": "Sur mon profil"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Sur mon profil" in response.content.decode()
    assert Content.objects.get(text="Sur mon profil").space is None


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "cannot be empty"), ("x" * 20_001, "at most 20000 characters")],
)
def test_bad_posts_are_refused_with_a_message(
    world: dict[str, Any], client_for: Callable[..., Client], text: str, message: str, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    before = Content.objects.count()
    response = client_for(world["bob"]).post(
        "/posts/new/", {"kind": "post", "space": world["open"].pk, "text": text}
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Content.objects.count() == before


def test_posting_where_one_may_not_is_refused(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    bob = client_for(world["bob"])
    for space in ("secret", "private"):
        response = bob.post(
            "/posts/new/", {"kind": "post", "space": world[space].pk, "text": "intrusion"}
        )
        assert response.status_code == 422  # not among the choices offered to bob
    gus = client_for(world["gus"])
    refused = gus.post("/posts/new/", {"kind": "post", "space": "profile", "text": "x"})
    assert refused.status_code == 422  # a guest has no profile to post on
    assert not Content.objects.filter(text__in=["intrusion", "x"]).exists()


def test_the_home_composer_makes_one_choose_where_to_publish(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    bob = client_for(world["bob"])  # the open space, or his profile: two destinations
    home = bob.get("/").content.decode()
    assert '<option value="" selected>Choose where to publish…</option>' in home
    refused = bob.post("/posts/new/", {"kind": "post", "space": "", "text": "où ?"})
    assert refused.status_code == 422 and "Choose where to publish." in refused.content.decode()
    assert not Content.objects.filter(text="où ?").exists()
    gus = client_for(world["gus"])  # one destination: his partner space, chosen for him
    assert gus.post("/posts/new/", {"kind": "post", "space": "", "text": "ici"}).status_code == 302
    assert Content.objects.get(text="ici").space_id == world["partner"].pk
    loner = client_for(world["cm"])  # no space, but a profile: one destination
    answer = loner.post("/posts/new/", {"kind": "post", "space": "", "text": "moi"})
    assert answer.status_code == 302
    assert Content.objects.get(text="moi").space is None


def test_htmx_composer_error_comes_back_in_place(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    response = client_for(world["bob"]).post(
        "/posts/new/", {"kind": "post", "space": world["open"].pk, "text": ""}, headers=HTMX
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#composer"
    assert "cannot be empty" in response.content.decode()


def test_comment_quote_and_bad_comments(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    post = actions.publish(world["alice"], world["open"], "Une idée")
    client = client_for(world["bob"])
    response = client.post(f"/posts/{post.pk}/reply/", {"text": "Bonne idée"})
    assert response.status_code == 302
    comment = Content.objects.get(text="Bonne idée")
    quoting = client.post(f"/posts/{post.pk}/reply/", {"text": "Je cite", "quoted": comment.pk})
    assert quoting.status_code == 302
    assert Content.objects.get(text="Je cite").quoted_id == comment.pk
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert "Bonne idée" in page and "Je cite" in page
    empty = client.post(f"/posts/{post.pk}/reply/", {"text": ""})
    assert empty.status_code == 422 and "cannot be empty" in empty.content.decode()
    long = client.post(f"/posts/{post.pk}/reply/", {"text": "y" * 5001})
    assert long.status_code == 422
    assert client.post("/posts/987654/reply/", {"text": "perdu"}).status_code == 404
    assert (
        client_for(world["gus"]).post(f"/posts/{post.pk}/reply/", {"text": "x"}).status_code == 404
    )


def test_reaction_toggle_with_htmx_and_without(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    post = actions.publish(world["alice"], world["open"], "Réagissez")
    client = client_for(world["bob"])
    first = client.post(f"/posts/{post.pk}/react/", {"kind": "celebrate"}, headers=HTMX)
    assert first.status_code == 200
    assert 'aria-pressed="true"' in first.content.decode()
    assert Reaction.objects.get(content=post).kind == "celebrate"
    second = client.post(f"/posts/{post.pk}/react/", {"kind": "celebrate"}, headers=HTMX)
    assert 'aria-pressed="true"' not in second.content.decode()
    assert not Reaction.objects.filter(content=post).exists()
    plain = client.post(f"/posts/{post.pk}/react/", {"kind": "like", "next": "/"})
    assert plain.status_code == 302 and plain["Location"] == "/"
    assert client.post(f"/posts/{post.pk}/react/", {"kind": "love"}).status_code == 422
    assert client.post("/posts/999999/react/", {"kind": "like"}).status_code == 404


def test_reacting_to_a_deleted_post_is_a_404(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    post = actions.publish(world["alice"], world["open"], "Bientôt supprimé")
    actions.delete(world["alice"], post)
    assert (
        client_for(world["bob"]).post(f"/posts/{post.pk}/react/", {"kind": "like"}).status_code
        == 404
    )


def test_questions_answers_and_acceptance(
    world: dict[str, Any],
    client_for: Callable[..., Client],
    make_space: Callable[..., Any],
    make_person: Callable[..., Any],
) -> None:
    dan = make_person(username="dan")
    make_space(world["alice"], "Autre", members=(dan,))
    join_space(dan, world["open"])
    question = actions.publish(world["bob"], world["open"], "Qui connaît Django ?", kind="question")
    first = actions.reply(world["alice"], question, "Moi")
    second = actions.reply(world["alice"], question, "Moi aussi")
    bob = client_for(world["bob"])
    assert client_for(dan).post(f"/posts/{second.pk}/accept/").status_code == 403
    assert bob.post(f"/posts/{second.pk}/accept/").status_code == 302
    page = bob.get(f"/posts/{question.pk}/").content.decode()
    assert page.index("Moi aussi") < page.index(f'id="c{first.pk}"')
    assert "Qui connaît Django" in bob.get("/questions/").content.decode()


def test_spaces_join_leave_request_invite_approve(
    world: dict[str, Any], client_for: Callable[..., Client], make_person: Callable[..., Any]
) -> None:
    dan = make_person(username="dan")
    client = client_for(dan)
    assert client.post(f"/spaces/{world['open'].slug}/join/").status_code == 302
    assert client.post(f"/spaces/{world['open'].slug}/join/").status_code == 409
    assert client.post(f"/spaces/{world['private'].slug}/join/").status_code == 302
    membership = Membership.objects.get(person=dan, space=world["private"])
    assert membership.status == "requested"
    assert client.post(f"/spaces/{world['secret'].slug}/join/").status_code == 404
    alice = client_for(world["alice"])
    page = alice.get(f"/spaces/{world['private'].slug}/").content.decode()
    assert "Dan" in page
    approve = alice.post(f"/spaces/{world['private'].slug}/requests/{membership.pk}/approve/")
    assert approve.status_code == 302
    membership.refresh_from_db()
    assert membership.status == "active"
    invited = alice.post(f"/spaces/{world['secret'].slug}/invite/", {"username": "dan"})
    assert invited.status_code == 302
    assert client.get(f"/spaces/{world['secret'].slug}/").status_code == 200
    assert (
        alice.post(f"/spaces/{world['secret'].slug}/invite/", {"username": "nobody"}).status_code
        == 422
    )
    assert client.post(f"/spaces/{world['open'].slug}/leave/").status_code == 302


def test_create_space_and_bad_input(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    client = client_for(world["bob"])
    ok = client.post(
        "/spaces/new/",
        {"name": "Club lecture", "visibility": "open", "kind": "internal", "description": ""},
    )
    assert ok.status_code == 302
    assert Space.objects.filter(name="Club lecture").exists()
    empty = client.post("/spaces/new/", {"name": " ", "visibility": "open", "kind": "internal"})
    assert empty.status_code == 422 and "needs a name" in empty.content.decode()
    wrong = client.post("/spaces/new/", {"name": "X", "visibility": "public", "kind": "internal"})
    assert wrong.status_code == 422


def test_edit_history_delete_and_restore(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    post = actions.publish(world["bob"], world["open"], "Première version")
    bob = client_for(world["bob"])
    assert bob.get(f"/posts/{post.pk}/edit/").status_code == 200
    assert client_for(world["alice"]).get(f"/posts/{post.pk}/edit/").status_code == 404
    assert bob.post(f"/posts/{post.pk}/edit/", {"text": "Seconde version"}).status_code == 302
    page = bob.get(f"/posts/{post.pk}/").content.decode()
    assert "Seconde version" in page and "Première version" in page  # history
    assert bob.post(f"/posts/{post.pk}/edit/", {"text": ""}).status_code == 422
    assert client_for(world["carol"]).post(f"/posts/{post.pk}/delete/").status_code == 403
    assert bob.post(f"/posts/{post.pk}/delete/").status_code == 302
    assert bob.get(f"/posts/{post.pk}/").status_code == 404
    alice = client_for(world["alice"])  # owner of the space: a moderator there
    assert "Seconde version" in alice.get("/moderation/").content.decode()
    assert alice.post(f"/moderation/{post.pk}/restore/").status_code == 302
    assert bob.get(f"/posts/{post.pk}/").status_code == 200
    assert client_for(world["bob"]).post(f"/moderation/{post.pk}/restore/").status_code == 404


def test_share_into_another_space(world: dict[str, Any], client_for: Callable[..., Client]) -> None:
    post = actions.publish(world["alice"], world["open"], "À partager")
    alice = client_for(world["alice"])
    response = alice.post(
        f"/posts/{post.pk}/share/", {"space": world["private"].pk, "text": "Voyez ceci"}
    )
    assert response.status_code == 302
    assert Content.objects.filter(shared_from=post, space=world["private"]).exists()
    partner = alice.post(f"/posts/{post.pk}/share/", {"space": world["partner"].pk})
    assert partner.status_code == 422


def test_nps_poll_voting_and_results(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    client = client_for(world["alice"])
    created = client.post(
        f"/spaces/{world['open'].slug}/poll/",
        {"kind": "nps", "question": "Recommanderiez-vous rucher ?"},
    )
    assert created.status_code == 302
    poll = Content.objects.get(kind="poll")
    bob = client_for(world["bob"])
    page = bob.get(f"/posts/{poll.pk}/").content.decode()
    assert 'name="score" value="10"' in page
    assert bob.post(f"/posts/{poll.pk}/vote/", {"score": "11"}).status_code == 422
    assert bob.post(f"/posts/{poll.pk}/vote/", {"score": "abc"}).status_code == 422
    assert bob.post(f"/posts/{poll.pk}/vote/", {"score": "9"}).status_code == 302
    assert bob.post(f"/posts/{poll.pk}/vote/", {"score": "9"}).status_code == 409
    assert "n = 1" in bob.get(f"/posts/{poll.pk}/").content.decode()


def test_choice_poll(world: dict[str, Any], client_for: Callable[..., Client]) -> None:
    poll = actions.create_poll(world["alice"], world["open"], "Quel jour ?", ["Lundi", "Mardi"])
    bob = client_for(world["bob"])
    option = poll.poll.options.get(label="Mardi")
    assert bob.post(f"/posts/{poll.pk}/vote/", {"option": "nope"}).status_code == 422
    assert bob.post(f"/posts/{poll.pk}/vote/", {"option": option.pk}).status_code == 302
    assert "(100,0 %)" in bob.get(f"/posts/{poll.pk}/").content.decode()
    bad = client_for(world["alice"]).post(
        f"/spaces/{world['open'].slug}/poll/",
        {"kind": "choice", "question": "Q", "options": "seul"},
    )
    assert bad.status_code == 422


def test_attachments_upload_and_checked_download(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any, tmp_path: Any
) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    settings.MEDIA_ROOT = tmp_path
    post = actions.publish(world["alice"], world["open"], "Compte rendu")
    alice = client_for(world["alice"])
    upload = SimpleUploadedFile("notes.txt", b"bonjour", content_type="text/plain")
    assert alice.post(f"/posts/{post.pk}/attach/", {"file": upload}).status_code == 302
    attachment = post.attachments.get()
    download = client_for(world["bob"]).get(f"/files/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"bonjour"  # type: ignore[attr-defined]
    assert client_for(world["gus"]).get(f"/files/{attachment.pk}/").status_code == 404
    fake = SimpleUploadedFile("x.png", b"not a png", content_type="image/png")
    refused = alice.post(f"/posts/{post.pk}/attach/", {"file": fake})
    assert refused.status_code == 422 and "does not match" in refused.content.decode()
    other = SimpleUploadedFile("y.txt", b"hi", content_type="text/plain")
    assert (
        client_for(world["bob"]).post(f"/posts/{post.pk}/attach/", {"file": other}).status_code
        == 403
    )


def test_follow_mute_and_hide_rules(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    bob = client_for(world["bob"])
    muted = bob.post("/follow/", {"op": "mute", "target_type": "topic", "target": "budget"})
    assert muted.status_code == 302
    assert Mute.objects.filter(person=world["bob"]).count() == 1
    assert "#budget" in bob.get("/settings/").content.decode()
    assert (
        bob.post("/follow/", {"op": "mute", "target_type": "topic", "target": "budget"}).status_code
        == 409
    )
    assert (
        bob.post("/follow/", {"op": "fly", "target_type": "topic", "target": "x"}).status_code
        == 422
    )
    assert (
        bob.post(
            "/follow/", {"op": "follow", "target_type": "space", "target": world["secret"].pk}
        ).status_code
        == 404
    )
    assert bob.post("/settings/hide/", {"op": "add", "tag": "[Sport]"}).status_code == 302
    assert HideRule.objects.get(person=world["bob"]).tag == "sport"
    assert bob.post("/settings/hide/", {"op": "add", "tag": "[]"}).status_code == 422
    assert bob.post("/settings/hide/", {"op": "remove", "tag": "sport"}).status_code == 302


def test_api_token_is_shown_once(world: dict[str, Any], client_for: Callable[..., Client]) -> None:
    client = client_for(world["bob"])
    created = client.post("/settings/tokens/", {"name": "intégration"})
    assert created.status_code == 200
    assert "rch_" in created.content.decode()
    listing = client.get("/settings/tokens/").content.decode()
    assert "intégration" in listing
    token_id = world["bob"].access_tokens.get().pk
    assert (
        client_for(world["alice"]).post(f"/settings/tokens/{token_id}/revoke/").status_code == 404
    )
    assert client.post(f"/settings/tokens/{token_id}/revoke/").status_code == 302


@pytest.mark.parametrize(("lifetime", "days"), [("30", 30), ("366", 366), ("never", None)])
def test_api_token_lifetime_is_chosen_in_the_form(
    world: dict[str, Any], client_for: Callable[..., Client], lifetime: str, days: int | None
) -> None:
    client = client_for(world["bob"])
    assert client.post("/settings/tokens/", {"name": "n", "lifetime": lifetime}).status_code == 200
    token = world["bob"].access_tokens.get()
    if days is None:
        assert token.expires_at is None
    else:
        assert token.expires_at is not None
        assert round((token.expires_at - token.created_at).total_seconds() / 86400) == days
    assert client.post("/settings/tokens/", {"lifetime": "forever"}).status_code == 422
    assert world["bob"].access_tokens.count() == 1


def test_profile_edit(world: dict[str, Any], client_for: Callable[..., Client]) -> None:
    from rucher.people.models import Department

    Department.objects.create(name="Achats")
    client = client_for(world["bob"])
    saved = client.post(
        "/people/me/edit/",
        {"job_title": "Acheteur", "skills": "sql, Python", "department": "Achats"},
    )
    assert saved.status_code == 302
    page = client.get(f"/people/{world['bob'].pk}/").content.decode()
    assert "Acheteur" in page and "python" in page and "Achats" in page
    long = client.post("/people/me/edit/", {"skills": ",".join(f"s{i}" for i in range(40))})
    assert long.status_code == 422


def test_a_space_composer_keeps_its_space_after_an_error(world: dict[str, Any]) -> None:
    """Shown again with its message, a space's composer still publishes in that space only
    (not a list of every space with nothing chosen)."""
    from django.test import Client

    client = Client()
    client.force_login(world["alice"])
    space = world["open"]
    answer = client.post(
        "/posts/new/",
        {"kind": "post", "space": space.pk, "text": "", "fixed_space": "1"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 422
    page = answer.content.decode()
    assert 'name="fixed_space"' in page
    assert world["secret"].name not in page  # alice may post there, but not from this composer


def test_the_admin_scope_is_offered_to_administrators_only(world: dict[str, Any]) -> None:
    from django.test import Client

    member, admin = Client(), Client()
    member.force_login(world["bob"])
    admin.force_login(world["admin"])
    assert 'value="admin"' not in member.get("/settings/tokens/").content.decode()
    assert 'value="admin"' in admin.get("/settings/tokens/").content.decode()
