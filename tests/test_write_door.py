"""The one door for writes (docs/architecture.md, "Three doors"): every public action of every
domain appends exactly one event, writes nothing when it fails part-way, and moves the stream
cache's write generation, so no cached page outlives the write.

The walk is complete: a public function of an ``actions`` module that is neither an action
with a recipe below nor a named helper fails the first test, so a new action cannot skip it.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
from binascii import unhexlify
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp.oath import TOTP
from PIL import Image

import rucher
from rucher.activity.models import Event
from rucher.charter import actions as charter
from rucher.conversations import actions as conversations
from rucher.conversations.models import Content, Poll, Reaction
from rucher.directory import actions as directory
from rucher.expertise import actions as expertise
from rucher.feeds import actions as feeds
from rucher.identity import actions as identity
from rucher.identity import two_factor
from rucher.identity.claims import ExternalClaims
from rucher.messaging import actions as messaging
from rucher.moderation import actions as moderation
from rucher.moderation.queries import ItemRef
from rucher.people import actions as people
from rucher.privacy import actions as privacy
from rucher.provisioning import actions as provisioning
from rucher.recognition import actions as recognition
from rucher.recognition.models import BadgeRule
from rucher.recognition.rules import Tally
from rucher.spaces import actions as spaces
from rucher.spaces.models import Membership
from rucher.streams import actions as streams
from rucher.streams.cache import write_generation
from rucher.webhooks import actions as webhooks

# Public functions of actions modules that are not writes of their own.
HELPERS = {
    "rucher.people.actions.accounts.end_sessions",
    "rucher.conversations.actions.common.add_mentions",
    "rucher.expertise.actions.not_yet_mentioned",
    "rucher.conversations.actions.common.audience",
    "rucher.conversations.actions.common.clean_text",
    "rucher.conversations.actions.common.create_content",
    "rucher.conversations.actions.common.guess_lang",
    "rucher.conversations.actions.common.readable",
    "rucher.conversations.actions.common.render_for",
    "rucher.conversations.actions.common.mention_events",
    "rucher.conversations.actions.common.set_topics",
    "rucher.conversations.actions.common.topics_named",
    "rucher.moderation.actions.common.one_of",
    "rucher.moderation.actions.common.optional_text",
    "rucher.moderation.actions.rules.require_rules_manager",
    "rucher.streams.actions.normalise_tag",
    "rucher.streams.actions.resolve_target",
}

# name -> (set-up returning the state the action needs, the action on that state)
Setup = Callable[[dict[str, Any]], dict[str, Any]]
Act = Callable[[dict[str, Any], dict[str, Any]], Any]


def a_png() -> bytes:
    """A small photo, wider than tall (set_photo crops it to a square)."""
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 120, 0)).save(out, "PNG")
    return out.getvalue()


def nothing(world: dict[str, Any]) -> dict[str, Any]:
    return {}


def a_post(world: dict[str, Any]) -> dict[str, Any]:
    return {"post": conversations.publish(world["alice"], world["open"], "Un message")}


def a_message(world: dict[str, Any]) -> dict[str, Any]:
    return {"message": messaging.start_conversation(world["alice"], [world["bob"].pk], "Salut")}


def a_message_reaction(world: dict[str, Any]) -> dict[str, Any]:
    state = a_message(world)
    messaging.react_to_message(world["bob"], state["message"].pk, "like")
    return state


def a_charter(world: dict[str, Any]) -> dict[str, Any]:
    return {"version": charter.publish_charter(world["admin"], "members", "Charte", "")}


def a_reaction(world: dict[str, Any]) -> dict[str, Any]:
    state = a_post(world)
    conversations.react(world["bob"], state["post"], "like")
    return state


def a_deleted_post(world: dict[str, Any]) -> dict[str, Any]:
    state = a_post(world)
    conversations.delete(world["alice"], state["post"])
    return state


def an_answer(world: dict[str, Any]) -> dict[str, Any]:
    question = conversations.publish(world["alice"], world["open"], "Qui sait ?", "question")
    return {"answer": conversations.reply(world["bob"], question, "Moi")}


def a_poll(world: dict[str, Any]) -> dict[str, Any]:
    poll = conversations.create_poll(world["alice"], world["open"], "Quel jour ?", ["Lun", "Mar"])
    return {"poll": poll, "option": Poll.objects.get(content=poll).options.first()}


def a_profile_post(world: dict[str, Any]) -> dict[str, Any]:
    return {"post": conversations.publish(world["alice"], None, "Sur mon profil")}


def a_token(world: dict[str, Any]) -> dict[str, Any]:
    return {"token": people.create_token(world["alice"], "script")[0]}


def a_connection(world: dict[str, Any]) -> dict[str, Any]:
    connection = provisioning.create_connection(world["admin"], "entra")[0]
    return {"connection": connection}


SCIM_USER = {"userName": "zoe", "emails": [{"value": "zoe@example.org"}]}
ZOE = {"username": "zoe", "email": "zoe@example.org"}


def a_provisioned_user(world: dict[str, Any]) -> dict[str, Any]:
    state = a_connection(world)
    state["user"] = provisioning.provision_user(state["connection"], SCIM_USER, ZOE, True)
    return state


def a_provisioned_group(world: dict[str, Any]) -> dict[str, Any]:
    state = a_provisioned_user(world)
    state["group"] = provisioning.provision_group(
        state["connection"], {"displayName": "Achats"}, "Achats", [state["user"].person]
    )
    return state


def a_feed_key(world: dict[str, Any]) -> dict[str, Any]:
    return {"key": feeds.create_feed_key(world["alice"])[0]}


def a_contact(world: dict[str, Any]) -> dict[str, Any]:
    directory.add_contact(world["alice"], world["bob"])
    return {}


def a_request(world: dict[str, Any]) -> dict[str, Any]:
    return {"membership": spaces.join_space(world["bob"], world["private"])}


def bobs_membership(world: dict[str, Any]) -> dict[str, Any]:
    return {"membership": Membership.objects.get(person=world["bob"], space=world["open"])}


def a_flagged_post(world: dict[str, Any]) -> dict[str, Any]:
    state = a_post(world)
    moderation.flag(world["bob"], ItemRef("content", state["post"].pk), "spam")
    return state


def a_suspension(world: dict[str, Any]) -> dict[str, Any]:
    state = a_flagged_post(world)
    moderation.decide(
        world["alice"], [ItemRef("content", state["post"].pk)], "dismiss", "Rien à redire"
    )
    post = conversations.reply(world["bob"], state["post"], "Achetez !")
    moderation.flag(world["alice"], ItemRef("content", post.pk), "spam")
    moderation.decide(world["alice"], [ItemRef("content", post.pk)], "suspend", "Spam", period="7d")
    return state


def a_watched_word(world: dict[str, Any]) -> dict[str, Any]:
    return {"word": moderation.add_watched_word(world["admin"], None, "idiot", "word", "hold")}


def a_question_with_experts(world: dict[str, Any]) -> dict[str, Any]:
    """Bob's question, alice suggested to answer it (as ``expertise.requests`` records)."""
    from django.utils import timezone

    from rucher.expertise.models import ExpertRequest

    question = conversations.publish(world["bob"], world["open"], "Qui sait ?", kind="question")
    ExpertRequest.objects.create(
        question_id=question.pk, suggested=[world["alice"].pk], created_at=timezone.now()
    )
    return {"question": question}


