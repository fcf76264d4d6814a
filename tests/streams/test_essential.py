"""Essentiel, the short stream: chosen through the read policy, ranked by the reader's own
acts, each item with its reason; a fixed number of queries; the page and the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from rucher.activity.models import Event
from rucher.conversations import actions
from rucher.errors import Forbidden, Invalid, NotFound
from rucher.insights import essential as model
from rucher.moderation import actions as moderation
from rucher.moderation.queries import ItemRef
from rucher.spaces.models import ConfidentialRead, Membership
from rucher.streams import actions as stream_actions
from rucher.streams import essential as essential_module
from rucher.streams import reading
from rucher.streams.essential import build_essential, essential, item_count, why

pytestmark = pytest.mark.django_db


def ids(page: Any) -> list[int]:
    return [item.content.pk for item in page.items]


def test_only_what_the_reader_may_read_and_not_their_own(world: dict[str, Any]) -> None:
    alice, bob, gus = world["alice"], world["bob"], world["gus"]
    open_post = actions.publish(alice, world["open"], "Bonjour #accueil")
    secret = actions.publish(alice, world["secret"], "Projet secret")
    private = actions.publish(alice, world["private"], "Entre nous")
    mine = actions.publish(bob, world["open"], "Mon message")
    partner = actions.publish(alice, world["partner"], "Pour les partenaires")
    assert ids(build_essential(bob, 20)) == [open_post.pk]
    assert mine.pk not in ids(build_essential(bob, 20))
    assert ids(build_essential(gus, 20)) == [partner.pk]
    assert secret.pk in ids(build_essential(world["carol"], 20))
    assert private.pk in ids(build_essential(world["carol"], 20))
    actions.delete(alice, open_post)
    assert ids(build_essential(bob, 20)) == []


@pytest.mark.parametrize("wide", [False, True], ids=["per-space scans", "one walk"])
def test_the_candidates_scans_find_the_policys_candidates(
    world: dict[str, Any], make_person: Any, monkeypatch: pytest.MonkeyPatch, wide: bool
) -> None:
    """``candidate_rows`` (index-ordered scans) against ``candidates_for`` (the read policy's
    plain query) for every kind of reader: the same rows, in the same order, cut at the same
    place; published only (a moderator's policy also reads what is hidden, which is never
    shown)."""
    alice, bob = world["alice"], world["bob"]
    dora = make_person(username="dora")
    for space in ("open", "private", "secret", "partner", "confidential"):
        for n in range(3):
            actions.publish(alice, world[space], f"{space} {n} #t{n}")
    actions.publish(dora, None, "Sur mon profil")
    actions.publish(bob, world["open"], "Le mien")
    actions.publish(alice, world["open"], "[Sport] course")
    old = actions.publish(alice, world["open"], "Trop ancien")
    type(old).objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(days=30))
    gone = actions.publish(alice, world["open"], "Effacé")
    actions.delete(alice, gone)
    stream_actions.mute(bob, "topic", "t1")
    stream_actions.mute(bob, "person", dora.pk)
    stream_actions.hide_tag(bob, "[sport]")
    monkeypatch.setattr(essential_module, "CANDIDATES", 7)
    if wide:
        monkeypatch.setattr(essential_module.scans, "WIDE", 1)
    now = timezone.now()
    for reader in ("alice", "bob", "carol", "gus", "cm", "admin"):
        person = world[reader]
        plain = list(
            essential_module.candidates_for(person, now, 7)
            .filter(status="published")
            .values_list("pk", "kind", "author_id", "space_id", "created_at")[:7]
        )
        assert essential_module.candidate_rows(person, now, 7) == plain, reader
        assert plain or reader == "alice", reader


def test_mutes_and_hidden_tags_leave_it_out(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    sport = actions.publish(alice, world["open"], "[Sport] course du midi")
    budget = actions.publish(alice, world["open"], "Réunion #budget")
    stream_actions.hide_tag(bob, "[sport]")
    assert ids(build_essential(bob, 20)) == [budget.pk]
    stream_actions.mute(bob, "topic", "budget")
    assert ids(build_essential(bob, 20)) == []
    assert sport.pk


def test_what_the_reader_deals_with_comes_first_and_says_why(
    world: dict[str, Any], make_person: Any
) -> None:
    alice, bob = world["alice"], world["bob"]
    dora = make_person(username="dora", first_name="Dora")
    from rucher.spaces.actions import join_space

    join_space(dora, world["open"])
    older = actions.publish(dora, world["open"], "Le point #budget de la semaine")
    newer = actions.publish(alice, world["open"], "Photos du pique-nique")
    # Without any tie, newest first.
    assert ids(build_essential(bob, 20)) == [newer.pk, older.pk]
    stream_actions.follow(bob, "person", dora.pk)
    page = build_essential(bob, 20)
    assert ids(page) == [older.pk, newer.pk]
    with translation.override("fr"):
        assert "vous suivez Dora Test" in why(page.items[0])
    with translation.override("en"):
        assert "you follow Dora Test" in why(page.items[0])


def test_a_mention_and_people_one_deals_with_are_reasons(world: dict[str, Any]) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    mentioned = actions.publish(alice, world["open"], "Une question pour @bob")
    actions.publish(alice, world["open"], "Rien de spécial")
    page = build_essential(bob, 20)
    assert ids(page)[0] == mentioned.pk
    with translation.override("fr"):
        assert why(page.items[0])[0] == "vous êtes mentionné·e"
    assert carol


def test_the_list_is_short_and_diverse(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    for i in range(5):
        actions.publish(alice, world["open"], f"message {i}")
    page = build_essential(bob, 20)
    assert len(page.items) == model.PER_AUTHOR  # at most a few by one author
    assert len(build_essential(bob, 1).items) == 1


def test_limit_is_checked(world: dict[str, Any]) -> None:
    from rucher.errors import Invalid

    bob = world["bob"]
    assert item_count(bob, None) == 20
    assert item_count(bob, "5") == 5
    for bad in ("0", "51", "abc", True):
        with pytest.raises(Invalid):
            item_count(bob, bad)
    # The reader's own length, when they chose one, replaces the organisation's.
    reading.choose_reading(bob, essential_items=7)
    assert item_count(bob, None) == 7
    assert item_count(bob, "3") == 3
    reading.choose_reading(bob, essential_items="default")
    assert item_count(bob, None) == 20


def _count(reader: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        build_essential(reader, 20)
    return len(queries)


def test_query_count_does_not_grow_with_the_candidates(world: dict[str, Any], grow: Any) -> None:
    carol = world["carol"]
    stream_actions.follow(carol, "topic", "t0")
    grow(3)
    small = _count(carol)
    grow(9)
    assert _count(carol) == small == 14


def test_query_count_for_a_reader_who_writes(world: dict[str, Any], grow: Any) -> None:
    """Bob asks a question at each growth: his acts are placed (one statement more than for
    Carol, who only follows a topic) and his contributions' vectors are read with the
    candidates' (one more), whatever their number."""
    from rucher.meaning.vectors import embed_all

    bob = world["bob"]
    grow(3)
    embed_all()
    small = _count(bob)
    grow(9)
    embed_all()
    assert _count(bob) == small == 16


