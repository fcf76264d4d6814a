"""Security and privacy review: each test demonstrates a leak or a missing guard (they fail
until the bug they name is fixed)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rucher.conversations import actions
from rucher.conversations.attachments import attach
from rucher.errors import ActionError
from rucher.spaces import actions as space_actions
from rucher.spaces.models import ConfidentialRead, Membership

pytestmark = pytest.mark.django_db


def signed_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_review_comment_under_deleted_post_stays_readable(world: dict[str, Any]) -> None:
    """A moderator deletes a post; its comments must go with it (not be readable by id)."""
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Numéro perso de Paul : 06 12 34 56 78")
    comment = actions.reply(bob, post, "> Numéro perso de Paul : 06 12 34 56 78\nmerci")
    actions.delete(alice, post)
    answer = signed_in(bob).get(f"/api/v1/posts/{comment.pk}")
    assert answer.status_code == 404, answer.content[:200]


def test_review_file_of_comment_under_deleted_post_stays_downloadable(
    world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "post")
    comment = actions.reply(bob, post, "voici le fichier")
    file = attach(bob, comment, SimpleUploadedFile("a.txt", b"secret", content_type="text/plain"))
    actions.delete(alice, post)
    assert signed_in(world["cm"]).get(f"/files/{file.pk}/").status_code == 404


@pytest.mark.parametrize("path", ["/", "/topics/budget/", "/people/{author}/"])
def test_review_web_streams_record_confidential_reads(world: dict[str, Any], path: str) -> None:
    """Spec: each read of a confidential space is recorded. The API streams record every
    confidential item shown; the web home, topic and profile streams record nothing."""
    alice, carol = world["alice"], world["carol"]
    item = actions.publish(carol, world["confidential"], "Plan social #budget")
    before = ConfidentialRead.objects.filter(person=alice).count()
    page = signed_in(alice).get(path.format(author=carol.pk))
    assert page.status_code == 200 and item.html in page.content.decode()
    assert ConfidentialRead.objects.filter(person=alice).count() > before


def test_review_space_community_manager_can_depose_the_owner(
    world: dict[str, Any], make_person: Any
) -> None:
    alice = world["alice"]
    dave = make_person(username="dave")
    space_actions.join_space(dave, world["open"])
    dave_membership = Membership.objects.get(person=dave, space=world["open"])
    space_actions.set_role(alice, dave_membership, "community_manager")
    owner = Membership.objects.get(person=alice, space=world["open"])
    with pytest.raises(ActionError):
        space_actions.set_role(dave, owner, "member")  # the space is left without an owner


def test_review_mentioning_a_guest_in_a_secret_space_records_the_mention(
    world: dict[str, Any],
) -> None:
    """alice (who sees gus) mentions gus in the secret space: gus cannot read it, yet he is
    stored as mentioned and a `mentioned` event targets him (a notification would leak)."""
    post = actions.publish(
        world["alice"], world["secret"], "Faut-il garder @gus comme fournisseur ?"
    )
    assert not post.mentions.filter(pk=world["gus"].pk).exists()


def test_review_sub_space_reveals_its_secret_hub(world: dict[str, Any]) -> None:
    """A visible sub-space would reveal its secret hub's id: sub-spaces of a secret hub are
    secret themselves."""
    alice, bob = world["alice"], world["bob"]
    with pytest.raises(ActionError):
        space_actions.create_space(alice, "Sous-espace", parent_id=world["secret"].pk)
    child = space_actions.create_space(
        alice, "Sous-espace", parent_id=world["secret"].pk, visibility="secret"
    )
    assert signed_in(bob).get(f"/api/v1/spaces/{child.pk}").status_code == 404


def test_review_restore_answers_403_on_hidden_profile_content(world: dict[str, Any]) -> None:
    """A guest may not know profile posts exist: restoring one must be 404 like a missing id."""
    post = actions.publish(world["alice"], None, "profil")
    actions.delete(world["alice"], post)
    client = signed_in(world["gus"])
    missing = client.post("/moderation/999999/restore/")
    hidden = client.post(f"/moderation/{post.pk}/restore/")
    assert missing.status_code == 404
    assert hidden.status_code == missing.status_code


def test_review_password_guessing_is_not_throttled(world: dict[str, Any]) -> None:
    client = Client()
    for _ in range(30):
        client.post(
            "/api/v1/auth/tokens",
            {"username": "bob", "password": "wrong"},
            content_type="application/json",
        )
    answer = client.post(
        "/api/v1/auth/tokens",
        {"username": "bob", "password": "demo"},
        content_type="application/json",
    )
    assert answer.status_code == 429, "30 wrong guesses, then the right one still succeeds"


def test_review_the_lockout_holds_for_every_worker_process(world: dict[str, Any]) -> None:
    """The failure counts live where every process sees them (the database): another worker,
    whose own memory cache knows nothing, refuses too."""
    from django.core.cache import caches

    from rucher.people import throttle
    from rucher.people.models import SignInFailure

    client = Client()
    for _ in range(10):
        client.post("/login/", {"username": "bob", "password": "wrong"})
    caches["default"].clear()  # what a fresh worker process would hold
    # The free failures, then bob's account waits: the other five were refused unchecked.
    assert SignInFailure.objects.get(key="u:bob").count == throttle.ACCOUNT_FREE_FAILURES
    refused = Client().post(
        "/api/v1/auth/tokens",
        {"username": "bob", "password": "demo"},
        content_type="application/json",
    )
    assert refused.status_code == 429


def test_review_the_lockout_lasts_the_whole_window(world: dict[str, Any]) -> None:
    """Review of session 2: a cache's incr reset the expiry to its 5-minute default. An
    account's failures are now remembered for a day after the last one."""
    from datetime import timedelta

    from django.utils import timezone

    from rucher.people import throttle
    from rucher.people.models import SignInFailure

    for _ in range(throttle.ACCOUNT_FREE_FAILURES + 2):
        throttle.record_failure("bob", None)
    window = SignInFailure.objects.filter(key="u:bob")
    window.update(blocked_until=None, window_start=timezone.now() - timedelta(hours=23))
    assert throttle.claim_attempt("bob") is None  # the slot is taken…
    assert throttle.claim_attempt("bob") is not None  # …and the next attempt must wait
    window.update(blocked_until=None, window_start=timezone.now() - timedelta(hours=25))
    throttle.record_failure("bob", None)  # a day on, counting starts again at one failure
    assert window.get().count == 1 and throttle.claim_attempt("bob") is None
    throttle.clear_failures("bob")
    assert not window.exists()


def test_review_attachment_keeps_a_dangerous_extension(
    world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    """Declared text/plain, named .html: accepted, stored and offered back as page.html."""
    settings.MEDIA_ROOT = tmp_path
    post = actions.publish(world["alice"], world["open"], "doc")
    upload = SimpleUploadedFile(
        "page.html", b"<script>alert(document.cookie)</script>", content_type="text/plain"
    )
    stored = attach(world["alice"], post, upload)
    assert stored.name == "page.txt", "the name takes the checked type's extension"
    assert stored.file.name.endswith(".txt")


def test_review_cockpit_overview_exports_confidential_space_rows(world: dict[str, Any]) -> None:
    """The space page refuses CSV exports of a confidential space, but the overview's CSV
    lists it by name with its figures, and viewing it records no confidential read."""
    alice, carol, cm = world["alice"], world["carol"], world["cm"]
    space_actions.invite(alice, world["confidential"], cm)
    space_actions.join_space(cm, world["confidential"])
    for i in range(6):
        actions.publish(carol, world["confidential"], f"Question {i} ?", kind="question")
    export = signed_in(cm).get("/cockpit/?csv=profiles")
    assert export.status_code == 200
    assert "Confidentiel" not in export.content.decode()