def a_pinned_post(world: dict[str, Any]) -> dict[str, Any]:
    state = a_post(world)
    streams.pin_to_essential(world["alice"], state["post"])
    return state


def following(world: dict[str, Any]) -> dict[str, Any]:
    streams.follow(world["bob"], "person", world["alice"].pk)
    return {}


def muting(world: dict[str, Any]) -> dict[str, Any]:
    streams.mute(world["bob"], "space", world["open"].pk)
    return {}


def hiding(world: dict[str, Any]) -> dict[str, Any]:
    streams.hide_tag(world["bob"], "sport")
    return {}


def an_endpoint(world: dict[str, Any]) -> dict[str, Any]:
    endpoint, _secret = webhooks.create_endpoint(
        world["admin"], "http://127.0.0.1:9/hook", ["post.created"]
    )
    return {"endpoint": endpoint}


def a_delivery_given_up(world: dict[str, Any]) -> dict[str, Any]:
    state = an_endpoint(world)
    delivery = webhooks.send_ping(world["admin"], state["endpoint"].pk)
    type(delivery).objects.filter(pk=delivery.pk).update(status="gave_up", attempt_count=1)
    return {"delivery": delivery}


def an_email_known_to_the_provider(world: dict[str, Any]) -> dict[str, Any]:
    world["alice"].email = "alice@orvanne.example"
    world["alice"].save(update_fields=["email"])
    return {
        "claims": ExternalClaims(
            protocol="oidc",
            issuer="https://id.orvanne.example",
            subject="alice-1",
            email="alice@orvanne.example",
            email_verified=True,
        )
    }