def test_what_is_close_to_what_the_reader_writes_comes_first_and_says_why(
    world: dict[str, Any],
) -> None:
    """Meaning: with nothing else to tell them apart, a conversation close to what the reader
    writes about comes before a newer one that is not (the sentence vectors the worker stores
    after each write; here computed at once)."""
    from rucher.meaning.vectors import embed_all

    alice, bob = world["alice"], world["bob"]
    actions.publish(bob, world["open"], "Le budget prévisionnel du trimestre est en retard.")
    close = actions.publish(alice, world["open"], "Où en est le budget prévisionnel du trimestre ?")
    other = actions.publish(alice, world["open"], "Photos du pique-nique de samedi au parc")
    # Before the vectors exist (the worker has not run): newest first, no meaning reason.
    page = build_essential(bob, 20)
    assert ids(page) == [other.pk, close.pk]
    assert all(r.code != "close" for item in page.items for r in item.reasons)
    embed_all()
    page = build_essential(bob, 20)
    assert ids(page) == [close.pk, other.pk]
    assert page.items[0].reasons[0].code == "close"
    assert all(r.code != "close" for r in page.items[1].reasons)
    with translation.override("fr"):
        assert "proche de ce que vous écrivez" in why(page.items[0])
    with translation.override("en"):
        assert "close to what you write about" in why(page.items[0])
    # A reader who wrote nothing has no interest to be close to.
    assert all(
        r.code != "close"
        for item in build_essential(world["carol"], 20).items
        for r in item.reasons
    )


