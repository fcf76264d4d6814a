"""The bulk loader: id mapping, derived state, invariants and all-or-nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest

from rucher.activity.models import Event
from rucher.bulk.loader import load_dataset
from rucher.conversations.models import Content, Poll, PollVote, Reaction
from rucher.insights.contract import Dataset
from rucher.people.models import Person
from rucher.spaces.models import Membership, Space
from rucher.streams.models import Follow

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def small_dataset() -> Dataset:
    """Contract ids deliberately far from database ids (100+, 500+, 900+)."""
    people = pl.DataFrame(
        {
            "person_id": [101, 102, 103, 104],
            "display_name": ["Anne Martin", "Bruno Petit", "Chloé Roux", "Gus Partner"],
            "department": ["Ventes", "Ventes", "R&D", None],
            "site": ["Lyon", "Lyon", "Nantes", None],
            "kind": ["employee", "employee", "employee", "partner"],
            "organisation": ["Acme", "Acme", "Acme", "Distrib SA"],
            "manager_id": [None, 101, 101, None],
            "joined_at": [at(0)] * 4,
        }
    )
    spaces = pl.DataFrame(
        {
            "space_id": [501, 502, 503],
            "name": ["Ventes", "Ventes Ouest", "Distributeurs"],
            "kind": ["internal", "internal", "partner"],
            "visibility": ["open", "open", "private"],
            "parent_id": [None, 501, None],
            "created_at": [at(0)] * 3,
        }
    )
    content = pl.DataFrame(
        {
            "content_id": [901, 902, 903, 904, 905, 906, 907],
            "kind": ["post", "comment", "question", "answer", "answer", "poll", "comment"],
            "author_id": [101, 102, 102, 101, 103, 101, 103],
            # 902 says space 503 but lives where its post lives (501)
            "space_id": [501, 503, 502, 502, 502, 501, 501],
            "parent_id": [None, 901, None, 903, 903, None, 902],
            "root_id": [901, 901, 903, 903, 903, 906, 901],
            "created_at": [at(i) for i in range(10, 17)],
            "text": [
                "Bonjour #Lyon @bruno",
                "Merci !",
                "Qui sait ?",
                "Moi",
                "Aussi",
                "Recommanderiez-vous ?",
                "[Sport] réponse",
            ],
            "lang": ["fr"] * 7,
            "topics": [["ventes"], [], [], [], [], [], []],
            "accepted": [None, None, None, True, None, None, None],
        }
    )
    events = pl.DataFrame(
        {
            "event_id": list(range(1, 14)),
            "at": [at(i) for i in (1, 2, 3, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29)],
            "actor_id": [102, 103, 104, 102, 102, 103, 103, 101, 102, 103, 102, 103, 102],
            "verb": [
                "joined_space",
                "joined_space",
                "joined_space",
                "reacted",
                "reacted",
                "reacted",
                "left_space",
                "viewed",
                "voted",
                "voted",
                "followed",
                "viewed",
                "reacted",
            ],
            "object_type": [
                "space",
                "space",
                "space",
                "post",
                "post",
                "content",
                "space",
                "post",
                "poll",
                "poll",
                "person",
                "post",
                "content",
            ],
            "object_id": [501, 502, 501, 901, 901, 901, 502, 901, 906, 906, 101, 901, 904],
            "space_id": [501, 502, 501, 501, 501, 501, 502, 501, 501, 501, None, 501, 502],
            "target_id": [None, None, None, 101, 101, 101, None, None, None, None, 101, None, 101],
            "value": [None, None, None, 1.0, 1.0, 1.0, None, None, 9.0, 3.0, None, None, -1.0],
        }
    )
    return Dataset(people=people, spaces=spaces, content=content, events=events)


def extras() -> dict[int, dict[str, Any]]:
    return {102: {"username": "bruno", "password": "demo", "skills": ["vente"]}}


@pytest.mark.django_db
def test_ids_are_mapped_and_rows_linked() -> None:
    report = load_dataset(small_dataset(), source="t", people_extras=extras(), progress=False)
    people = report.person_ids
    anne = Person.objects.get(pk=people[101])
    assert anne.username == "t-101" and anne.first_name == "Anne" and anne.last_name == "Martin"
    assert not anne.has_usable_password()
    bruno = Person.objects.get(username="bruno")
    assert bruno.check_password("demo") and bruno.manager_id == anne.pk
    assert (bruno.department and bruno.department.name) == "Ventes"
    assert (bruno.site and bruno.site.name) == "Lyon"
    assert [t.name for t in bruno.skills.all()] == ["vente"]
    gus = Person.objects.get(pk=people[104])
    assert gus.kind == "partner" and gus.organisation and gus.organisation.is_partner
    assert anne.organisation and not anne.organisation.is_partner
    hub, sub = (
        Space.objects.get(pk=report.space_ids[501]),
        Space.objects.get(pk=report.space_ids[502]),
    )
    assert sub.parent_id == hub.pk and hub.created_at == at(0)
    comment = Content.objects.get(pk=report.content_ids[902])
    post = Content.objects.get(pk=report.content_ids[901])
    assert comment.parent_id == post.pk and comment.root_id == post.pk
    assert comment.space_id == hub.pk  # a reply lives where its conversation lives
    assert post.root_id is None and "/people/@bruno/" in post.html
    assert sorted(t.name for t in post.topics.all()) == ["lyon", "ventes"]
    assert list(post.mentions.values_list("username", flat=True)) == ["bruno"]
    reply = Content.objects.get(pk=report.content_ids[907])
    assert reply.tag_prefix == "sport" and reply.root_id == post.pk
    event = Event.objects.get(verb="followed")
    assert event.object_id == anne.pk and event.target_id == anne.pk
    assert Event.objects.get(verb="reacted", actor_id=people[103]).object_type == "post"


@pytest.mark.django_db
def test_derived_state() -> None:
    report = load_dataset(small_dataset(), source="t", progress=False)
    p, s, c = report.person_ids, report.space_ids, report.content_ids
    post = Content.objects.get(pk=c[901])
    # bruno reacted twice: one reaction; chloé once.
    assert post.reaction_count == 2 == Reaction.objects.filter(content=post).count()
    assert sum(post.reaction_counts.values()) == 2  # per kind, as the actions keep them
    assert post.comment_count == 2
    assert Content.objects.get(pk=c[903]).comment_count == 2
    accepted = Content.objects.filter(parent_id=c[903], accepted=True)
    assert [a.pk for a in accepted] == [c[904]]
    members = {(m.person_id, m.space_id): m.role for m in Membership.objects.all()}
    # bruno owns the hub by being its first member (no created_space event says who made
    # it); chloé left the sub-space but answered in it afterwards: a member again.
    assert members[(p[102], s[501])] == "owner" and members[(p[101], s[501])] == "member"
    assert (p[103], s[502]) in members
    assert (p[104], s[501]) not in members  # a guest never joins an internal space
    hub = Space.objects.get(pk=s[501])
    assert hub.member_count == Membership.objects.filter(space=hub).count() == 3
    poll = Poll.objects.get(content_id=c[906])
    assert poll.kind == "nps"
    scores = PollVote.objects.filter(poll=poll).order_by("score").values_list("score", flat=True)
    assert list(scores) == [3, 9]
    assert Follow.objects.filter(
        follower_id=p[102], target_type="person", target_id=p[101]
    ).exists()
    assert Event.objects.filter(verb="viewed").count() == 2
    # bruno's down-vote on the answer is kept as an event but makes no reaction
    assert Event.objects.filter(verb="reacted", value=-1.0).count() == 1
    assert Content.objects.get(pk=c[904]).reaction_count == 0
    # every content has its creation event, as the actions would have appended
    created = Event.objects.filter(verb__in=["posted", "asked", "commented", "answered"])
    assert created.count() == 7
    assert report.notes["creation events added"] == 7
    assert "7 content" in str(report)


@pytest.mark.django_db
def test_choice_poll_from_given_options() -> None:
    report = load_dataset(
        small_dataset(),
        source="t",
        progress=False,
        poll_options={906: [f"option {i}" for i in range(10)]},
    )
    poll = Poll.objects.get(content_id=report.content_ids[906])
    assert poll.kind == "choice" and poll.options.count() == 10
    labels = sorted(poll.votes.values_list("option__label", flat=True))
    assert labels == ["option 3", "option 9"]


@pytest.mark.django_db
def test_loading_twice_is_refused_and_a_failure_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_dataset(small_dataset(), source="t", progress=False)
    before = {m.__name__: m.objects.count() for m in (Person, Space, Content, Event, Reaction)}
    with pytest.raises(ValueError, match="already exists"):
        load_dataset(small_dataset(), source="t", progress=False)
    from rucher.bulk import loader

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "_set_dates", broken)  # fails after people were written
    with pytest.raises(RuntimeError):
        load_dataset(small_dataset(), source="u", progress=False)
    after = {m.__name__: m.objects.count() for m in (Person, Space, Content, Event, Reaction)}
    assert after == before


@pytest.mark.django_db
def test_unknown_people_and_spaces_become_placeholders() -> None:
    data = small_dataset()
    data = Dataset(
        people=data.people.head(0),
        spaces=data.spaces.head(0),
        content=data.content,
        events=data.events,
    )
    report = load_dataset(data, source="x", progress=False)
    assert report.notes["placeholder people"] == 4
    assert report.notes["placeholder spaces"] == 3
    assert Person.objects.filter(username__startswith="x-").count() == 4


@pytest.mark.django_db
def test_actions_keep_working_after_a_load() -> None:
    """Primary keys were given by hand: new rows (PostgreSQL sequences) must not collide."""
    from rucher.conversations.actions import publish, reply
    from rucher.spaces.actions import create_space, join_space

    report = load_dataset(small_dataset(), source="t", progress=False)
    author = Person.objects.create_user(username="nouvelle", password="demo")
    space = create_space(author, "Après import")
    post = publish(author, space, "Premier message après l'import")
    join_space(author, Space.objects.get(pk=report.space_ids[501]))
    comment = reply(author, Content.objects.get(pk=report.content_ids[901]), "Et un commentaire")
    assert post.pk > max(report.content_ids.values()) and comment.pk > post.pk
    assert space.pk > max(report.space_ids.values())


@pytest.mark.django_db
def test_space_extras_roles_and_confidential_reads() -> None:
    from rucher.spaces.models import ConfidentialRead

    report = load_dataset(
        small_dataset(),
        source="t",
        progress=False,
        spaces_extras={
            501: {
                "confidential": True,
                "owner": 101,
                "community_managers": [103],
                "slug": "ventes",
                "description": "L'équipe",
            },
        },
    )
    p, s = report.person_ids, report.space_ids
    hub = Space.objects.get(pk=s[501])
    assert hub.confidential and hub.slug == "ventes" and hub.created_by_id == p[101]
    roles = dict(Membership.objects.filter(space=hub).values_list("person_id", "role"))
    assert roles == {p[101]: "owner", p[102]: "member", p[103]: "community_manager"}
    reads = ConfidentialRead.objects.filter(space=hub).order_by("at")
    assert [(r.person_id, r.at) for r in reads] == [(p[101], at(24)), (p[103], at(28))]


@pytest.mark.django_db
def test_a_withdrawn_reaction_is_not_loaded_back() -> None:
    dataset = small_dataset()
    last = dataset.events.row(-1, named=True)
    withdrawn = {
        **last,
        "event_id": 99,
        "at": at(40),
        "actor_id": 103,  # chloé reacted to 901, then withdrew it
        "verb": "unreacted",
        "object_type": "post",
        "object_id": 901,
        "space_id": 501,
        "target_id": 101,
        "value": None,
    }
    events = pl.concat([dataset.events, pl.DataFrame([withdrawn], schema=dataset.events.schema)])
    report = load_dataset(
        Dataset(
            people=dataset.people, spaces=dataset.spaces, content=dataset.content, events=events
        ),
        source="t",
        progress=False,
    )
    post = Content.objects.get(pk=report.content_ids[901])
    assert post.reaction_count == 1 and sum(post.reaction_counts.values()) == 1
    assert not Reaction.objects.filter(content=post, person_id=report.person_ids[103]).exists()


@pytest.mark.django_db
def test_a_declared_choice_poll_stays_a_choice_poll() -> None:
    """An export says each poll's kind: its choice polls, whose votes are option positions
    (3 and 9 here, whole numbers in 0–10), come back as choice polls, not NPS."""
    data = small_dataset()
    kinds = ["choice" if kind == "poll" else None for kind in data.content["kind"]]
    declared = Dataset(
        people=data.people,
        spaces=data.spaces,
        content=data.content.with_columns(pl.Series("poll_kind", kinds, dtype=pl.Utf8)),
        events=data.events,
    )
    report = load_dataset(declared, source="t", progress=False)
    poll = Poll.objects.get(content_id=report.content_ids[906])
    assert poll.kind == "choice"
    assert sorted(poll.options.values_list("label", flat=True)) == ["3", "9"]
