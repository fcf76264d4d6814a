"""Authorization matrix rows for recognition (account kind × space visibility × space kind),
derived from the written rules (docs/recognition.md), as tests/spaces/test_authorization_
matrix.py does for the rest:

- a kudos given in a space is seen (on the profile, in the space, over the API) only by the
  people who may read that space; the space's kudos list answers 404 to who may not know the
  space and 403 to who knows it but may not read it;
- giving kudos in a space needs being able to post in it (a member), else 403 when the space
  is known, 404 when it is not (or when the recipient may not be seen);
- a person's kudos and badges: 404 to who may not see the person;
- the managers' page and endpoints: community managers and administrators; partner guests
  404; other members 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from rucher.conversations import actions as conversations
from rucher.people.actions.tokens import create_token
from rucher.recognition import actions
from rucher.recognition.awarding import backfill

pytestmark = pytest.mark.django_db
JSON = "application/json"

ACCOUNTS = ("member", "non_member", "guest", "outside_guest", "community_manager", "admin")
VISIBILITIES = ("open", "private", "secret")
KINDS = ("internal", "partner")
GUESTS = ("guest", "outside_guest")


@dataclass
class Cell:
    account: str
    visibility: str
    kind: str

    @property
    def is_member(self) -> bool:
        return self.account == "member" or (self.account == "guest" and self.kind == "partner")

    @property
    def knows(self) -> bool:
        if self.is_member:
            return True
        if self.account in GUESTS:
            return False
        return self.visibility != "secret"

    @property
    def reads(self) -> bool:
        if self.is_member:
            return True
        return self.account not in GUESTS and self.visibility == "open"

    @property
    def sees_member(self) -> bool:
        """The employee "member" (of the target space only): guests see the people of
        their spaces."""
        if self.account == "outside_guest":
            return False
        return self.account != "guest" or self.kind == "partner"


@dataclass
class Scene:
    people: dict[str, Any]
    owner: Any
    space: Any
    api: Client
    browser: Client


@pytest.fixture
def scene(
    make_person: Callable[..., Any], make_space: Callable[..., Any]
) -> Callable[[Cell], Scene]:
    def build(cell: Cell) -> Scene:
        owner = make_person(username="owner")
        people = {
            "member": make_person(username="member"),
            "non_member": make_person(username="nonmember"),
            "guest": make_person("partner", username="guest"),
            "outside_guest": make_person("partner", username="outsider"),
            "community_manager": make_person("community_manager", username="cm"),
            "admin": make_person("admin", username="admin"),
        }
        members = [people["member"]] + ([people["guest"]] if cell.kind == "partner" else [])
        space = make_space(
            owner, "Cible", members=tuple(members), visibility=cell.visibility, kind=cell.kind
        )
        make_space(
            owner,
            "Ailleurs",
            members=(people["outside_guest"],),
            kind="partner",
            visibility="private",
        )
        _, raw = create_token(people[cell.account])
        browser = Client()
        browser.force_login(people[cell.account])
        return Scene(
            people, owner, space, Client(headers={"Authorization": f"Bearer {raw}"}), browser
        )

    return build


CELLS = [Cell(a, v, k) for a in ACCOUNTS for v in VISIBILITIES for k in KINDS]
IDS = [f"{c.account}-{c.visibility}-{c.kind}" for c in CELLS]


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_kudos_given_in_a_space_are_seen_by_its_readers(
    scene: Callable[[Cell], Scene], cell: Cell
) -> None:
    s = scene(cell)
    actions.give_kudos(
        s.owner, s.people["member"].pk, "merci", "Dans la cible", space_id=s.space.pk
    )
    member = s.people["member"].pk
    in_space = s.api.get("/api/v1/kudos", {"space": s.space.pk})
    assert in_space.status_code == (200 if cell.reads else 403 if cell.knows else 404)
    if cell.reads:
        assert [k["message"] for k in in_space.json()] == ["Dans la cible"]
    received = s.api.get("/api/v1/kudos", {"recipient": member})
    assert received.status_code == (200 if cell.sees_member else 404)
    if cell.sees_member:
        assert [k["message"] for k in received.json()] == (["Dans la cible"] if cell.reads else [])
    profile = s.browser.get(f"/people/{member}/")
    assert profile.status_code == (200 if cell.sees_member else 404)
    if cell.sees_member:
        assert ("Dans la cible" in profile.content.decode()) == cell.reads
    page = s.browser.get(f"/spaces/{s.space.slug}/")
    if page.status_code == 200:
        assert ("Dans la cible" in page.content.decode()) == cell.reads


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_giving_kudos_in_a_space(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    s = scene(cell)
    recipient = s.owner.pk
    sees_owner = cell.account != "guest" or cell.kind == "partner"
    body = {"recipient_id": recipient, "kind": "merci", "message": "Merci", "space_id": s.space.pk}
    answer = s.api.post("/api/v1/kudos", body, content_type=JSON)
    expected = 201 if cell.is_member else 404 if not sees_owner or not cell.knows else 403
    assert answer.status_code == expected, answer.json()
    page = s.browser.get(f"/people/{recipient}/kudos/")
    assert page.status_code == (200 if sees_owner else 404)
    plain = s.browser.post(
        f"/people/{recipient}/kudos/", {"kind": "bravo", "message": "Bravo", "space": ""}
    )
    assert plain.status_code == (302 if sees_owner else 404)


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_badges_of_a_person(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    s = scene(cell)
    conversations.publish(s.people["member"], None, "Mon premier message")
    backfill()
    answer = s.api.get("/api/v1/badges", {"person": s.people["member"].pk})
    assert answer.status_code == (200 if cell.sees_member else 404)
    if cell.sees_member:
        assert [b["slug"] for b in answer.json()] == ["premier-message"]


@pytest.mark.parametrize("account", ACCOUNTS)
def test_the_managers_page_and_endpoints(scene: Callable[[Cell], Scene], account: str) -> None:
    s = scene(Cell(account, "open", "internal"))
    manages = account in ("community_manager", "admin")
    expected = 200 if manages else 404 if account in GUESTS else 403
    assert s.browser.get("/recognition/manage/").status_code == expected
    saved = s.browser.post(
        "/recognition/manage/",
        {"what": "kind", "label_fr": "Chapeau", "label_en": "Hats off", "active": "on"},
    )
    assert saved.status_code == (302 if manages else expected)
    assert s.api.get("/api/v1/badges/rules").status_code == expected
    made = s.api.post(
        "/api/v1/kudos/kinds", {"label_fr": "Génial", "label_en": "Great"}, content_type=JSON
    )
    assert made.status_code == (201 if manages else expected)
    rule = s.api.post(
        "/api/v1/badges/rules",
        {"behaviour": "answers", "threshold": 3, "name_fr": "Trois", "name_en": "Three"},
        content_type=JSON,
    )
    assert rule.status_code == (201 if manages else expected)
    kinds = s.api.get("/api/v1/kudos/kinds")
    assert kinds.status_code == 200