def test_the_choice_is_kept_while_others_write_and_its_rows_are_read_again(
    world: dict[str, Any], make_person: Any
) -> None:
    """A short list for the day: others' writes do not choose it again (they wait for the
    refresh), the reader's own do; every page reads its rows again through the policy."""
    alice, carol = world["alice"], world["carol"]
    dora = make_person(username="dora")
    for space in (world["private"], world["secret"]):
        Membership.objects.create(person=dora, space=space, status=Membership.Status.ACTIVE)
    private = actions.publish(alice, world["private"], "Le planning de la semaine")
    hidden = actions.publish(alice, world["private"], "Un message à modérer")
    secret = actions.publish(dora, world["secret"], "Un projet discret")
    assert set(ids(essential(carol))) == {private.pk, secret.pk, hidden.pk}
    later = actions.publish(dora, world["private"], "Arrivé plus tard")
    assert later.pk not in ids(essential(carol))
    # Rows are read again: an edit shows, a deletion and a moderator's hiding leave at once.
    actions.edit(alice, private, "Le planning révisé")
    shown = {item.content.pk: item.content for item in essential(carol).items}
    assert shown[private.pk].text == "Le planning révisé"
    moderation.flag(dora, ItemRef("content", hidden.pk), "spam")
    moderation.decide(alice, [ItemRef("content", hidden.pk)], "hide", "Hors charte")
    assert hidden.pk not in ids(essential(carol))
    # Access lost without any act of the reader's (here the row removed by hand): the next
    # page built no longer shows what she may not read.
    Membership.objects.filter(person=carol, space=world["secret"]).delete()
    actions.edit(alice, private, "Le planning révisé, encore")
    assert secret.pk not in ids(essential(carol))
    # The reader's own act chooses again: the later post comes in.
    stream_actions.follow(carol, "person", alice.pk)
    assert later.pk in ids(essential(carol))


def test_others_writes_come_in_once_the_choice_is_older_than_the_refresh(
    world: dict[str, Any], settings: Any
) -> None:
    alice, carol = world["alice"], world["carol"]
    settings.RUCHER_ESSENTIAL_REFRESH_SECONDS = 0  # every choice is already too old
    first = actions.publish(alice, world["private"], "Le planning de la semaine")
    assert ids(essential(carol)) == [first.pk]
    newest = actions.publish(alice, world["private"], "Tout frais")
    assert ids(essential(carol)) == [newest.pk, first.pk]


def test_a_page_is_kept_or_built_again_from_the_kept_choice(world: dict[str, Any]) -> None:
    """After a write elsewhere, or a new post: the page is kept (the writes since are read,
    one statement). After a write about one of its items: built again from the kept choice
    in five (those writes, the reader's newest act, the pins of their spaces, the rows
    through the policy with the reader's reactions, their topics)."""
    from rucher.streams.cache import write_generation

    alice, carol = world["alice"], world["carol"]
    posts = [actions.publish(alice, world["private"], f"Point {n} #budget") for n in range(5)]
    # Written a while ago: on PostgreSQL the writes of the last few seconds before a page was
    # built are judged again (``relevance.lookback``) and would renew it once more.
    Event.objects.update(at=F("at") - timedelta(seconds=30))
    essential(carol)

    def statements() -> tuple[Any, list[str]]:
        generation = write_generation()
        with CaptureQueriesContext(connection) as queries:
            page = essential(carol, generation=generation)
        return page, [q["sql"][:60] for q in queries]

    actions.publish(alice, world["open"], "Ailleurs")
    actions.publish(alice, world["private"], "Nouveau, ici")
    page, kept = statements()
    assert len(kept) == 1, kept
    assert ids(page) == [posts[4].pk, posts[3].pk]  # at most two items of one author
    actions.edit(alice, posts[4], "Point 4 révisé #budget")
    page, built = statements()
    assert len(built) == 5, built
    assert page.items[0].content.text == "Point 4 révisé #budget"


