"""Search results: what is found, by whom, how it is ranked and paged, and bad input.

Runs on SQLite and PostgreSQL alike (the same contract on both engines)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rucher.conversations import actions
from rucher.conversations.models import Content
from rucher.errors import Invalid
from rucher.people.actions.profile import update_profile
from rucher.search import queries, ranking
from rucher.search.models import Entry
from rucher.spaces.actions import leave_space
from rucher.spaces.models import ConfidentialRead, Space

pytestmark = pytest.mark.django_db
Find = Callable[..., list[tuple[str, int]]]


def test_french_and_english_words_are_found(
    world: dict[str, Any], index_now: Any, find: Find
) -> None:
    alice, bob = world["alice"], world["bob"]
    fr = actions.publish(
        alice, world["open"], "Nous préparons le budget de l'entreprise pour les réunions"
    )
    en = actions.publish(
        alice, world["open"], "We are planning the quarterly budgets for our teams"
    )
    index_now()
    assert ("post", fr.pk) in find(bob, "entreprises")  # elision, plural
    assert ("post", fr.pk) in find(bob, "préparer réunion")  # verb form, accents
    assert ("post", fr.pk) in find(bob, "REUNIONS")  # case, accents folded
    assert ("post", en.pk) in find(bob, "plans budget")
    assert ("post", en.pk) in find(bob, "quarter")  # prefix of the last word
    assert find(bob, "inexistant") == []


def test_people_spaces_topics_polls_questions_and_files(
    world: dict[str, Any], index_now: Any, find: Find
) -> None:
    alice, bob = world["alice"], world["bob"]
    update_profile(
        bob, job_title="Ingénieur logistique", bio="J'aime les ruches", skills=["kubernetes"]
    )
    question = actions.publish(
        alice, world["open"], "Comment configurer la douane ? #export", kind="question"
    )
    answer = actions.reply(bob, question, "Il faut le formulaire douanier")
    upload = SimpleUploadedFile(
        "plan-trimestriel.pdf", b"%PDF-1.4 x", content_type="application/pdf"
    )
    attachment = actions.attach(alice, question, upload)
    index_now()
    from rucher.search.rebuild import rebuild_all

    rebuild_all()  # the spaces made by the fixture, before the index existed
    assert ("person", bob.pk) in find(alice, "logistique")
    assert ("person", bob.pk) in find(alice, "kubernetes")
    assert ("person", bob.pk) in find(alice, "ruche")
    assert ("space", world["open"].pk) in find(alice, "ouvert")
    assert ("question", question.pk) in find(alice, "douane")
    assert ("answer", answer.pk) in find(alice, "formulaire")
    assert ("attachment", attachment.pk) in find(alice, "trimestriel")
    topic = question.topics.get()
    assert ("topic", topic.pk) in find(alice, "export")
    poll = actions.create_poll(
        alice, world["open"], "Quelle date pour le séminaire ?", ["lundi", "mardi"]
    )
    index_now()
    assert ("poll", poll.pk) in find(alice, "seminaire")


def test_partner_guest_and_non_members_find_only_what_they_may_read(
    world: dict[str, Any], index_now: Any, find: Find
) -> None:
    alice, bob, carol, gus = world["alice"], world["bob"], world["carol"], world["gus"]
    posts = {
        name: actions.publish(alice, world[name], f"Abeille {name} rapport")
        for name in ("open", "private", "secret", "partner", "confidential")
    }
    profile_post = actions.publish(alice, None, "Abeille profil rapport")
    index_now()
    from rucher.search.rebuild import rebuild_all

    rebuild_all()

    def found_posts(person: Any) -> set[int]:
        return {i for kind, i in find(person, "abeille rapport") if kind == "post"}

    ids = {name: post.pk for name, post in posts.items()}
    assert found_posts(bob) == {ids["open"], profile_post.pk}
    assert found_posts(carol) == {
        ids["open"],
        ids["private"],
        ids["secret"],
        ids["confidential"],
        profile_post.pk,
    }
    assert found_posts(gus) == {ids["partner"]}  # a guest never finds internal content
    # The secret space itself is found by its members only.
    assert ("space", world["secret"].pk) not in find(bob, "secret")
    assert ("space", world["secret"].pk) in find(carol, "secret")
    assert [kind for kind, _ in find(gus, "ouvert")] == []
    # A guest finds only the people of their spaces.
    assert ("person", bob.pk) not in find(gus, "bob")
    assert ("person", alice.pk) in find(gus, "alice")


def test_permission_changes_apply_at_once_without_reindexing(
    world: dict[str, Any], index_now: Any, find: Find
) -> None:
    alice, carol = world["alice"], world["carol"]
    post = actions.publish(alice, world["private"], "Cadran solaire du jardin")
    index_now()
    assert ("post", post.pk) in find(carol, "cadran")
    leave_space(carol, world["private"])  # a membership lost
    assert ("post", post.pk) not in find(carol, "cadran")
    bob = world["bob"]
    opened = actions.publish(alice, world["open"], "Cadran lunaire")
    index_now()
    assert ("post", opened.pk) in find(bob, "cadran")
    Space.objects.filter(pk=world["open"].pk).update(visibility="secret")  # made secret
    assert ("post", opened.pk) in find(bob, "cadran")  # bob is a member of the open space
    Content.objects.filter(pk=opened.pk).update(space=world["secret"])  # moved elsewhere
    assert ("post", opened.pk) not in find(bob, "cadran")


def test_the_index_follows_edit_delete_restore_and_moderation(
    world: dict[str, Any], index_now: Any, find: Find, make_person: Any
) -> None:
    from rucher.moderation.actions import decide, flag
    from rucher.moderation.queries import ItemRef

    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Le frelon asiatique arrive")
    index_now()
    assert ("post", post.pk) in find(bob, "frelon")
    actions.edit(alice, post, "La guêpe arrive")
    index_now()
    assert ("post", post.pk) not in find(bob, "frelon")
    assert ("post", post.pk) in find(bob, "guepe")
    actions.delete(alice, post)
    index_now()
    assert not Entry.objects.filter(kind="post", object_id=post.pk).exists()
    assert ("post", post.pk) not in find(bob, "guepe")
    actions.restore(alice, post.pk)
    index_now()
    assert ("post", post.pk) in find(bob, "guepe")
    flag(bob, ItemRef("content", post.pk), "spam")
    decide(alice, [ItemRef("content", post.pk)], "hide", "off_topic")
    index_now()
    assert ("post", post.pk) not in find(bob, "guepe")
    assert ("post", post.pk) not in find(
        alice, "guepe"
    )  # hidden: out of search, even for its author
    assert not Entry.objects.filter(kind="post", object_id=post.pk).exists()
    decide(alice, [ItemRef("content", post.pk)], "restore", "off_topic")
    index_now()
    assert ("post", post.pk) in find(bob, "guepe")


def test_a_deleted_post_takes_its_thread_out_at_once(
    world: dict[str, Any], index_now: Any, find: Find
) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Pollen printanier")
    comment = actions.reply(bob, post, "Pollen de colza")
    index_now()
    assert ("comment", comment.pk) in find(bob, "colza")
    Content.objects.filter(pk=post.pk).update(status="deleted")  # without any event
    assert ("comment", comment.pk) not in find(bob, "colza")


def test_filters_kind_space_author_topic_and_dates(
    world: dict[str, Any], index_now: Any, find: Find
) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    in_open = actions.publish(alice, world["open"], "Miel de lavande #recolte")
    by_bob = actions.publish(bob, world["open"], "Miel de tilleul")
    in_private = actions.publish(carol, world["private"], "Miel de châtaignier")
    index_now()
    assert {i for _, i in find(carol, "miel", space=world["private"].slug)} == {in_private.pk}
    assert {i for _, i in find(carol, "miel", space=str(world["open"].pk))} == {
        in_open.pk,
        by_bob.pk,
    }
    assert {i for _, i in find(carol, "miel", author="bob")} == {by_bob.pk}
    assert {i for _, i in find(carol, "miel", author=str(alice.pk))} == {in_open.pk}
    assert {i for _, i in find(carol, "miel", topic="#recolte")} == {in_open.pk}
    assert {k for k, _ in find(carol, "miel", kind="post")} == {"post"}
    assert find(carol, "miel", kind="person") == []
    assert find(carol, "miel", since="2999-01-01") == []
    assert len(find(carol, "miel", until="2999-01-01")) == 3
    # A space the person may not see narrows to nothing, without saying it exists.
    assert find(bob, "miel", space=world["private"].slug) == []
    with pytest.raises(Invalid):
        queries.parse_filters(bob, kind="nope")
    with pytest.raises(Invalid):
        queries.parse_filters(bob, since="hier")
    with pytest.raises(Invalid):
        queries.parse_filters(bob, since="2026-02-01", until="2026-01-01")


def test_cursor_pages_through_every_result_once(world: dict[str, Any], index_now: Any) -> None:
    alice, bob = world["alice"], world["bob"]
    made = {actions.publish(alice, world["open"], f"Essaim numéro {i}").pk for i in range(7)}
    index_now()
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        page = queries.search(bob, "essaim", cursor=cursor, limit=3)
        seen += [item.object_id for item in page.items]
        cursor = page.next
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)
    with pytest.raises(Invalid):
        queries.search(bob, "essaim", cursor="pas-un-curseur")


def test_title_words_rank_first_and_scores_carry_their_parts(
    world: dict[str, Any], index_now: Any
) -> None:
    alice, bob = world["alice"], world["bob"]
    actions.publish(
        alice, world["open"], "Réunion du lundi\nnous parlerons de la propolis plus tard"
    )
    titled = actions.publish(alice, world["open"], "Propolis\nrécolte")
    index_now()
    page = queries.search(bob, "propolis")
    assert page.items[0].object_id == titled.pk
    assert page.items[0].score["words"]["rank"] == 1
    assert page.items[0].score["fused"] == pytest.approx(1 / 61, rel=1e-4)


def test_snippets_are_escaped_then_marked(world: dict[str, Any], index_now: Any) -> None:
    alice, bob = world["alice"], world["bob"]
    actions.publish(alice, world["open"], "Alerte\nAttention <script>alert(1)</script> au varroa")
    index_now()
    item = queries.search(bob, "varroa").items[0]
    assert "<script>" not in item.snippet and "&lt;script&gt;" in item.snippet
    assert "<mark>varroa</mark>" in item.snippet


def test_fusion_adds_a_list_in_one_call_and_drops_what_is_not_visible(
    world: dict[str, Any], index_now: Any
) -> None:
    alice, bob = world["alice"], world["bob"]
    seen_post = actions.publish(alice, world["open"], "Nectar et pollen")
    hidden_post = actions.publish(alice, world["secret"], "Nectar secret")
    index_now()
    allowed = queries.allowed_entries(bob, queries.Filters())
    meaning = queries.ranked_from_objects(
        allowed, "meaning", [("post", hidden_post.pk, 0.99), ("post", seen_post.pk, 0.5)]
    )
    words = queries.words_list(allowed, queries.parse_query("nectar"))
    fused = ranking.fuse([words, meaning])
    entry = Entry.objects.get(kind="post", object_id=seen_post.pk)
    assert [item.entry_id for item in fused] == [entry.pk]
    assert set(fused[0].score()) == {"words", "meaning", "fused"}
    assert fused[0].fused == pytest.approx(2 / 61)


def test_confidential_results_are_recorded_as_read(
    world: dict[str, Any], index_now: Any, client_for: Any
) -> None:
    alice, carol = world["alice"], world["carol"]
    post = actions.publish(alice, world["confidential"], "Plan social confidentiel")
    index_now()
    client = client_for(carol)
    answer = client.get("/search/", {"q": "plan social"})
    assert answer.status_code == 200
    assert ConfidentialRead.objects.filter(person=carol, object_id=post.pk).count() == 1
    url = queries.search(carol, "plan social").items[0].url
    client.get(url)  # opening the result: the content page records its read
    assert ConfidentialRead.objects.filter(person=carol, object_id=post.pk).count() >= 3


HOSTILE = [
    '"budget',
    "budget*",
    "-budget",
    "budget NEAR lavande",
    "NEAR(budget lavande, 2)",
    "budget AND lavande OR (miel",
    "((((",
    "'; DROP TABLE search_entry; --",
    "🐝🍯",
    "اجتماع الفريق",
    "会议记录",
    "Sprachkenntnisse erwünscht",
    "budget:*",
    "\\",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_queries_answer_sensibly_on_the_api(
    world: dict[str, Any], index_now: Any, client_for: Any, hostile: str
) -> None:
    actions.publish(world["alice"], world["open"], "Budget lavande اجتماع الفريق 会议记录")
    index_now()
    client = client_for(world["bob"])
    answer = client.get("/api/v1/search", {"q": hostile})
    assert answer.status_code == 200, answer.content
    assert set(answer.json()) == {"items", "next"}
    page = client.get("/search/", {"q": hostile})
    assert page.status_code == 200


def test_arabic_chinese_and_unknown_language_find_their_text(
    world: dict[str, Any], index_now: Any, find: Find
) -> None:
    post = actions.publish(world["alice"], world["open"], "اجتماع الفريق 会议记录 Sprachkenntnisse")
    index_now()
    for text in ("الفريق", "会议", "Sprachkenntnisse"):
        assert ("post", post.pk) in find(world["bob"], text)


def test_empty_and_too_long_queries_are_refused_with_a_reason(
    world: dict[str, Any], client_for: Any, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    client = client_for(world["bob"])
    empty = client.get("/api/v1/search", {"q": "  "})
    assert empty.status_code == 422 and "search" in empty.json()["detail"]
    long = client.get("/api/v1/search", {"q": "x" * 10_000})
    assert long.status_code == 422 and "too long" in long.json()["detail"]
    assert client.get("/search/", {"q": "x" * 10_000}).status_code == 422
    assert client.get("/api/v1/search", {"q": "a", "kind": "rien"}).status_code == 422
    assert client.get("/api/v1/search", {"q": "a", "cursor": "%%%"}).status_code == 422
    assert client.get("/api/v1/search", {"q": "a\x00"}).status_code == 422
    assert client.get("/search/").status_code == 200


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=120))
def test_any_query_answers_without_error(world: dict[str, Any], text: str) -> None:
    page = queries.search(world["bob"], text)
    assert all(item.kind in queries.KINDS for item in page.items)


def test_suggestions_after_two_characters(
    world: dict[str, Any], index_now: Any, client_for: Any
) -> None:
    actions.publish(world["alice"], world["open"], "Transhumance des ruches")
    index_now()
    client = client_for(world["bob"])
    assert "Transhumance" not in client.get("/search/suggest/", {"q": "t"}).content.decode()
    fragment = client.get("/search/suggest/", {"q": "trans"}).content.decode()
    assert "<mark>Transhumance</mark>" in fragment


def test_the_header_box_is_on_every_page(world: dict[str, Any], client_for: Any) -> None:
    page = client_for(world["bob"]).get("/").content.decode()
    assert 'role="search"' in page and 'hx-get="/search/suggest/"' in page
