"""A deleted post takes its conversation with it: its comments and their files are not found,
and a deleted item someone may not know of answers "not found" when they try to restore it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rucher.conversations import actions
from rucher.conversations.actions import attach

pytestmark = pytest.mark.django_db


def test_a_comment_under_a_deleted_post_is_not_found_by_id(
    world: dict[str, Any], client_for: Any
) -> None:
    """A moderator deletes a post; its comments must go with it (not be readable by id)."""
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Numéro perso de Paul : 06 12 34 56 78")
    comment = actions.reply(bob, post, "> Numéro perso de Paul : 06 12 34 56 78\nmerci")
    actions.delete(alice, post)
    answer = client_for(bob).get(f"/api/v1/posts/{comment.pk}")
    assert answer.status_code == 404, answer.content[:200]


def test_a_file_of_a_comment_under_a_deleted_post_is_not_downloadable(
    world: dict[str, Any], settings: Any, tmp_path: Any, client_for: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "post")
    comment = actions.reply(bob, post, "voici le fichier")
    file = attach(bob, comment, SimpleUploadedFile("a.txt", b"secret", content_type="text/plain"))
    actions.delete(alice, post)
    assert client_for(world["cm"]).get(f"/files/{file.pk}/").status_code == 404


def test_restoring_a_profile_post_a_guest_may_not_know_of_is_not_found(
    world: dict[str, Any], client_for: Any
) -> None:
    """A guest may not know profile posts exist: restoring one must be 404 like a missing id."""
    post = actions.publish(world["alice"], None, "profil")
    actions.delete(world["alice"], post)
    client = client_for(world["gus"])
    missing = client.post("/moderation/999999/restore/")
    hidden = client.post(f"/moderation/{post.pk}/restore/")
    assert missing.status_code == 404
    assert hidden.status_code == missing.status_code