def test_page_and_api(world: dict[str, Any], client_for: Any) -> None:
    alice, carol = world["alice"], world["carol"]
    post = actions.publish(alice, world["confidential"], "Chiffres du trimestre @carol")
    response = client_for(carol).get("/essentiel/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Pourquoi ici" in text and "Chiffres du trimestre" in text
    assert ConfidentialRead.objects.filter(person=carol, object_id=post.pk).count() == 1
    answer = client_for(carol).get("/api/v1/streams/essential?limit=5")
    assert answer.status_code == 200
    body = answer.json()
    assert [i["id"] for i in body["items"]] == [post.pk]
    assert body["items"][0]["why"]
    assert ConfidentialRead.objects.filter(person=carol, object_id=post.pk).count() == 2
    # Served again from the kept body: still a read.
    assert client_for(carol).get("/api/v1/streams/essential?limit=5").status_code == 200
    assert ConfidentialRead.objects.filter(person=carol, object_id=post.pk).count() == 3
    assert client_for(carol).get("/api/v1/streams/essential?limit=0").status_code == 422
    assert client_for(carol).get("/api/v1/streams/essential?limit=x").status_code == 422
    assert essential(carol).items[0].content.pk == post.pk


def test_the_api_serves_the_schemas_json_kept_in_the_readers_language(
    world: dict[str, Any], client_for: Any
) -> None:
    """The body is kept serialised (as the home stream's): it must be what ninja would write
    from the schema, and the words of ``why`` are the reader's language's."""
    import json

    from ninja.responses import NinjaJSONEncoder

    from rucher.api.routers.discovery import EssentialOut, essential_body, essential_out

    alice, carol = world["alice"], world["carol"]
    post = actions.publish(alice, world["private"], "Le point #budget pour @carol")
    actions.edit(alice, post, "Le point #budget révisé pour @carol")
    actions.react(carol, post, "like")
    actions.publish(alice, world["secret"], "Un autre sujet")
    secret = actions.publish(alice, world["confidential"], "Chiffres du trimestre")
    page = essential(carol)
    with translation.override("fr"):
        body, confidential = essential_body(page)
        schema = EssentialOut.model_validate(essential_out(page)).model_dump()
    # Byte for byte: the same keys in the same order, the same types (1 is not 1.0).
    assert body == json.dumps(schema, cls=NinjaJSONEncoder).encode()
    assert confidential == [(world["confidential"].pk, "post", secret.pk)]
    first = json.loads(body)["items"][0]
    assert first["my_reaction"] == "like" and first["reaction_counts"] == {"like": 1}
    assert first["edited_at"] and first["topics"] == ["budget"]
    client = client_for(carol)
    url = "/api/v1/streams/essentiel"
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").json()["items"][0]["why"]
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["items"][0]["why"]
    assert "vous êtes mentionné·e" in french and "you are mentioned" in english
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="fr").json()["items"][0]["why"] == french


def test_related_api_goes_through_the_read_policy(world: dict[str, Any], client_for: Any) -> None:
    alice, bob = world["alice"], world["bob"]
    secret = actions.publish(alice, world["secret"], "Projet secret")
    visible = actions.publish(alice, world["open"], "Bonjour")
    assert client_for(bob).get(f"/api/v1/posts/{secret.pk}/related").status_code == 404
    answer = client_for(bob).get(f"/api/v1/posts/{visible.pk}/related")
    assert answer.status_code == 200
    assert answer.json() == {"items": []} or all(
        i["id"] != secret.pk for i in answer.json()["items"]
    )


# --- the pure model -----------------------------------------------------------------------

NOW = datetime(2026, 1, 10, tzinfo=UTC)


def test_profile_ignores_later_acts_and_decays() -> None:
    acts = [
        model.Act(NOW - timedelta(days=1), "commented", person_id=7, space_id=1, root_id=3),
        model.Act(NOW - timedelta(days=60), "commented", person_id=8),
        model.Act(NOW + timedelta(days=1), "commented", person_id=9),
    ]
    profile = model.build_profile(acts, NOW)
    assert 9 not in profile.people
    assert profile.people[7] > profile.people[8] > 0
    assert profile.replied == {3}


def test_interest_is_the_recent_writing_and_closeness_a_cosine() -> None:
    import numpy as np

    x, y = np.array([1.0, 0.0], dtype=np.float32), np.array([0.0, 1.0], dtype=np.float32)
    interest = model.interest_vector(
        [(NOW - timedelta(days=1), x), (NOW - timedelta(days=90), y), (NOW, y)], NOW
    )
    assert interest is not None
    # The older contribution weighs less (an eighth at three half-lives); a later one none.
    assert interest[0] > 0.99 and 0.1 < interest[1] < 0.15
    assert abs(float(np.linalg.norm(interest)) - 1.0) < 1e-6
    assert model.interest_vector([], NOW) is None
    # A vector of another size (another encoder's) is left out, not a crash.
    mixed = model.interest_vector([(NOW - timedelta(days=1), x), (NOW, y), (NOW, y[:1])], NOW)
    assert mixed is not None and list(mixed) == [1.0, 0.0]
    odd = [(NOW - timedelta(days=1), x), (NOW - timedelta(days=2), np.ones(3))]
    only_x = model.interest_vector(odd, NOW)
    assert only_x is not None and list(only_x) == [1.0, 0.0]
    assert model.interest_vector([(NOW - timedelta(days=1), np.zeros(2))], NOW) is None
    assert model.closeness(interest, [2 * x, None, np.zeros(2), y]) == pytest.approx(
        [float(interest[0]), 0.0, 0.0, float(interest[1])]
    )
    assert model.closeness(None, [x]) == [0.0]
    assert model.closeness(interest, []) == []