def a_secret(world: dict[str, Any]) -> dict[str, Any]:
    return {"secret": two_factor.new_secret()}


def two_factor_on(world: dict[str, Any]) -> dict[str, Any]:
    secret = two_factor.new_secret()
    code = TOTP(unhexlify(secret)).token()
    return {"codes": identity.enable_two_factor(world["alice"], secret, f"{code:06d}")}


RECIPES: dict[str, tuple[Setup, Act]] = {
    "rucher.identity.actions.sign_in_with": (
        an_email_known_to_the_provider,  # links the provider's subject, then signs in
        lambda w, s: identity.sign_in_with(s["claims"]),
    ),
    "rucher.identity.actions.enable_two_factor": (
        a_secret,
        lambda w, s: identity.enable_two_factor(
            w["alice"], s["secret"], f"{TOTP(unhexlify(s['secret'])).token():06d}"
        ),
    ),
    "rucher.identity.actions.disable_two_factor": (
        two_factor_on,  # a recovery code proves it (the app's code was just used)
        lambda w, s: identity.disable_two_factor(w["alice"], s["codes"][0]),
    ),
    "rucher.identity.actions.renew_recovery_codes": (
        two_factor_on,
        lambda w, s: identity.renew_recovery_codes(w["alice"], s["codes"][1]),
    ),
    "rucher.people.actions.accounts.create_account": (
        nothing,
        lambda w, s: people.create_account(w["admin"], username="zoe"),
    ),
    "rucher.people.actions.accounts.change_account": (
        nothing,
        lambda w, s: people.change_account(w["admin"], w["bob"], job_title="Acheteur"),
    ),
    "rucher.people.actions.accounts.deactivate_account": (
        a_token,
        lambda w, s: people.deactivate_account(w["admin"], w["alice"]),
    ),
    "rucher.people.actions.accounts.reactivate_account": (
        lambda w: {"gone": people.deactivate_account(w["admin"], w["bob"])},
        lambda w, s: people.reactivate_account(w["admin"], w["bob"]),
    ),
    "rucher.people.actions.sessions.end_other_sessions": (
        nothing,
        lambda w, s: people.end_other_sessions(w["alice"], "current"),
    ),
    "rucher.provisioning.actions.create_connection": (
        nothing,
        lambda w, s: provisioning.create_connection(w["admin"], "okta"),
    ),
    "rucher.provisioning.actions.provision_user": (
        a_connection,
        lambda w, s: provisioning.provision_user(s["connection"], SCIM_USER, ZOE, True),
    ),
    "rucher.provisioning.actions.update_user": (
        a_provisioned_user,
        lambda w, s: provisioning.update_user(
            s["user"], {**SCIM_USER, "title": "Acheteuse"}, {**ZOE, "job_title": "Acheteuse"}, True
        ),
    ),
    "rucher.provisioning.actions.remove_user": (
        a_provisioned_user,
        lambda w, s: provisioning.remove_user(s["user"]),
    ),
    "rucher.provisioning.actions.provision_group": (
        a_provisioned_user,
        lambda w, s: provisioning.provision_group(
            s["connection"], {"displayName": "Achats"}, "Achats", [s["user"].person]
        ),
    ),
    "rucher.provisioning.actions.update_group": (
        a_provisioned_group,
        lambda w, s: provisioning.update_group(s["group"], {"displayName": "Ventes"}, "Ventes", []),
    ),
    "rucher.provisioning.actions.remove_group": (
        a_provisioned_group,
        lambda w, s: provisioning.remove_group(s["group"]),
    ),
    "rucher.people.actions.profile.update_profile": (
        nothing,
        lambda w, s: people.update_profile(w["alice"], job_title="Cheffe de projet"),
    ),
    "rucher.people.actions.profile.set_language": (
        nothing,
        lambda w, s: people.set_language(w["alice"], "en"),
    ),
    "rucher.people.actions.profile.set_photo": (
        nothing,
        lambda w, s: people.set_photo(w["alice"], io.BytesIO(a_png())),
    ),
    "rucher.people.actions.profile.remove_photo": (
        lambda w: {"with": people.set_photo(w["alice"], io.BytesIO(a_png()))},
        lambda w, s: people.remove_photo(w["alice"]),
    ),
    "rucher.people.actions.tokens.create_token": (
        nothing,
        lambda w, s: people.create_token(w["alice"], "script"),
    ),
    "rucher.people.actions.tokens.revoke_token": (
        a_token,
        lambda w, s: people.revoke_token(w["alice"], s["token"].pk),
    ),
    "rucher.feeds.actions.create_feed_key": (
        a_feed_key,  # a second key: it replaces the first, still one event
        lambda w, s: feeds.create_feed_key(w["alice"]),
    ),
    "rucher.feeds.actions.revoke_feed_key": (
        a_feed_key,
        lambda w, s: feeds.revoke_feed_key(w["alice"]),
    ),
    "rucher.directory.actions.add_contact": (
        nothing,
        lambda w, s: directory.add_contact(w["alice"], w["bob"]),
    ),
    "rucher.directory.actions.remove_contact": (
        a_contact,
        lambda w, s: directory.remove_contact(w["alice"], w["bob"]),
    ),
    "rucher.recognition.actions.give_kudos": (
        nothing,
        lambda w, s: recognition.give_kudos(
            w["alice"], w["bob"].pk, "merci", "Merci !", space_id=w["open"].pk
        ),
    ),
    "rucher.recognition.actions.award_badge": (
        nothing,
        lambda w, s: recognition.award_badge(
            w["alice"], BadgeRule.objects.get(slug="premier-message"), Tally(1, [w["open"].pk])
        ),
    ),
    "rucher.recognition.actions.set_badges_hidden": (
        nothing,
        lambda w, s: recognition.set_badges_hidden(w["alice"], True),
    ),
    "rucher.recognition.actions.save_kudos_kind": (
        nothing,
        lambda w, s: recognition.save_kudos_kind(w["cm"], label_fr="Chapeau", label_en="Hats off"),
    ),
    "rucher.recognition.actions.save_badge_rule": (
        nothing,
        lambda w, s: recognition.save_badge_rule(
            w["cm"], behaviour="answers", threshold=3, name_fr="Trois", name_en="Three"
        ),
    ),
    "rucher.spaces.actions.create_space": (
        nothing,
        lambda w, s: spaces.create_space(w["alice"], "Nouveau"),
    ),
    "rucher.spaces.actions.join_space": (
        nothing,
        lambda w, s: spaces.join_space(w["cm"], w["open"]),
    ),
    "rucher.spaces.actions.leave_space": (
        nothing,
        lambda w, s: spaces.leave_space(w["bob"], w["open"]),
    ),
    "rucher.spaces.actions.invite": (
        nothing,
        lambda w, s: spaces.invite(w["alice"], w["private"], w["bob"]),
    ),
    "rucher.spaces.actions.approve_request": (
        a_request,
        lambda w, s: spaces.approve_request(w["alice"], s["membership"]),
    ),
    "rucher.spaces.actions.set_role": (
        bobs_membership,
        lambda w, s: spaces.set_role(w["alice"], s["membership"], "community_manager"),
    ),
    "rucher.conversations.actions.publishing.publish": (
        nothing,
        lambda w, s: conversations.publish(w["alice"], w["open"], "Bonjour #budget"),
    ),
    "rucher.conversations.actions.publishing.reply": (
        a_post,
        lambda w, s: conversations.reply(w["bob"], s["post"], "Merci"),
    ),
    "rucher.conversations.actions.publishing.share": (
        a_profile_post,
        lambda w, s: conversations.share(w["bob"], s["post"], w["open"], "À lire"),
    ),
    "rucher.conversations.actions.publishing.edit": (
        a_post,
        lambda w, s: conversations.edit(w["alice"], s["post"], "Un message corrigé"),
    ),
    "rucher.conversations.actions.publishing.delete": (
        a_post,
        lambda w, s: conversations.delete(w["alice"], s["post"]),
    ),
    "rucher.conversations.actions.publishing.restore": (
        a_deleted_post,
        lambda w, s: conversations.restore(w["alice"], s["post"].pk),
    ),
    "rucher.conversations.actions.answers.accept_answer": (
        an_answer,
        lambda w, s: conversations.accept_answer(w["alice"], s["answer"]),
    ),
    "rucher.conversations.actions.reactions.react": (
        a_post,
        lambda w, s: conversations.react(w["bob"], s["post"], "like"),
    ),
    "rucher.conversations.actions.reactions.unreact": (
        a_reaction,
        lambda w, s: conversations.unreact(w["bob"], s["post"]),
    ),
    "rucher.conversations.actions.reactions.toggle_reaction": (
        a_reaction,
        lambda w, s: conversations.toggle_reaction(w["bob"], s["post"], "insightful"),
    ),
    "rucher.conversations.actions.polls.create_poll": (
        nothing,
        lambda w, s: conversations.create_poll(w["alice"], w["open"], "Quand ?", ["Lun", "Mar"]),
    ),
    "rucher.conversations.actions.polls.vote": (
        a_poll,
        lambda w, s: conversations.vote(w["bob"], s["poll"], option_id=s["option"].pk),
    ),
    "rucher.conversations.actions.attachments.attach": (
        a_post,
        lambda w, s: conversations.attach(
            w["alice"],
            s["post"],
            SimpleUploadedFile("notes.txt", b"Quelques notes", content_type="text/plain"),
        ),
    ),
    "rucher.moderation.actions.review.flag": (
        a_post,
        lambda w, s: moderation.flag(w["bob"], ItemRef("content", s["post"].pk), "off_topic"),
    ),
    "rucher.moderation.actions.review.decide": (
        a_flagged_post,
        lambda w, s: moderation.decide(
            w["alice"], [ItemRef("content", s["post"].pk)], "hide", "Hors charte"
        ),
    ),
    "rucher.moderation.actions.review.lift_suspension": (
        a_suspension,
        lambda w, s: moderation.lift_suspension(w["alice"], w["open"], w["bob"], "Excuses reçues"),
    ),
    "rucher.moderation.actions.rules.add_watched_word": (
        nothing,
        lambda w, s: moderation.add_watched_word(w["alice"], w["open"], "nul", "word", "block"),
    ),
    "rucher.moderation.actions.rules.update_watched_word": (
        a_watched_word,
        lambda w, s: moderation.update_watched_word(w["admin"], s["word"].pk, action="flag"),
    ),
    "rucher.moderation.actions.rules.remove_watched_word": (
        a_watched_word,
        lambda w, s: moderation.remove_watched_word(w["admin"], s["word"].pk),
    ),
    "rucher.moderation.actions.rules.set_slow_mode": (
        nothing,
        lambda w, s: moderation.set_slow_mode(w["alice"], w["open"], 5),
    ),
    "rucher.moderation.actions.rules.set_new_account_rules": (
        nothing,
        lambda w, s: moderation.set_new_account_rules(w["admin"], 3, 7),
    ),
    "rucher.messaging.actions.start_conversation": (
        nothing,
        lambda w, s: messaging.start_conversation(
            w["alice"], [w["bob"].pk, w["carol"].pk], "Bonjour", title="Trio"
        ),
    ),
    "rucher.messaging.actions.send_message": (
        a_message,
        lambda w, s: messaging.send_message(w["bob"], s["message"].conversation_id, "Merci"),
    ),
    "rucher.messaging.actions.react_to_message": (
        a_message,
        lambda w, s: messaging.react_to_message(w["bob"], s["message"].pk, "like"),
    ),
    "rucher.messaging.actions.unreact_to_message": (
        a_message_reaction,
        lambda w, s: messaging.unreact_to_message(w["bob"], s["message"].pk),
    ),
    "rucher.charter.actions.publish_charter": (
        nothing,
        lambda w, s: charter.publish_charter(w["admin"], "members", "Charte", "Charter"),
    ),
    "rucher.charter.actions.accept_charter": (
        a_charter,
        lambda w, s: charter.accept_charter(w["bob"], 1),
    ),
    "rucher.charter.actions.set_space_rules": (
        nothing,
        lambda w, s: charter.set_space_rules(w["alice"], w["open"], "Soyez brefs.", ""),
    ),
    "rucher.streams.actions.follow": (
        nothing,
        lambda w, s: streams.follow(w["bob"], "person", w["alice"].pk),
    ),
    "rucher.streams.actions.unfollow": (
        following,
        lambda w, s: streams.unfollow(w["bob"], "person", w["alice"].pk),
    ),
    "rucher.streams.actions.mute": (
        nothing,
        lambda w, s: streams.mute(w["bob"], "space", w["open"].pk),
    ),
    "rucher.streams.actions.unmute": (
        muting,
        lambda w, s: streams.unmute(w["bob"], "space", w["open"].pk),
    ),
    "rucher.streams.actions.pin_to_essential": (
        a_post,
        lambda w, s: streams.pin_to_essential(w["alice"], s["post"], 3),
    ),
    "rucher.streams.actions.unpin_from_essential": (
        a_pinned_post,
        lambda w, s: streams.unpin_from_essential(w["alice"], s["post"]),
    ),
    "rucher.expertise.actions.mention_suggested": (
        a_question_with_experts,
        lambda w, s: expertise.mention_suggested(w["bob"], s["question"]),
    ),
    "rucher.streams.actions.hide_tag": (
        nothing,
        lambda w, s: streams.hide_tag(w["bob"], "sport"),
    ),
    "rucher.streams.actions.show_tag": (
        hiding,
        lambda w, s: streams.show_tag(w["bob"], "sport"),
    ),
    "rucher.webhooks.actions.create_endpoint": (
        nothing,
        lambda w, s: webhooks.create_endpoint(w["admin"], "https://[::1]/", ["member.joined"]),
    ),
    "rucher.webhooks.actions.update_endpoint": (
        an_endpoint,
        lambda w, s: webhooks.update_endpoint(w["admin"], s["endpoint"].pk, description="SI"),
    ),
    "rucher.webhooks.actions.delete_endpoint": (
        an_endpoint,
        lambda w, s: webhooks.delete_endpoint(w["admin"], s["endpoint"].pk),
    ),
    "rucher.webhooks.actions.rotate_secret": (
        an_endpoint,
        lambda w, s: webhooks.rotate_secret(w["admin"], s["endpoint"].pk),
    ),
    "rucher.webhooks.actions.send_ping": (
        an_endpoint,
        lambda w, s: webhooks.send_ping(w["admin"], s["endpoint"].pk),
    ),
    "rucher.privacy.actions.update_privacy": (
        nothing,
        lambda w, s: privacy.update_privacy(
            w["alice"], fields={"email": "nobody"}, activity="my_spaces", listed_to_partners=False
        ),
    ),
    "rucher.privacy.actions.request_export": (
        nothing,
        lambda w, s: privacy.request_export(w["alice"]),
    ),
    "rucher.privacy.actions.erase_person": (
        a_reaction,  # bob reacted to alice's post: his reaction goes, the post stays
        lambda w, s: privacy.erase_person(w["admin"], w["bob"], confirm="bob"),
    ),
    "rucher.privacy.actions.set_retention": (
        nothing,
        lambda w, s: privacy.set_retention(w["admin"], w["open"], months=12, legal_hold=False),
    ),
    "rucher.webhooks.actions.replay_delivery": (
        a_delivery_given_up,
        lambda w, s: webhooks.replay_delivery(w["admin"], s["delivery"].pk),
    ),
}


