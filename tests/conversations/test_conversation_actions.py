from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rucher.activity.models import Event
from rucher.conversations import actions
from rucher.conversations.models import Content, Reaction
from rucher.errors import Conflict, Forbidden, Invalid, NotFound

pytestmark = pytest.mark.django_db


def events_of(verb: str) -> list[Event]:
    return list(Event.objects.filter(verb=verb).order_by("id"))


def test_publish_appends_one_posted_event_and_one_per_mention(world: dict[str, Any]) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    before = Event.objects.count()
    post = actions.publish(alice, world["open"], "Merci @bob et @carol pour #Innovation")
    assert Event.objects.count() == before + 3
    posted = events_of("posted")[-1]
    assert (posted.actor_id, posted.object_id, posted.space_id) == (
        alice.pk,
        post.pk,
        world["open"].pk,
    )
    assert {e.target_id for e in events_of("mentioned")} == {bob.pk, carol.pk}
    assert [t.name for t in post.topics.all()] == ["innovation"]


def test_comment_and_answer_target_the_parent_author(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Une idée ?")
    comment = actions.reply(bob, post, "Oui !")
    question = actions.publish(alice, world["open"], "Qui connaît Django ?", kind="question")
    answer = actions.reply(bob, question, "Moi")
    assert comment.kind == "comment" and answer.kind == "answer"
    assert events_of("commented")[-1].target_id == alice.pk
    assert events_of("answered")[-1].target_id == alice.pk
    post.refresh_from_db()
    assert post.comment_count == 1
    nested = actions.reply(alice, comment, "Merci", quoted=comment)
    assert nested.root_id == post.pk and nested.parent_id == comment.pk


def test_accept_answer_only_by_asker_and_once(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    question = actions.publish(alice, world["open"], "Question ?", kind="question")
    first, second = actions.reply(bob, question, "A"), actions.reply(alice, question, "B")
    with pytest.raises(Forbidden):
        actions.accept_answer(bob, first)
    actions.accept_answer(alice, first)
    with pytest.raises(Conflict):
        actions.accept_answer(alice, first)
    actions.accept_answer(alice, second)
    assert list(Content.objects.filter(accepted=True)) == [second]
    event = events_of("accepted_answer")[-1]
    assert (event.actor_id, event.target_id) == (alice.pk, alice.pk)


@pytest.mark.parametrize("text", ["", "   ", None, 42, "x" * 20_001])
def test_bad_text_is_refused_and_nothing_is_written(world: dict[str, Any], text: Any) -> None:
    before = (Content.objects.count(), Event.objects.count())
    with pytest.raises(Invalid):
        actions.publish(world["alice"], world["open"], text)
    assert (Content.objects.count(), Event.objects.count()) == before


def test_script_in_markdown_is_neutralised(world: dict[str, Any]) -> None:
    post = actions.publish(
        world["alice"],
        world["open"],
        "<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=y>",
    )
    assert "<script" not in post.html and "&lt;script&gt;" in post.html
    assert 'href="javascript' not in post.html
    assert "<img" not in post.html


def test_reactions_change_count_once_and_refuse_duplicates(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Bravo l'équipe")
    actions.react(bob, post, "like")
    with pytest.raises(Conflict):
        actions.react(bob, post, "like")
    actions.react(bob, post, "celebrate")  # changing the kind keeps one reaction
    post.refresh_from_db()
    assert post.reaction_count == 1
    assert Reaction.objects.get().kind == "celebrate"
    assert actions.toggle_reaction(bob, post, "celebrate") is None
    post.refresh_from_db()
    assert post.reaction_count == 0
    with pytest.raises(Invalid):
        actions.react(bob, post, "love")


def test_reacting_to_a_deleted_post_is_not_found(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "À supprimer")
    actions.delete(alice, post)
    with pytest.raises(NotFound):
        actions.react(bob, post, "like")


def test_non_member_cannot_post_and_outsider_cannot_see(world: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):
        actions.publish(world["bob"], world["private"], "Bonjour")
    with pytest.raises(NotFound):
        actions.publish(world["bob"], world["secret"], "Bonjour")
    with pytest.raises(NotFound):
        actions.publish(world["gus"], world["open"], "Bonjour")


def test_edit_keeps_history_and_only_the_author_edits(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Premier jet")
    with pytest.raises(Forbidden):
        actions.edit(bob, post, "pirate")
    actions.edit(alice, post, "Version finale @bob")
    post.refresh_from_db()
    assert post.text == "Version finale @bob" and post.edited_at is not None
    assert [r.text for r in post.revisions.all()] == ["Premier jet"]
    assert events_of("mentioned")[-1].target_id == bob.pk


def test_delete_and_restore_within_thirty_days(world: dict[str, Any]) -> None:
    alice, bob, cm = world["alice"], world["bob"], world["cm"]
    post = actions.publish(alice, world["open"], "Message")
    with pytest.raises(Forbidden):
        actions.delete(bob, post)
    actions.delete(cm, post)  # community managers moderate the spaces they can read
    with pytest.raises(Forbidden):
        actions.restore(bob, post.pk)
    actions.restore(cm, post.pk)
    post.refresh_from_db()
    assert post.status == "published"
    actions.delete(alice, post)
    Content.objects.filter(pk=post.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    with pytest.raises(Conflict):
        actions.restore(cm, post.pk)


def test_shares_never_widen_the_audience(world: dict[str, Any], make_space: Any) -> None:
    alice, carol = world["alice"], world["carol"]
    other = make_space(alice, "Autre", members=(carol,))
    public = actions.publish(alice, world["open"], "Public")
    shared = actions.share(carol, public, other, "À lire")
    assert shared.shared_from_id == public.pk
    assert events_of("shared")[-1].target_id == alice.pk
    private = actions.publish(carol, world["private"], "Entre nous")
    with pytest.raises(Forbidden):
        actions.share(carol, private, other)
    with pytest.raises(Forbidden):
        actions.share(alice, public, world["partner"])


def test_guest_cannot_post_on_a_profile(world: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):
        actions.publish(world["gus"], None, "Hello")
    assert actions.publish(world["bob"], None, "Sur mon profil").space_id is None