def test_only_a_strong_closeness_counts() -> None:
    def close_part(closeness: float) -> float:
        candidate = model.Candidate(1, NOW, "post", 2, closeness=closeness)
        scored = model.score(model.Profile(), candidate, NOW)
        return sum(r.weight for r in scored.reasons if r.code == "close")

    start = model.WEIGHTS["close_from"]
    assert close_part(start) == close_part(start - 0.2) == 0.0
    assert close_part(start + 0.3) > close_part(start + 0.1) > 0.0
    assert close_part(start + 0.1) == pytest.approx(model.WEIGHTS["close"] * 0.1)


def _plain_score(profile: Any, candidate: Any, now: datetime) -> tuple[float, tuple[Any, ...]]:
    """The score written plainly, every part computed (the code before it was made fast):
    the oracle ``model.score`` must equal to the last bit."""
    import math

    w = model.WEIGHTS
    parts: list[Any] = []

    def add(code: str, value: float, *args: Any) -> None:
        if value:
            parts.append(model.Reason(code, value, args))

    if candidate.author_id in profile.followed_people:
        add("followed_person", w["followed_person"], candidate.author_id)
    add("author", w["author"] * math.log1p(profile.people.get(candidate.author_id, 0.0)))
    space = candidate.space_id
    if space is not None:
        if space in profile.followed_spaces:
            add("followed_space", w["followed_space"], space)
        elif space in profile.member_spaces:
            add("member_space", w["member_space"], space)
        add("space", w["space"] * math.log1p(profile.spaces.get(space, 0.0)), space)
    followed = sorted(t for t in candidate.topics if t in profile.followed_topics)
    if followed:
        add("followed_topic", w["followed_topic"], followed[0])
    if candidate.topics:
        best = max(candidate.topics, key=lambda t: profile.topics.get(t, 0.0))
        add("topic", w["topic"] * math.log1p(profile.topics.get(best, 0.0)), best)
    close = [p for p in (*candidate.repliers, *candidate.reactors) if p in profile.people]
    if close:
        strength = sum(profile.people[p] for p in set(close))
        add("people", w["people"] * math.log1p(strength), len(set(close)))
    if candidate.mentions_reader:
        add("mention", w["mention"])
    n_repliers, n_reactors = len(set(candidate.repliers)), len(set(candidate.reactors))
    add("repliers", w["repliers"] * math.log1p(n_repliers), n_repliers)
    add("reactions", w["reactions"] * math.log1p(n_reactors), n_reactors)
    if candidate.accepted:
        add("accepted", w["accepted"])
    if candidate.kind == "question" and not candidate.answered and candidate.topics:
        known = max(profile.topics.get(t, 0.0) for t in candidate.topics)
        add("waiting", w["waiting"] * math.log1p(known))
    if candidate.closeness > w["close_from"]:
        add("close", w["close"] * (candidate.closeness - w["close_from"]))
    if candidate.id in profile.replied:
        add("replied", w["replied"])
    elif candidate.id in profile.seen:
        add("seen", w["seen"])
    relevance = w["base"] + sum(r.weight for r in parts)
    fresh = 0.5 ** (max((now - candidate.at).total_seconds(), 0.0) / (12 * 3600))
    value = max(relevance, 0.0) * fresh
    return value, tuple(sorted((r for r in parts if r.weight > 0), key=lambda r: -r.weight))