def action_modules() -> Iterator[ModuleType]:
    """Every ``actions`` module of rucher, and every module of an ``actions`` package; not
    the event log's own (``activity.actions.record`` is what every action calls)."""
    for info in pkgutil.walk_packages(rucher.__path__, "rucher."):
        parts = info.name.split(".")
        if parts[1] == "activity":
            continue
        if "actions" in parts[2:] or parts[-1] == "actions":
            yield importlib.import_module(info.name)


def public_functions() -> set[str]:
    found = set()
    for module in action_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and function.__module__ == module.__name__:
                found.add(f"{module.__name__}.{name}")
    return found


def test_every_public_action_is_walked() -> None:
    found = public_functions()
    assert found - HELPERS - RECIPES.keys() == set(), "an action without a recipe here"
    assert RECIPES.keys() - found == set(), "a recipe for an action that no longer exists"
    assert found >= HELPERS


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (the worlds here are small)."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


@pytest.mark.parametrize("action", sorted(RECIPES))
def test_an_action_appends_one_event_and_moves_the_write_generation(
    action: str, world: dict[str, Any]
) -> None:
    setup, act = RECIPES[action]
    state = setup(world)
    # A mention is one more row per person mentioned, by the event contract (one row per
    # interaction), beside the action's own event.
    actions_own = Event.objects.exclude(verb="mentioned")
    events, generation = actions_own.count(), write_generation()
    act(world, state)
    assert actions_own.count() == events + 1
    assert write_generation() > generation


@pytest.mark.parametrize("action", sorted(RECIPES))
def test_an_action_that_fails_part_way_writes_nothing(
    action: str, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The failure comes when the event is appended, the last step of every action: the
    rows written before it must all be rolled back."""
    setup, act = RECIPES[action]
    state = setup(world)
    before = snapshot()

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    for module in action_modules():
        for name in ("record", "record_together"):  # the event log's two entry points
            if hasattr(module, name):
                monkeypatch.setattr(module, name, fail)
    with pytest.raises(RuntimeError, match="the disk is full"):
        act(world, state)
    assert snapshot() == before


def test_the_walk_sees_writes(world: dict[str, Any]) -> None:
    """The recipes act for real: the rows they promise are there (guards against recipes
    that silently hit an early no-op)."""
    state = a_reaction(world)
    assert Reaction.objects.filter(content=state["post"], person=world["bob"]).exists()
    assert Content.objects.filter(pk=state["post"].pk).exists()
