"""The authorization matrix: account kind × space visibility × space kind × endpoint.

The expected answer of every cell is derived from the written rules (the issue, and the
docstring of rucher.spaces.permissions), not from the code under test:
- knows(account, space): a member (any status) knows their space; a partner guest knows
  nothing else; other accounts know every open and private space, and secret ones only as
  members.
- reads(account, space): active members read; non-member employees (any non-guest kind,
  community managers and administrators included) read open spaces only.
- What an account may not know of answers 404 (never 403); a known space whose content the
  account may not read answers 403 on its stream; posting or reacting needs membership.
- Guests find in the directory only the members of their own spaces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from rucher.conversations import actions
from rucher.people.actions.tokens import create_token
from rucher.spaces.models import ConfidentialRead, Space

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
        # The employee member belongs to every space; the guest to every partner space.
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


@dataclass
class Scene:
    people: dict[str, Any]
    space: Space
    post_id: int
    bystander: Any  # an employee who belongs to no space at all
    client: Client


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
        bystander = make_person(username="bystander")
        members = [people["member"]] + ([people["guest"]] if cell.kind == "partner" else [])
        space = make_space(
            owner, "Cible", members=tuple(members), visibility=cell.visibility, kind=cell.kind
        )
        # The outside guest belongs to another partner space, so they are a real guest with a
        # life of their own, not an empty account.
        make_space(
            owner,
            "Ailleurs",
            members=(people["outside_guest"],),
            kind="partner",
            visibility="private",
        )
        post = actions.publish(owner, space, "Le message de la cible #cible")
        _, raw = create_token(people[cell.account])
        return Scene(
            people, space, post.pk, bystander, Client(headers={"Authorization": f"Bearer {raw}"})
        )

    return build


CELLS = [Cell(a, v, k) for a in ACCOUNTS for v in VISIBILITIES for k in KINDS]
IDS = [f"{c.account}-{c.visibility}-{c.kind}" for c in CELLS]


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_space_detail(scene: Callable[[Cell], Scene], cell: Cell, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    s = scene(cell)
    answer = s.client.get(f"/api/v1/spaces/{s.space.pk}")
    assert answer.status_code == (200 if cell.knows else 404)
    if not cell.knows:
        assert answer.json() == {"detail": "space not found"}


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_space_list_and_its_count(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    s = scene(cell)
    listed = s.client.get("/api/v1/spaces?limit=100").json()["items"]
    names = [space["name"] for space in listed]
    assert ("Cible" in names) == cell.knows
    # Nothing unknown is listed or counted: for a guest, exactly their own spaces.
    if cell.account in GUESTS:
        expected = (
            {"Ailleurs"}
            if cell.account == "outside_guest"
            else ({"Cible"} if cell.kind == "partner" else set())
        )
        assert set(names) == expected
    searched = s.client.get("/api/v1/spaces?query=cib").json()["items"]
    assert len(searched) == (1 if cell.knows else 0)


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_space_stream(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    s = scene(cell)
    answer = s.client.get(f"/api/v1/spaces/{s.space.pk}/stream")
    expected = 200 if cell.reads else 403 if cell.knows else 404
    assert answer.status_code == expected
    if cell.reads:
        assert [item["id"] for item in answer.json()["items"]] == [s.post_id]


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_other_streams_never_carry_unreadable_posts(
    scene: Callable[[Cell], Scene],
    cell: Cell,
) -> None:
    s = scene(cell)
    topic = [i["id"] for i in s.client.get("/api/v1/streams/topics/cible").json()["items"]]
    assert (s.post_id in topic) == cell.reads
    home = [i["id"] for i in s.client.get("/api/v1/streams/home?limit=100").json()["items"]]
    assert (s.post_id in home) == cell.is_member
    filtered = s.client.get(f"/api/v1/streams/home?space_id={s.space.pk}").json()["items"]
    assert len(filtered) == (1 if cell.is_member else 0)


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_post_detail(scene: Callable[[Cell], Scene], cell: Cell, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    s = scene(cell)
    answer = s.client.get(f"/api/v1/posts/{s.post_id}")
    assert answer.status_code == (200 if cell.reads else 404)
    if not cell.reads:
        assert answer.json() == {"detail": "content not found"}


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_comment(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    s = scene(cell)
    answer = s.client.post(
        f"/api/v1/posts/{s.post_id}/comments", {"text": "Réponse"}, content_type=JSON
    )
    assert answer.status_code == (201 if cell.is_member else 403 if cell.reads else 404)


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_react(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    s = scene(cell)
    answer = s.client.post(
        f"/api/v1/posts/{s.post_id}/reactions", {"kind": "like"}, content_type=JSON
    )
    assert answer.status_code == (201 if cell.is_member else 403 if cell.reads else 404)


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_join(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    s = scene(cell)
    answer = s.client.post(f"/api/v1/spaces/{s.space.pk}/join")
    if cell.is_member:
        expected = 409
    elif not cell.knows:
        expected = 404
    else:  # a non-member employee who may know of the space
        expected = 200 if cell.visibility == "open" else 202
    assert answer.status_code == expected
    s.space.refresh_from_db()
    before = 3 if cell.kind == "partner" else 2  # owner, member (and the guest)
    assert s.space.member_count == before + (1 if expected == 200 else 0)


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_people_list_and_detail(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    s = scene(cell)
    listed = {p["username"] for p in s.client.get("/api/v1/people?limit=100").json()["items"]}
    detail = s.client.get(f"/api/v1/people/{s.bystander.pk}")
    members_of_target = s.client.get(f"/api/v1/spaces/{s.space.pk}/members")
    if cell.account in GUESTS:
        # Only the members of their own spaces: never the bystander, never the directory.
        if cell.account == "guest" and cell.kind == "partner":
            assert listed == {"owner", "member", "guest"}
        elif cell.account == "guest":
            assert listed == set()
        else:
            assert listed == {"owner", "outsider"}
        assert detail.status_code == 404
    else:
        assert {"owner", "member", "nonmember", "guest", "outsider", "bystander"} <= listed
        assert detail.status_code == 200
    assert members_of_target.status_code == (200 if cell.reads else 403 if cell.knows else 404)
    if cell.reads:
        names = {p["username"] for p in members_of_target.json()["items"]}
        assert names == {"owner", "member"} | ({"guest"} if cell.kind == "partner" else set())


CONFIDENTIAL_CELLS = [Cell(a, "private", k) for a in ACCOUNTS for k in KINDS]


@pytest.mark.parametrize(
    "cell", CONFIDENTIAL_CELLS, ids=[f"{c.account}-{c.kind}" for c in CONFIDENTIAL_CELLS]
)
def test_confidential_reads_are_recorded(
    cell: Cell,
    make_person: Callable[..., Any],
    make_space: Callable[..., Any],
) -> None:
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
        owner,
        "Secret défense",
        members=tuple(members),
        visibility="private",
        kind=cell.kind,
        confidential=True,
    )
    post = actions.publish(owner, space, "Chiffres")
    ConfidentialRead.objects.all().delete()
    _, raw = create_token(people[cell.account])
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    detail = client.get(f"/api/v1/posts/{post.pk}")
    stream = client.get(f"/api/v1/spaces/{space.pk}/stream")
    reads = ConfidentialRead.objects.filter(person=people[cell.account])
    if cell.reads:
        assert detail.status_code == 200 and stream.status_code == 200
        assert list(reads.values_list("object_id", "channel")) == [(post.pk, "api")] * 2
    else:
        assert detail.status_code == 404 and stream.status_code in (403, 404)
        assert not reads.exists()


# --- the rules moved into the policy (one door for reads), cell by cell ---------------------


def moderates(cell: Cell) -> bool:
    """Written rule: a space's managers (its owner; administrators on spaces that are not
    secret) and community-manager accounts on spaces they read moderate it; guests never."""
    if cell.account in GUESTS or cell.account == "non_member":
        return False
    if cell.account == "admin":
        return cell.visibility != "secret" or cell.reads
    if cell.account == "community_manager":
        return cell.reads
    return False  # the employee member is a member, not a manager


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_policy_rules_for_replies_invitations_shares_and_restores(
    scene: Callable[[Cell], Scene], cell: Cell
) -> None:
    from rucher.conversations.models import Content
    from rucher.spaces import permissions

    s = scene(cell)
    person = s.people[cell.account]
    post = Content.objects.get(pk=s.post_id)
    assert permissions.can_reply(person, post) == cell.is_member
    assert permissions.can_react(person, post) == cell.is_member
    assert permissions.can_vote(person, post) == cell.is_member
    assert permissions.postable_spaces(person).filter(pk=s.space.pk).exists() == cell.is_member
    # Members bring colleagues into open internal spaces; only managers invite elsewhere.
    open_internal = cell.visibility == "open" and cell.kind == "internal"
    assert permissions.can_invite(person, s.space) == (cell.account == "member" and open_internal)
    # Only what every employee reads may be shared: posts of open internal spaces.
    assert permissions.is_shareable(post) == open_internal
    assert permissions.share_targets(person).filter(pk=s.space.pk).exists() == (
        cell.is_member and cell.kind == "internal"
    )
    # Restoring: moderators of spaces they read.
    actions.delete(s.space.created_by, post)
    post.refresh_from_db()
    restorable = cell.reads and moderates(cell)
    assert permissions.can_restore(person, post) == restorable
    deleted = Content.objects.filter(pk=post.pk).restorable_by(person)
    assert deleted.exists() == restorable


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_policy_rules_for_the_cockpit_and_what_may_be_analysed(
    scene: Callable[[Cell], Scene], cell: Cell
) -> None:
    from rucher.spaces import permissions

    s = scene(cell)
    person = s.people[cell.account]
    assert permissions.can_use_cockpit(person) == (cell.account in ("community_manager", "admin"))
    assert permissions.analysable_spaces(person, leaving_rucher=False).filter(
        pk=s.space.pk
    ).exists() == (cell.reads)
    s.space.confidential = True
    s.space.save(update_fields=["confidential"])
    # What leaves rucher (exports, CSV) never carries a confidential space, whoever asks.
    assert (
        not permissions.analysable_spaces(person, leaving_rucher=True)
        .filter(pk=s.space.pk)
        .exists()
    )
    assert permissions.analysable_spaces(person, leaving_rucher=False).filter(
        pk=s.space.pk
    ).exists() == (cell.reads)


# --- moderation: flags, the review queue and decisions ---------------------------------------


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_flag_queue_and_decide(scene: Callable[[Cell], Scene], cell: Cell, settings: Any) -> None:
    """Flagging needs reading (else 404); the queue holds the item for those who moderate the
    space and read it; deciding: allowed for them, 403 for those who read without moderating,
    404 for those who may not read the item."""
    settings.LANGUAGE_CODE = "en"
    from rucher.moderation import actions as moderation
    from rucher.moderation.queries import ItemRef

    s = scene(cell)
    item = {"type": "content", "id": s.post_id}
    if cell.account != "member":  # the member reads every space: theirs is the first flag
        moderation.flag(s.people["member"], ItemRef("content", s.post_id), "spam")
    flagged = s.client.post(
        "/api/v1/moderation/flags", {"item": item, "reason": "spam"}, content_type=JSON
    )
    assert flagged.status_code == (201 if cell.reads else 404)
    if not cell.reads:
        assert flagged.json() == {"detail": "content not found"}
    decides = cell.reads and moderates(cell)
    queue = s.client.get("/api/v1/moderation/queue").json()["items"]
    assert (item in [entry["item"] for entry in queue]) == decides
    decided = s.client.post(
        "/api/v1/moderation/decisions",
        {"items": [item], "decision": "dismiss", "reason": "Rien à redire"},
        content_type=JSON,
    )
    assert decided.status_code == (201 if decides else 403 if cell.reads else 404)
    history = s.client.get(f"/api/v1/moderation/decisions?item=content:{s.post_id}")
    assert history.status_code == (200 if decides else 403 if cell.reads else 404)


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_moderation_pages(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    """The flag page of an item: as its content (404 when unreadable); the moderation page:
    every account but guests (404), listing the item for those who decide on it."""
    from rucher.moderation import actions as moderation
    from rucher.moderation.queries import ItemRef

    s = scene(cell)
    browser = Client()
    browser.force_login(s.people[cell.account])
    flag_page = browser.get(f"/moderation/flag/content/{s.post_id}/")
    assert flag_page.status_code == (200 if cell.reads else 404)
    moderation.flag(s.bystander, ItemRef("person", s.people["member"].pk), "spam")
    if cell.account != "member":
        moderation.flag(s.people["member"], ItemRef("content", s.post_id), "spam")
    page = browser.get("/moderation/")
    assert page.status_code == (404 if cell.account in GUESTS else 200)
    if page.status_code == 200:
        assert (f'value="content:{s.post_id}"' in page.content.decode()) == (
            cell.reads and moderates(cell)
        )


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_privacy_settings_are_honoured_by_every_page_that_shows_people(
    scene: Callable[[Cell], Scene], cell: Cell
) -> None:
    """The member keeps their job title to members of the organisation, their bio and their
    activity to members of their spaces, their site to themselves, and is not listed to
    partner guests (docs/privacy.md): the API's directory and profile, the space's member
    list, the web directory and profile page say no more than that to each account."""
    from rucher.people.actions import update_profile
    from rucher.people.models import Site
    from rucher.privacy.actions import update_privacy

    s = scene(cell)
    member, viewer = s.people["member"], s.people[cell.account]
    Site.objects.create(name="Site-Cache")
    update_profile(member, job_title="Titre-Interne", bio="Bio-Des-Espaces", site="Site-Cache")
    update_privacy(
        member,
        fields={"job_title": "members", "bio": "my_spaces", "site": "nobody"},
        activity="my_spaces",
        listed_to_partners=False,
    )
    is_self = cell.account == "member"
    shares_space = is_self or (cell.account == "guest" and cell.kind == "partner")
    sees_member = cell.account not in GUESTS or shares_space
    listed = {p["username"] for p in s.client.get("/api/v1/people?limit=100").json()["items"]}
    assert ("member" in listed) == (cell.account not in GUESTS)
    detail = s.client.get(f"/api/v1/people/{member.pk}")
    assert detail.status_code == (200 if sees_member else 404)
    if sees_member:
        profile = detail.json()
        assert (profile["job_title"] == "Titre-Interne") == (cell.account not in GUESTS)
        assert (profile["bio"] == "Bio-Des-Espaces") == shares_space
        assert (profile["site"] == "Site-Cache") == is_self
    by_site = s.client.get("/api/v1/people?site=Site-Cache").json()["items"]
    assert [p["username"] for p in by_site] == (["member"] if is_self else [])
    browser = Client()
    browser.force_login(viewer)
    found = browser.get("/people/?q=Titre-Interne").content.decode()  # the box echoes the words
    assert (f'href="/people/{member.pk}/"' in found) == (cell.account not in GUESTS)
    listing = browser.get("/people/").content.decode()
    assert (f'href="/people/{member.pk}/"' in listing) == (cell.account not in GUESTS)
    page = browser.get(f"/people/{member.pk}/")
    assert page.status_code == (200 if sees_member else 404)
    if sees_member:
        html = page.content.decode()
        assert ("Bio-Des-Espaces" in html) == shares_space
        assert ("Site-Cache" in html) == is_self
        withheld = "keeps their activity" in html or "réserve son activité" in html
        assert withheld == (not shares_space)