def test_the_fast_score_is_the_plain_one_to_the_last_bit() -> None:
    import random

    rng = random.Random(13)
    people, spaces, topics = range(40), range(6), ["a", "b", "c", "d"]
    for case in range(3000):
        profile = model.Profile(
            people={p: rng.uniform(0, 3) for p in rng.sample(people, rng.randint(0, 12))},
            spaces={s: rng.uniform(0, 3) for s in rng.sample(spaces, rng.randint(0, 3))},
            topics={t: rng.uniform(0, 3) for t in rng.sample(topics, rng.randint(0, 3))},
            seen=set(rng.sample(range(20), 5)),
            replied=set(rng.sample(range(20), 3)),
            followed_people=frozenset(rng.sample(people, 3)),
            followed_spaces=frozenset(rng.sample(spaces, 1)),
            followed_topics=frozenset(rng.sample(topics, 1)),
            member_spaces=frozenset(rng.sample(spaces, 3)),
        )
        candidate = model.Candidate(
            id=rng.randrange(20),
            at=NOW - timedelta(hours=rng.uniform(-1, 200)),
            kind=rng.choice(["post", "question", "poll"]),
            author_id=rng.choice(people),
            space_id=rng.choice([None, *spaces]),
            topics=tuple(sorted(rng.sample(topics, rng.randint(0, 3)))),
            repliers=tuple(rng.sample(people, rng.randint(0, 6))),
            reactors=tuple(rng.sample(people, rng.randint(0, 6))),
            mentions_reader=rng.random() < 0.2,
            accepted=rng.random() < 0.2,
            answered=rng.random() < 0.5,
            closeness=rng.uniform(0, 1),
        )
        scored = model.score(profile, candidate, NOW)
        assert (scored.score, scored.reasons) == _plain_score(profile, candidate, NOW), case


def test_evaluation_reports_product_and_newest_first() -> None:
    content, events = [], []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    n = 0
    for day in range(20):
        for j in range(3):
            n += 1
            at = start + timedelta(days=day, hours=j)
            author = 1 + (n % 3)
            content.append(
                {
                    "content_id": n,
                    "kind": "post",
                    "author_id": author,
                    "space_id": 1,
                    "root_id": None,
                    "created_at": at,
                    "topics": ["a" if j else "b"],
                }
            )
            events.append({"at": at, "actor_id": author, "verb": "posted", "object_id": n})
            # person 9 always replies to author 2's posts, the next morning
            if author == 2:
                n += 1
                reply_at = at + timedelta(hours=30)
                content.append(
                    {
                        "content_id": n,
                        "kind": "comment",
                        "author_id": 9,
                        "space_id": 1,
                        "root_id": n - 1,
                        "created_at": reply_at,
                        "topics": [],
                    }
                )
                events.append(
                    {
                        "at": reply_at,
                        "actor_id": 9,
                        "verb": "commented",
                        "object_id": n,
                        "target_id": 2,
                    }
                )
    report = model.evaluate_essential(content, events, window_days=3, limit=5)
    assert report["n_cases"] > 0
    assert report["product"]["mrr"] > report["newest_first"]["mrr"]


def test_evaluation_with_vectors_counts_closeness_to_the_readers_writing() -> None:
    """Person 9 writes about one subject and replies, the next day, to the conversations on
    it, whoever started them: only the vectors tell those apart."""
    import numpy as np

    subject, other = np.eye(2, dtype=np.float32)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    content: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    vectors: dict[int, Any] = {}

    def add(kind: str, author: int, at: datetime, root: int | None, vector: Any) -> int:
        n = len(content) + 1
        content.append(
            {"content_id": n, "kind": kind, "author_id": author, "space_id": 1,
             "root_id": root, "created_at": at, "topics": []}
        )  # fmt: skip
        verb = "posted" if root is None else "commented"
        events.append({"at": at, "actor_id": author, "verb": verb, "object_id": n})
        vectors[n] = vector
        return n

    add("post", 9, start, None, subject)
    for day in range(20):
        for j in range(4):
            on_subject = (day + j) % 2 == 0
            at = start + timedelta(days=day, hours=1 + j)
            root = add("post", 1 + j % 3, at, None, subject if on_subject else other)
            if on_subject:
                add("comment", 9, at + timedelta(hours=30), root, subject)
    plain = model.evaluate_essential(content, events, window_days=2)
    meaning = model.evaluate_essential(content, events, window_days=2, vectors=vectors)
    assert meaning["n_cases"] == plain["n_cases"] > 0
    assert meaning["product"]["mrr"] > plain["product"]["mrr"]


