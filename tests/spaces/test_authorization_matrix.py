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

from rucher.charter.models import SpaceRules
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


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_search(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    """Search (API, page, suggestions) finds the post only where it is read, the space only
    where it is known, the bystander only where people are seen: a guest never finds
    internal content, a non-member never a secret space or its items."""
    from rucher.search.rebuild import rebuild_all

    s = scene(cell)
    rebuild_all()
    found = s.client.get("/api/v1/search?q=cible&limit=50").json()["items"]
    assert (("post", s.post_id) in {(i["kind"], i["id"]) for i in found}) == cell.reads
    assert (("space", s.space.pk) in {(i["kind"], i["id"]) for i in found}) == cell.knows
    assert ("topic" in {i["kind"] for i in found}) == cell.reads
    people = s.client.get("/api/v1/search?q=bystander").json()["items"]
    assert bool(people) == (cell.account not in GUESTS)
    web = Client()
    web.force_login(s.people[cell.account])
    page = web.get("/search/?q=message+cible").content.decode()
    assert (f'href="/posts/{s.post_id}/"' in page) == cell.reads
    suggested = web.get("/search/suggest/?q=cib").content.decode()
    assert (f'href="/posts/{s.post_id}/"' in suggested) == cell.reads


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_essentiel_never_carries_unreadable_posts(
    scene: Callable[[Cell], Scene], cell: Cell
) -> None:
    """Essentiel (both API spellings and the page, also when it opens at "/") lists the post
    to those who read it and to nobody else (a fresh post in a small network is chosen for
    every reader: among few candidates, it is among the best)."""
    s = scene(cell)
    for path in ("/api/v1/streams/essentiel?limit=50", "/api/v1/streams/essential?limit=50"):
        listed = [i["id"] for i in s.client.get(path).json()["items"]]
        assert (s.post_id in listed) == cell.reads, path
    account = s.people[cell.account]
    web = Client()
    web.force_login(account)
    link = f'href="/posts/{s.post_id}/"'
    assert (link in web.get("/essentiel/").content.decode()) == cell.reads
    account.home_stream = "essential"
    account.save(update_fields=["home_stream"])
    assert (link in web.get("/").content.decode()) == cell.reads


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


@pytest.mark.parametrize(
    "cell",
    [Cell(a, v, "internal") for a in ACCOUNTS for v in VISIBILITIES],
    ids=[f"{a}-{v}" for a in ACCOUNTS for v in VISIBILITIES],
)
def test_cockpit_pages(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    """Every cockpit page (the overview and one page per question, cockpit/pages.py): for
    community managers and administrators only, 404 for anyone else; a space's pages also
    need reading the space (404 otherwise), and a CSV export follows its page."""
    from rucher.cockpit.pages import OVERVIEW, PAGES

    s = scene(cell)
    browser = Client()
    browser.force_login(s.people[cell.account])
    cockpit = cell.account in ("community_manager", "admin")
    for page in (OVERVIEW, *PAGES):
        suffix = f"{page.slug}/" if page.slug else ""
        assert browser.get(f"/cockpit/{suffix}").status_code == (200 if cockpit else 404)
        space_page = browser.get(f"/cockpit/spaces/{s.space.pk}/{suffix}")
        assert space_page.status_code == (200 if cockpit and cell.reads else 404), page.slug
    export = browser.get("/cockpit/cadence/?csv=cadence")
    assert export.status_code == (200 if cockpit else 404)


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


# --- publishing rules: watched words, slow mode (docs/watched-words.md) --------------------


def manages_rules(cell: Cell) -> bool:
    """Written rule: a space's rules are its managers' (the owner, its community managers;
    administrators on spaces that are not secret unless they belong); guests never."""
    return cell.account == "admin" and cell.visibility != "secret"


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_publishing_rules_pages_and_endpoints(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    s = scene(cell)
    expected = (
        200 if manages_rules(cell) else (404 if not cell.knows or cell.account in GUESTS else 403)
    )
    url = "/api/v1/moderation/watched-words"
    assert s.client.get(url, {"space_id": s.space.pk}).status_code == expected
    created = s.client.post(
        url, {"space_id": s.space.pk, "pattern": "idiot", "action": "hold"}, content_type=JSON
    )
    assert created.status_code == (201 if expected == 200 else expected)
    slow = s.client.put(
        f"/api/v1/moderation/spaces/{s.space.pk}/slow-mode", {"minutes": 3}, content_type=JSON
    )
    assert slow.status_code == expected
    organisation = 200 if cell.account == "admin" else (404 if cell.account in GUESTS else 403)
    assert s.client.get(url).status_code == organisation
    browser = Client()
    browser.force_login(s.people[cell.account])
    assert browser.get(f"/moderation/rules/spaces/{s.space.pk}/").status_code == expected
    assert browser.get("/moderation/rules/").status_code == organisation


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_experts_come_only_from_readable_content(
    scene: Callable[[Cell], Scene], cell: Cell
) -> None:
    """Who knows about X: the owner's post is evidence only for those who may read it."""
    s = scene(cell)
    answer = s.client.get("/api/v1/experts?q=message+de+la+cible")
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert [p["username"] for p in items] == (["owner"] if cell.reads else [])
    if cell.reads:
        assert [e["content_id"] for e in items[0]["evidence"]] == [s.post_id]


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_space_rules_page(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    """The rules page (rucher.charter): unknown spaces 404; only the space's managers (and
    administrators) edit, everyone else who knows the space gets 403."""
    s = scene(cell)
    browser = Client()
    browser.force_login(s.people[cell.account])
    url = f"/spaces/{s.space.slug}/rules/"
    expected = 404 if not cell.knows else 200 if cell.account == "admin" else 403
    assert browser.get(url).status_code == expected
    written = browser.post(url, {"text_fr": "Soyez brefs.", "text_en": ""})
    assert written.status_code == (302 if expected == 200 else expected)
    assert SpaceRules.objects.filter(space=s.space).exists() == (expected == 200)


@pytest.mark.parametrize("account", ACCOUNTS)
def test_charter_endpoints(scene: Callable[[Cell], Scene], account: str) -> None:
    """Everyone reads and accepts their charter; only administrators publish one."""
    s = scene(Cell(account, "open", "internal"))
    made = s.client.post(
        "/api/v1/charter/versions", {"audience": "members", "text_fr": "Charte"}, content_type=JSON
    )
    assert made.status_code == (201 if account == "admin" else 403)
    assert s.client.get("/api/v1/charter").status_code == 200
    browser = Client()
    browser.force_login(s.people[account])
    assert browser.get("/charter/").status_code == 200
    assert browser.get("/charter/manage/").status_code == (200 if account == "admin" else 404)


@pytest.mark.parametrize("account", ACCOUNTS)
def test_account_security_pages_and_scim(scene: Callable[[Cell], Scene], account: str) -> None:
    """Sessions, security (two-factor), tokens: everyone's own; the sign-in and directory
    overview: administrators only (404 for the others); SCIM: a directory connection's token
    only, never a session or a personal token (401)."""
    s = scene(Cell(account, "open", "internal"))
    browser = Client()
    browser.force_login(s.people[account])
    for own in ("/settings/sessions/", "/settings/security/", "/settings/tokens/"):
        assert browser.get(own).status_code == 200, own
    assert browser.get("/settings/security/qr.svg").status_code == 200  # the page's own secret
    assert browser.post("/settings/security/disable/", {"code": "1"}).status_code == 409
    assert browser.get("/settings/security/disable/").status_code == 405
    assert browser.get("/settings/sign-in/").status_code == (200 if account == "admin" else 404)
    assert browser.get("/scim/v2/Users").status_code == 401
    assert s.client.get("/scim/v2/Users").status_code == 401
    anonymous = Client()
    for own in ("/settings/sessions/", "/settings/security/", "/settings/sign-in/"):
        assert anonymous.get(own).status_code == 302, own
    assert anonymous.get("/settings/security/qr.svg").status_code == 302
    assert anonymous.get("/login/code/")["Location"] == "/login/"  # no sign-in waiting


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_related_content_and_similar_questions(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    """Meaning (rucher.meaning): the target space's answered question is offered as related
    content beside a post the account reads, and as a similar question under its composer,
    exactly when the account reads the space."""
    from rucher.meaning.vectors import embed_all

    s = scene(cell)
    reader, asker = s.people[cell.account], s.people["member"]
    text = "Comment poser mes congés payés cet été ?"
    question = actions.publish(asker, s.space, text, kind="question")
    actions.accept_answer(asker, actions.reply(asker, question, "Sur le portail RH."))
    # An anchor post the account reads: on their profile, or for a guest in a space of theirs
    # (the guest outside a partner cell belongs to none: no anchor, no related block).
    anchor_space: Space | None = None
    if cell.account == "outside_guest":
        anchor_space = Space.objects.get(name="Ailleurs")
    elif cell.account == "guest":
        anchor_space = s.space if cell.kind == "partner" else None
    has_anchor = cell.account != "guest" or anchor_space is not None
    client = Client()
    client.force_login(reader)
    if has_anchor:
        anchor = actions.publish(reader, anchor_space, "Je voudrais poser des congés en juillet")
    embed_all()
    if has_anchor:
        page = client.get(f"/posts/{anchor.pk}/").content.decode()
        assert (f"/posts/{question.pk}/" in page) == cell.reads
    similar = client.get(
        "/questions/similar/", {"text": "Poser des congés payés en été", "kind": "question"}
    ).content.decode()
    assert (f"/posts/{question.pk}/" in similar) == cell.reads


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


# --- direct messages (docs/messaging.md) ----------------------------------------------------


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_direct_messages_pages_and_endpoints(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    """Written rules: people write privately to people who may see each other (a guest only
    to the members of their spaces, and nobody to a guest who may not see them); a
    conversation is read by its participants only, administrators and community managers
    included in "nobody else" (404, never 403)."""
    from rucher.messaging import actions as messaging

    s = scene(cell)
    account, member = s.people[cell.account], s.people["member"]
    private = messaging.start_conversation(s.people["member"], [s.bystander.pk], "Entre nous")
    cid = private.conversation_id
    shares_space = cell.account == "guest" and cell.kind == "partner"
    may_write = cell.account not in GUESTS or shares_space
    written = s.client.post(
        "/api/v1/messages", {"participants": [member.pk], "text": "Bonjour"}, content_type=JSON
    )
    expected = 422 if cell.account == "member" else (201 if may_write else 404)
    assert written.status_code == expected
    # The member writing to the account: refused when the account may not see the member.
    _, raw = create_token(member)
    back = Client(headers={"Authorization": f"Bearer {raw}"}).post(
        "/api/v1/messages", {"participants": [account.pk], "text": "Re"}, content_type=JSON
    )
    assert back.status_code == (422 if cell.account == "member" else 201 if may_write else 403)
    is_participant = cell.account == "member"
    assert s.client.get(f"/api/v1/messages/{cid}").status_code == (200 if is_participant else 404)
    sent = s.client.post(f"/api/v1/messages/{cid}", {"text": "Hop"}, content_type=JSON)
    assert sent.status_code == (201 if is_participant else 404)
    assert s.client.get("/api/v1/messages").status_code == 200
    browser = Client()
    browser.force_login(account)
    assert browser.get("/messages/").status_code == 200
    assert browser.get(f"/messages/{cid}/").status_code == (200 if is_participant else 404)
    assert (f'href="/messages/{cid}/"' in browser.get("/messages/").content.decode()) == (
        is_participant
    )


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_summaries(scene: Callable[[Cell], Scene], cell: Cell) -> None:
    """Summaries (meaning/summaries.py): a thread's and a space's summary open exactly to the
    accounts that read the space, and are made of what they read."""
    s = scene(cell)
    browser = Client()
    browser.force_login(s.people[cell.account])
    thread = browser.get(f"/posts/{s.post_id}/summary/")
    space = browser.get(f"/spaces/{s.space.slug}/summary/?days=30")
    assert thread.status_code == (200 if cell.reads else 404)
    assert space.status_code == (200 if cell.reads else 404)
