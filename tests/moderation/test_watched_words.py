"""Watched words, slow mode and new accounts' first posts, before publishing
(docs/watched-words.md): the matching library, the actions, publishing, the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rucher.activity.models import Event
from rucher.conversations import actions as conversations
from rucher.conversations.models import Content
from rucher.conversations.sensitive import SensitiveFound
from rucher.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from rucher.moderation import actions
from rucher.moderation.held import count_watched, queue_held
from rucher.moderation.models import FlaggedItem, WatchedWord, WatchedWordHit
from rucher.moderation.queries import watched_word_hits_by_week
from rucher.people.actions.tokens import create_token
from rucher.sensitive import watched
from rucher.sensitive.text import fold_lower
from rucher.sensitive.watched import MatchMode, PatternError, WatchedAction, WatchList

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def word(pk: int, pattern: str, action: str = "hold", mode: str = "word", repl: str = "") -> Any:
    return watched.WatchedWord(pk, pattern, MatchMode(mode), WatchedAction(action), repl)


# --- the library ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Quel idiot !",
        "C'est l'idiot du village",
        "C’est d’IDIOT qu’il s’agit",
        "un Ïdiot",
        "idiot-là",
    ],
)
def test_a_plain_word_is_found_whole_in_any_case_accent_or_elision(text: str) -> None:
    hits = WatchList([word(1, "idiot")]).check(text).hits
    assert len(hits) == 1
    assert text[hits[0].start : hits[0].end].lower().replace("ï", "i") == "idiot"


@pytest.mark.parametrize("text", ["une idiotie", "les idiots", "Bidiot", "id iot"])
def test_a_plain_word_inside_another_word_is_not_found(text: str) -> None:
    assert WatchList([word(1, "idiot")]).check(text).hits == []


def test_accents_in_the_word_or_the_text_do_not_matter() -> None:
    words = WatchList([word(1, "crétin fini"), word(2, "debile")])
    found = words.check("Un cretin   fini, une débile.").hits
    assert [h.word.id for h in found] == [1, 2]


def test_regular_expressions_match_case_and_accent_insensitively() -> None:
    words = WatchList([word(1, r"con+ards?", mode="regex"), word(2, r"\bvir[ée]\b", mode="regex")])
    found = words.check("CONNARDS, tu es viré").hits
    assert [(h.word.id, h.matched) for h in found] == [(1, "CONNARDS"), (2, "viré")]


def test_replace_keeps_the_rest_of_the_text() -> None:
    words = WatchList([word(1, "zut", "replace", repl="[…]"), word(2, "flûte", "replace")])
    screening = words.check("Zut alors, flute !")
    assert screening.replaced("Zut alors, flute !") == "[…] alors, *** !"
    assert screening.action == WatchedAction.REPLACE


def test_the_strongest_action_wins() -> None:
    words = WatchList([word(1, "a1", "replace"), word(2, "b2", "flag"), word(3, "c3", "block")])
    assert words.check("a1 b2").action == WatchedAction.FLAG
    assert words.check("a1 b2 c3").action == WatchedAction.BLOCK


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        ("(", "syntax"),
        ("[a-", "syntax"),
        ("a*", "empty_match"),
        ("(x)?", "empty_match"),
        (r"(a+)+$", "slow"),
        (r"(\w+\s?)+$", "slow"),
    ],
)
def test_bad_patterns_are_refused_with_their_reason(pattern: str, code: str) -> None:
    with pytest.raises(PatternError) as refused:
        watched.validate_pattern(pattern)
    assert refused.value.code == code


def test_a_pattern_that_times_out_at_publishing_is_reported_not_hung(monkeypatch: Any) -> None:
    """A catastrophic pattern that reached the database anyway (saved before validation
    existed, by hand) times out: reported, so publishing fails closed (held)."""
    monkeypatch.setattr(watched, "PATTERN_TIMEOUT", 0.01)
    screening = WatchList([word(1, r"(a+)+$", mode="regex")]).check("a" * 5000 + "!")
    assert [w.id for w in screening.timed_out] == [1]
    assert screening.hits == []


# --- managing the lists ----------------------------------------------------------------------


def test_administrators_manage_the_organisation_list(world: dict[str, Any]) -> None:
    added = actions.add_watched_word(world["admin"], None, " Idiot ", "word", "block")
    assert (added.pattern, added.normalised, added.space_id) == ("Idiot", "idiot", None)
    event = Event.objects.get(verb="added_watched_word")
    assert (event.object_type, event.object_id, event.actor_id) == (
        "watched_word",
        added.pk,
        world["admin"].pk,
    )
    changed = actions.update_watched_word(world["admin"], added.pk, action="replace")
    assert changed.action == "replace"
    actions.remove_watched_word(world["admin"], added.pk)
    assert not WatchedWord.objects.exists()
    assert Event.objects.filter(verb__endswith="watched_word").count() == 3
    with pytest.raises(Forbidden):
        actions.add_watched_word(world["cm"], None, "idiot", "word", "block")
    with pytest.raises(Forbidden):
        actions.add_watched_word(world["alice"], None, "idiot", "word", "block")


def test_a_space_list_is_its_managers_only(world: dict[str, Any]) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    actions.add_watched_word(alice, world["open"], "idiot", "word", "hold")
    with pytest.raises(Forbidden):
        actions.add_watched_word(bob, world["open"], "nul", "word", "hold")
    with pytest.raises(NotFound):  # bob may not know of the secret space
        actions.add_watched_word(bob, world["secret"], "nul", "word", "hold")
    mine = actions.add_watched_word(alice, world["private"], "nul", "word", "hold")
    with pytest.raises(Forbidden):  # carol, a member, does not manage the private space
        actions.update_watched_word(carol, mine.pk, action="block")
    with pytest.raises(NotFound):
        actions.remove_watched_word(bob, 999_999)
    assert WatchedWord.objects.count() == 2


@pytest.mark.parametrize(
    ("pattern", "mode", "action", "replacement", "error"),
    [
        ("", "word", "block", None, Invalid),
        ("   ", "word", "block", None, Invalid),
        ("!!!", "word", "block", None, Invalid),
        ("idiot", "word", "shout", None, Invalid),
        ("idiot", "glob", "block", None, Invalid),
        ("(", "regex", "block", None, Invalid),
        (r"(a+)+$", "regex", "block", None, Invalid),
        ("a*", "regex", "block", None, Invalid),
        ("idiot", "word", "block", "***", Invalid),
        ("x" * 201, "word", "block", None, Invalid),
        ("ÎDIOT", "word", "hold", None, Conflict),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    world: dict[str, Any], pattern: str, mode: str, action: str, replacement: Any, error: Any
) -> None:
    actions.add_watched_word(world["admin"], None, "idiot", "word", "block")
    before = (WatchedWord.objects.count(), Event.objects.count())
    with pytest.raises(error):
        actions.add_watched_word(world["admin"], None, pattern, mode, action, replacement)
    assert (WatchedWord.objects.count(), Event.objects.count()) == before


def test_the_same_word_may_be_watched_by_the_organisation_and_a_space(
    world: dict[str, Any],
) -> None:
    actions.add_watched_word(world["admin"], None, "idiot", "word", "flag")
    actions.add_watched_word(world["alice"], world["open"], "idiot", "word", "block")
    with pytest.raises(Conflict):
        actions.add_watched_word(world["alice"], world["open"], "Idiot", "word", "hold")


# --- publishing -----------------------------------------------------------------------------


def test_block_refuses_with_the_reason_and_writes_nothing(world: dict[str, Any]) -> None:
    actions.add_watched_word(world["admin"], None, "idiot", "word", "block")
    before = (Content.objects.count(), Event.objects.count())
    with pytest.raises(SensitiveFound) as refused:
        conversations.publish(world["bob"], world["open"], "Quel IDIOT ce chef")
    assert refused.value.action == "block"
    assert "“IDIOT” is not allowed here." in refused.value.message
    finding = refused.value.findings[0]
    assert (finding["kind"], finding["start"], finding["end"]) == ("watched_word", 5, 10)
    assert (Content.objects.count(), Event.objects.count()) == before


def test_hold_puts_the_post_in_the_review_queue(world: dict[str, Any]) -> None:
    actions.add_watched_word(world["alice"], world["open"], "nul", "word", "hold")
    post = conversations.publish(world["bob"], world["open"], "C'est nul")
    assert post.is_held
    assert post.sensitive["held_because"] == ["“nul” needs a moderator's approval here."]
    posted = Event.objects.get(verb="posted", object_id=post.pk)
    assert queue_held(posted) is True
    assert count_watched(posted) == 1
    assert count_watched(posted) == 1  # a retried task counts nothing twice
    assert WatchedWordHit.objects.count() == 1
    # Another space's list does not apply elsewhere.
    assert not conversations.publish(world["alice"], world["private"], "C'est nul").is_held


def test_flag_publishes_then_opens_a_review(world: dict[str, Any]) -> None:
    actions.add_watched_word(world["admin"], None, "arnaque", "word", "flag")
    post = conversations.publish(world["bob"], world["open"], "Une arnaque !")
    assert post.status == Content.Status.PUBLISHED
    count_watched(Event.objects.get(verb="posted", object_id=post.pk))
    item = FlaggedItem.objects.get(content=post)
    assert (item.status, item.flag_count) == ("open", 0)


def test_replace_publishes_the_replaced_text(world: dict[str, Any]) -> None:
    actions.add_watched_word(world["admin"], None, "zut", "word", "replace", "[…]")
    comment = conversations.reply(
        world["alice"], conversations.publish(world["bob"], world["open"], "Salut"), "Zut !"
    )
    assert comment.text == "[…] !"
    assert comment.status == Content.Status.PUBLISHED


def test_edits_are_checked_too(world: dict[str, Any]) -> None:
    post = conversations.publish(world["bob"], world["open"], "Bonjour")
    actions.add_watched_word(world["admin"], None, "idiot", "word", "block")
    with pytest.raises(SensitiveFound):
        conversations.edit(world["bob"], post, "Bonjour idiot")


def test_a_timed_out_pattern_holds_the_post(world: dict[str, Any], monkeypatch: Any) -> None:
    actions.add_watched_word(world["admin"], None, r"b(a|b)c", "regex", "block")
    monkeypatch.setattr(watched.WatchList, "check", _timed_out)
    post = conversations.publish(world["bob"], world["open"], "abc")
    assert post.is_held
    assert post.sensitive["watched"][0]["timed_out"] is True


def _timed_out(self: WatchList, text: str) -> watched.Screening:
    return watched.Screening(timed_out=list(self.words))


def test_hits_are_counted_per_space_and_week(world: dict[str, Any]) -> None:
    actions.add_watched_word(world["admin"], None, "nul", "word", "flag")
    for text in ("nul", "vraiment nul", "bien"):
        post = conversations.publish(world["bob"], world["open"], text)
        count_watched(Event.objects.get(verb="posted", object_id=post.pk))
    private = conversations.publish(world["alice"], world["private"], "nul")
    count_watched(Event.objects.get(verb="posted", object_id=private.pk))
    weeks = watched_word_hits_by_week(world["alice"])
    assert {(w.space_name, w.hits) for w in weeks} == {("Ouvert", 2), ("Privé", 1)}
    assert {w.space_name for w in watched_word_hits_by_week(world["bob"])} == set()
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    assert {w.week for w in weeks} <= {monday, monday - timedelta(days=1)}  # UTC vs local


# --- slow mode and new accounts ------------------------------------------------------------


def test_slow_mode_refuses_a_second_post_with_retry_after(world: dict[str, Any]) -> None:
    actions.set_slow_mode(world["alice"], world["open"], 10)
    first = conversations.publish(world["bob"], world["open"], "Un")
    with pytest.raises(TooManyRequests) as refused:
        conversations.reply(world["bob"], first, "Deux")
    assert 0 < refused.value.retry_after <= 600
    assert "You may post again at" in refused.value.message
    conversations.publish(world["alice"], world["open"], "Le propriétaire passe")
    conversations.publish(world["alice"], world["open"], "et repasse")
    conversations.edit(world["bob"], first, "Un, corrigé")  # edits are not slowed
    Content.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    conversations.publish(world["bob"], world["open"], "Trois")
    with pytest.raises(Forbidden):
        actions.set_slow_mode(world["bob"], world["open"], 0)
    with pytest.raises(Invalid):
        actions.set_slow_mode(world["alice"], world["open"], -1)


def test_new_accounts_first_posts_are_held(world: dict[str, Any], make_person: Any) -> None:
    newcomer = make_person(username="nouveau")
    world["open"].memberships.create(person=newcomer, role="member", status="active")
    assert not conversations.publish(newcomer, world["open"], "Avant").is_held  # off by default
    actions.set_new_account_rules(world["admin"], 3, 7)
    held = [conversations.publish(newcomer, world["open"], f"n°{n}").is_held for n in range(3)]
    assert held == [True, True, False]  # the first one, before the setting, counts
    assert not conversations.publish(world["bob"], world["open"], "Ancien").is_held or (
        world["bob"].date_joined > timezone.now() - timedelta(days=7)
    )
    with pytest.raises(Forbidden):
        actions.set_new_account_rules(world["alice"], 1, 1)
    with pytest.raises(Invalid):
        actions.set_new_account_rules(world["admin"], 1, 0)


# --- the API ---------------------------------------------------------------------------------


def api(person: Any) -> Client:
    _row, raw = create_token(person, "api")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_api_lists_creates_updates_and_deletes(world: dict[str, Any]) -> None:
    client = api(world["alice"])
    url = "/api/v1/moderation/watched-words"
    payload = {"space_id": world["open"].pk, "pattern": "idiot", "action": "block"}
    created = client.post(url, payload, content_type=JSON)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    listed = client.get(url, {"space_id": world["open"].pk})
    assert [w["pattern"] for w in listed.json()] == ["idiot"]
    changed = client.patch(f"{url}/{pk}", {"action": "hold"}, content_type=JSON)
    assert changed.json()["action_label"] == "require approval"
    bad = client.post(url, {**payload, "pattern": "(a+)+$", "mode": "regex"}, content_type=JSON)
    assert bad.status_code == 422 and "backtracks" in bad.json()["detail"]
    dup = client.post(url, {**payload, "pattern": "IDIOT"}, content_type=JSON)
    assert dup.status_code == 409
    assert client.get(url).status_code == 403  # the organisation's list: administrators
    assert api(world["bob"]).get(url, {"space_id": world["open"].pk}).status_code == 403
    assert api(world["bob"]).get(url, {"space_id": world["secret"].pk}).status_code == 404
    assert client.delete(f"{url}/{pk}").status_code == 204
    assert client.delete(f"{url}/{pk}").status_code == 404
    assert client.delete(f"{url}/{10**30}").status_code == 404
    assert client.patch(f"{url}/{10**30}", {"action": "hold"}, content_type=JSON).status_code == 404


def test_the_api_publish_answers_429_with_retry_after_in_slow_mode(world: dict[str, Any]) -> None:
    owner, bob = api(world["alice"]), api(world["bob"])
    slow = f"/api/v1/moderation/spaces/{world['open'].pk}/slow-mode"
    assert owner.put(slow, {"minutes": 5}, content_type=JSON).json() == {"minutes": 5}
    assert bob.put(slow, {"minutes": 0}, content_type=JSON).status_code == 403
    post = {"space_id": world["open"].pk, "text": "Un"}
    assert bob.post("/api/v1/posts", post, content_type=JSON).status_code == 201
    refused = bob.post("/api/v1/posts", post, content_type=JSON)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 300
    assert "slow mode" in refused.json()["detail"]


def test_the_api_held_post_answers_held_for_review(world: dict[str, Any]) -> None:
    actions.add_watched_word(world["admin"], None, "nul", "word", "hold")
    answer = api(world["bob"]).post(
        "/api/v1/posts", {"space_id": world["open"].pk, "text": "c'est nul"}, content_type=JSON
    )
    assert answer.status_code == 201
    assert answer.json()["status"] == "held_for_review"
    assert answer.json()["sensitive_findings"][0]["kind"] == "watched_word"


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        (r"\barnaques?\b", "arnaque"),
        (r"(?:^|\s)Débile!+", "debile"),
        (r"con+ard", "ard"),
        (r"a|b", None),
        (r"(?i)abc", None),
        (r"\p{L}+x", None),
    ],
)
def test_the_required_literal_is_sure_or_none(pattern: str, literal: str | None) -> None:
    assert watched.required_literal(pattern) == literal


@pytest.mark.parametrize(
    "text", ["ARNAQUES !", "une arnaque", "connnard", "C’EST DÉBILE!!", "rien", "con ard"]
)
def test_skipping_by_literal_never_changes_what_is_found(text: str) -> None:
    patterns = [r"\barnaques?\b", r"con+ard", r"(?:^|\s)débile!+", r"arn|deb"]
    words = [word(n, p, "flag", "regex") for n, p in enumerate(patterns)]
    found = WatchList(words).check(text).hits
    expected = [
        (w.id, m.span())
        for w in words
        for m in watched.compile_regex(w.pattern).finditer(fold_lower(text))
    ]
    assert sorted((h.word.id, (h.start, h.end)) for h in found) == sorted(expected)