def test_the_person_chooses_the_first_stream_and_the_length(
    world: dict[str, Any], client_for: Any
) -> None:
    alice, bob = world["alice"], world["bob"]
    for n in range(4):
        actions.publish(alice, world["open"], f"Nouvelle {n} #accueil")
    web = client_for(bob)
    # The chronological stream stays the first until the person chooses.
    assert 'id="composer"' in web.get("/").content.decode()
    page = web.get("/essentiel/").content.decode()
    assert "Réglages de mon Essentiel" in page and "Laissez vide" in page
    answer = web.post("/essentiel/choices/", {"home_stream": "essential", "essential_items": "2"})
    assert answer.status_code == 302 and answer.url == "/essentiel/"
    bob.refresh_from_db()
    assert (bob.home_stream, bob.essential_items) == ("essential", 2)
    home = web.get("/").content.decode()
    assert "Pourquoi ici" in home and home.count('class="why') == 2
    assert 'href="/?stream=latest"' in home
    # One click away: the chronological stream, and any filter, stay where they were.
    assert 'id="composer"' in web.get("/?stream=latest").content.decode()
    assert web.get("/?kind=question").status_code == 200
    # Bad input is told, nothing is written.
    refused = web.post("/essentiel/choices/", {"home_stream": "essential", "essential_items": "99"})
    assert refused.status_code == 422
    bob.refresh_from_db()
    assert bob.essential_items == 2
    # Unchecked box, empty length: back to the organisation's defaults.
    web.post("/essentiel/choices/", {"essential_items": ""})
    bob.refresh_from_db()
    assert (bob.home_stream, bob.essential_items) == ("latest", None)


def test_reading_choices_over_the_api(world: dict[str, Any], client_for: Any) -> None:
    alice, carol = world["alice"], world["carol"]
    for n in range(3):
        actions.publish(alice, world["private"], f"Point {n} @carol")
    api = client_for(carol)
    assert api.get("/api/v1/me/reading").json() == {
        "home_stream": "latest",
        "essential_items": 20,
        "essential_items_chosen": False,
    }
    chosen = api.patch(
        "/api/v1/me/reading",
        {"home_stream": "essential", "essential_items": 2},
        content_type="application/json",
    )
    assert chosen.status_code == 200, chosen.content
    assert chosen.json()["essential_items"] == 2
    # The spelling and the English one give the same list, at the chosen length.
    french = api.get("/api/v1/streams/essentiel").json()["items"]
    assert len(french) == 2
    assert french == api.get("/api/v1/streams/essential").json()["items"]
    for bad in ({"home_stream": "flux"}, {"essential_items": 0}, {"essential_items": "beaucoup"}):
        refused = api.patch("/api/v1/me/reading", bad, content_type="application/json")
        assert refused.status_code == 422, bad
        assert refused.json()["detail"]
    assert api.get("/api/v1/me/reading").json()["essential_items"] == 2
    back = api.patch(
        "/api/v1/me/reading", {"essential_items": "default"}, content_type="application/json"
    )
    assert back.json() == {
        "home_stream": "essential",
        "essential_items": 20,
        "essential_items_chosen": False,
    }


def test_a_deleted_reply_is_neither_a_replier_nor_a_mention(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Le planning de la semaine")
    reply = actions.reply(alice, post, "@bob tu peux regarder ?")
    seen: dict[int, model.Candidate] = {}
    real_rank = model.rank

    def spying(profile: Any, candidates: Any, *args: Any) -> Any:
        seen.update({c.id: c for c in candidates})
        return real_rank(profile, candidates, *args)

    monkeypatch.setattr(model, "rank", spying)
    build_essential(bob, 20)
    assert seen[post.pk].repliers == (alice.pk,) and seen[post.pk].mentions_reader
    actions.delete(alice, reply)
    build_essential(bob, 20)
    assert seen[post.pk].repliers == () and not seen[post.pk].mentions_reader


def test_a_community_manager_pins_an_item_in_the_spaces_essentiel(
    world: dict[str, Any], client_for: Any, make_person: Any
) -> None:
    """Pinned: first in the Essentiel of the space's members who may read it, said so, at
    once; the managers and community managers only; a refusal says why; taken off again."""
    alice, bob, carol, cm = world["alice"], world["bob"], world["carol"], world["cm"]
    posts = [actions.publish(alice, world["open"], f"Sujet {n}") for n in range(3)]
    oldest = posts[0]
    secret = actions.publish(alice, world["secret"], "Réservé")
    assert ids(essential(bob))[0] != oldest.pk
    # Not a member's to do; a reply, a profile post, a bad length are refused with a reason.
    with pytest.raises(Forbidden):
        stream_actions.pin_to_essential(bob, oldest)
    reply = actions.reply(bob, oldest, "Une réponse")
    with pytest.raises(Invalid):
        stream_actions.pin_to_essential(alice, reply)
    with pytest.raises(Invalid):
        stream_actions.pin_to_essential(cm, actions.publish(alice, None, "Mon profil"))
    for bad in (0, 31, "x", True, 2.5):
        with pytest.raises(Invalid):
            stream_actions.pin_to_essential(alice, oldest, bad)
    # The space's owner pins it: first for bob, with its reason, after his kept choice.
    stream_actions.pin_to_essential(alice, oldest, 3)
    page = essential(bob)
    assert ids(page)[0] == oldest.pk
    with translation.override("fr"):
        assert why(page.items[0]) == ["épinglé par les animateurs de Ouvert"]
    # Members who may not read the item never see it (carol is a member of the secret space,
    # bob is not).
    stream_actions.pin_to_essential(alice, secret)
    assert secret.pk not in ids(essential(bob))
    assert ids(essential(carol))[0] == secret.pk
    # Carol may read the open space but is not its member: its pin is not hers.
    pinned_for_carol = [
        i.content.pk for i in essential(carol).items if i.reasons[0].code == "pinned"
    ]
    assert pinned_for_carol == [secret.pk]
    # An ended pin is not shown from the next page built (an end is no write: a kept page
    # is not kept past it, below); taking off works once.
    from rucher.streams.models import EssentialPin

    EssentialPin.objects.filter(content=secret).update(until=timezone.now())
    actions.edit(alice, secret, "Réservé, mis à jour")
    assert ids(essential(carol))[0] != secret.pk
    stream_actions.unpin_from_essential(alice, oldest)
    assert not any(r.code == "pinned" for i in essential(bob).items for r in i.reasons)
    with pytest.raises(NotFound):
        stream_actions.unpin_from_essential(alice, oldest)


def test_a_page_is_not_kept_past_the_end_of_its_pin(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pin's end is no write: nothing renews the page then, so the page is kept only until
    its first pin ends (here 30 s), not for its usual time to live (300 s)."""
    import time

    from rucher.streams.models import EssentialPin

    alice, carol = world["alice"], world["carol"]
    post = actions.publish(alice, world["private"], "À lire avant vendredi")
    stream_actions.pin_to_essential(alice, post, 1)
    ends = EssentialPin.objects.filter(content=post)
    ends.update(until=timezone.now() + timedelta(seconds=30))
    page = essential(carol)
    assert [r.code for r in page.items[0].reasons] == ["pinned"]
    ends.update(until=timezone.now() - timedelta(seconds=1))  # it has ended, unseen
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 10)
    assert [r.code for r in essential(carol).items[0].reasons] == ["pinned"]  # still kept
    monkeypatch.setattr(time, "time", lambda: now + 31)
    assert not any(r.code == "pinned" for i in essential(carol).items for r in i.reasons)


def test_pinning_on_the_page_and_over_the_api(world: dict[str, Any], client_for: Any) -> None:
    alice, bob, cm = world["alice"], world["bob"], world["cm"]
    post = actions.publish(alice, world["open"], "À lire par tous")
    page = client_for(alice).get(f"/posts/{post.pk}/").content.decode()
    assert "Épingler dans l’Essentiel des membres" in page
    assert "Épingler" not in client_for(bob).get(f"/posts/{post.pk}/").content.decode()
    done = client_for(cm).post(f"/posts/{post.pk}/pin/", {"days": "2"}, follow=True)
    assert done.status_code == 200
    text = done.content.decode()
    assert "Épinglé dans l’Essentiel des membres de l’espace jusqu’au" in text
    assert "Retirer" in text
    refused = client_for(cm).post(f"/posts/{post.pk}/pin/", {"days": "99"})
    assert refused.status_code == 422 and "de 1 à 30" in refused.content.decode()
    assert client_for(bob).post(f"/posts/{post.pk}/pin/", {"days": "2"}).status_code == 403
    api = client_for(bob)
    shown = api.get("/api/v1/streams/essentiel").json()["items"]
    assert shown[0]["id"] == post.pk and shown[0]["why"] == ["épinglé par les animateurs de Ouvert"]
    url = f"/api/v1/posts/{post.pk}/essential-pin"
    assert api.put(url, {"days": 2}, content_type="application/json").status_code == 403
    moderator = client_for(alice)
    answer = moderator.put(url, {"days": 5}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["content_id"] == post.pk and answer.json()["space_id"] == world["open"].pk
    bad = moderator.put(url, {"days": "cinq"}, content_type="application/json")
    assert bad.status_code == 422
    assert moderator.delete(url).status_code == 204
    assert moderator.delete(url).status_code == 404
    off = client_for(cm).post(f"/posts/{post.pk}/pin/", {"unpin": "1"}, follow=True)
    assert off.status_code == 404
