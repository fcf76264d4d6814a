"""The bulk loader's first half: turn the contract tables into unsaved model rows.

Everything is decided in memory (ids, roots, memberships, reactions, counts) before a single
row is written, so the write half is a straight sequence of ``bulk_create`` calls and every
derived number is set when its row is created. Contract ids are mapped onto fresh database
ids allocated from the current maximum, which lets parents, roots and managers point at rows
of the same batch without a second pass (foreign keys are checked at commit).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db.models import Max, Model
from django.utils.text import slugify

from rucher.activity.models import Event
from rucher.conversations.models import Content, Poll, PollOption, PollVote, Reaction
from rucher.conversations.topics import is_topic_name, topic_key
from rucher.people.models import Person
from rucher.spaces.models import ConfidentialRead, Membership, Space
from rucher.streams.models import Follow
from rucher.text import scrub

CONTENT_OBJECT_TYPES = frozenset({"post", "comment", "question", "answer", "poll", "content"})
PUBLISH_VERBS = {
    "post": "posted",
    "poll": "posted",
    "question": "asked",
    "comment": "commented",
    "answer": "answered",
}
CREATION_VERBS = frozenset({"posted", "asked", "commented", "answered", "shared"})
GUEST_KINDS = frozenset({"partner", "guest"})
ROOT_KINDS = frozenset({"post", "question", "poll"})


def next_id(model: type[Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


@dataclass
class Plan:
    """Unsaved rows, in write order, plus what the report says about them."""

    organisations: dict[str, bool] = field(default_factory=dict)  # name -> is_partner
    departments: set[str] = field(default_factory=set)
    sites: set[str] = field(default_factory=set)
    people: list[Person] = field(default_factory=list)
    person_orgs: dict[int, tuple[str | None, str | None, str | None]] = field(default_factory=dict)
    skills: list[tuple[int, str]] = field(default_factory=list)  # (person pk, tag name)
    expertise: list[tuple[int, str]] = field(default_factory=list)
    spaces: list[Space] = field(default_factory=list)
    space_dates: dict[int, datetime] = field(default_factory=dict)
    memberships: list[Membership] = field(default_factory=list)
    membership_dates: list[datetime] = field(default_factory=list)
    content: list[Content] = field(default_factory=list)
    content_topics: list[tuple[int, str]] = field(default_factory=list)  # (content pk, topic)
    mentions: set[tuple[int, int]] = field(default_factory=set)  # (content pk, person pk)
    reactions: list[Reaction] = field(default_factory=list)
    polls: list[Poll] = field(default_factory=list)
    poll_options: list[PollOption] = field(default_factory=list)
    poll_votes: list[PollVote] = field(default_factory=list)
    vote_dates: list[datetime] = field(default_factory=list)
    follows: list[Follow] = field(default_factory=list)
    follow_dates: list[datetime] = field(default_factory=list)
    confidential_reads: list[ConfidentialRead] = field(default_factory=list)
    confidential_read_dates: list[datetime] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    person_ids: dict[int, int] = field(default_factory=dict)  # contract id -> database id
    space_ids: dict[int, int] = field(default_factory=dict)
    content_ids: dict[int, int] = field(default_factory=dict)
    notes: Counter[str] = field(default_factory=Counter)  # placeholders, skips, fixes


def _split_name(display_name: str | None) -> tuple[str, str]:
    name = scrub(display_name or "").strip()
    if " " not in name:
        return name[:150], ""
    first, last = name.split(" ", 1)
    return first[:150], last[:150]


def _first_of_each(
    rows: list[dict[str, Any]], key: str, notes: Counter[str], table: str
) -> list[dict[str, Any]]:
    """Rows with a unique ``key`` (the first wins; duplicates are counted in the report)."""
    seen: set[int] = set()
    unique = []
    for row in rows:
        if row[key] in seen:
            notes[f"duplicate {table} ids"] += 1
            continue
        seen.add(row[key])
        unique.append(row)
    return unique


def _aware(value: datetime | None, default: datetime) -> datetime:
    if value is None:
        return default
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class Planner:
    """Build a :class:`Plan` from conformed contract rows (lists of dicts)."""

    def __init__(
        self,
        *,
        source: str,
        demo: bool,
        now: datetime,
        people_extras: dict[int, dict[str, Any]],
        spaces_extras: dict[int, dict[str, Any]],
        poll_options: dict[int, list[str]],
        reaction_kinds: dict[int, str],
        existing_usernames: set[str],
        existing_slugs: set[str],
    ) -> None:
        self.source, self.demo, self.now = source, demo, now
        self.people_extras, self.spaces_extras = people_extras, spaces_extras
        self.poll_option_labels, self.reaction_kinds = poll_options, reaction_kinds
        self.existing_usernames, self.slugs = existing_usernames, set(existing_slugs)
        self.plan = Plan()
        self.guests: set[int] = set()  # database ids of partner guests
        self.space_kind: dict[int, str] = {}  # database id -> internal | partner
        self.content_by_pk: dict[int, Content] = {}
        self.poll_kinds: dict[int, str] = {}  # database id -> the poll kind the source gave

    # -- people -------------------------------------------------------------------------
    def people(
        self,
        rows: list[dict[str, Any]],
        referenced: set[int],
        unusable_password: Any,
        password_for: Any,
    ) -> None:
        plan = self.plan
        rows = _first_of_each(rows, "person_id", plan.notes, "people")
        known = {row["person_id"] for row in rows}
        for missing in sorted(referenced - known):
            rows.append({"person_id": missing, "display_name": None})
            plan.notes["placeholder people"] += 1
        base = next_id(Person)
        plan.person_ids = {row["person_id"]: base + i for i, row in enumerate(rows)}
        usernames: set[str] = set()
        for row in rows:
            pk = plan.person_ids[row["person_id"]]
            extra = self.people_extras.get(row["person_id"], {})
            first, last = _split_name(row.get("display_name"))
            kind = extra.get("kind") or (
                Person.Kind.PARTNER if row.get("kind") in GUEST_KINDS else Person.Kind.EMPLOYEE
            )
            if kind not in Person.Kind.values:
                raise ValueError(f"person {row['person_id']}: unknown account kind {kind!r}")
            username = str(extra.get("username") or f"{self.source}-{row['person_id']}")
            username = scrub(username)[:150]
            if username in usernames or username in self.existing_usernames:
                raise ValueError(f"username {username!r} already exists (already imported?)")
            usernames.add(username)
            password = extra.get("password")
            left_at = row.get("left_at")
            person = Person(
                pk=pk,
                username=username,
                password=password_for(password) if password else unusable_password(),
                first_name=scrub(str(extra.get("first_name", first)))[:150],
                last_name=scrub(str(extra.get("last_name", last)))[:150],
                email=str(extra.get("email", "")),
                kind=kind,
                is_staff=kind == Person.Kind.ADMIN,
                is_superuser=kind == Person.Kind.ADMIN,
                is_active=left_at is None,
                date_joined=_aware(row.get("joined_at"), self.now),
                left_at=left_at,
                job_title=scrub(str(extra.get("job_title", "")))[:120],
                bio=scrub(str(extra.get("bio", "")))[:1000],
                languages=str(extra.get("languages", ""))[:60],
                show_influence=bool(extra.get("show_influence", False)),
                is_demo=self.demo,
            )
            manager = row.get("manager_id")
            person.manager_id = plan.person_ids.get(manager) if manager is not None else None
            if person.manager_id == pk:
                person.manager_id = None
            organisation = row.get("organisation")
            if organisation:
                partner = kind == Person.Kind.PARTNER
                plan.organisations[organisation] = (
                    plan.organisations.get(organisation, partner) and partner
                )
            if row.get("department"):
                plan.departments.add(row["department"][:120])
            if row.get("site"):
                plan.sites.add(row["site"][:120])
            plan.person_orgs[pk] = (
                organisation,
                (row.get("department") or "")[:120] or None,
                (row.get("site") or "")[:120] or None,
            )
            plan.skills.extend((pk, scrub(str(s))[:60]) for s in extra.get("skills", ()) if s)
            plan.expertise.extend((pk, scrub(str(s))[:60]) for s in extra.get("expertise", ()) if s)
            if kind == Person.Kind.PARTNER:
                self.guests.add(pk)
            plan.people.append(person)

    # -- spaces -------------------------------------------------------------------------
    def _slug(self, name: str) -> str:
        base = slugify(name)[:120] or "espace"
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    def spaces(self, rows: list[dict[str, Any]], referenced: set[int]) -> None:
        plan = self.plan
        rows = _first_of_each(rows, "space_id", plan.notes, "spaces")
        known = {row["space_id"] for row in rows}
        for missing in sorted(referenced - known):
            rows.append({"space_id": missing, "name": f"{self.source} {missing}"})
            plan.notes["placeholder spaces"] += 1
        known = {row["space_id"] for row in rows}
        base = next_id(Space)
        plan.space_ids = {row["space_id"]: base + i for i, row in enumerate(rows)}
        parents = {row["space_id"]: row.get("parent_id") for row in rows}
        for row in rows:
            pk = plan.space_ids[row["space_id"]]
            extra = self.spaces_extras.get(row["space_id"], {})
            name = scrub(str(row.get("name") or f"{self.source} {row['space_id']}"))[:120]
            kind = str(row.get("kind") or "")
            kind = kind if kind in Space.Kind.values else Space.Kind.INTERNAL
            visibility = str(row.get("visibility") or "")
            if visibility not in Space.Visibility.values:
                visibility = Space.Visibility.OPEN
            # One level of hubs, as create_space enforces: a grandchild hangs off the top hub.
            parent: int | None = row.get("parent_id")
            seen = {row["space_id"]}
            while parent is not None and parents.get(parent) is not None and parent not in seen:
                seen.add(parent)
                parent = parents[parent]
            owner = extra.get("owner")
            space = Space(
                pk=pk,
                name=name,
                slug=str(extra.get("slug") or self._slug(name)),
                description=scrub(str(extra.get("description", "")))[:2000],
                visibility=visibility,
                kind=kind,
                confidential=bool(extra.get("confidential", False)),
                parent_id=plan.space_ids[parent]
                if parent is not None and parent in known
                else None,
                created_by_id=plan.person_ids.get(owner) if owner is not None else None,
            )
            self.slugs.add(space.slug)
            plan.space_dates[pk] = _aware(row.get("created_at"), self.now)
            self.space_kind[pk] = kind
            plan.spaces.append(space)

    # -- content ------------------------------------------------------------------------
    def content(
        self,
        rows: list[dict[str, Any]],
        render: Any,
        username_ids: dict[str, int],
    ) -> None:
        """Content rows; ``render(text)`` returns the rendering (its cost is measured)."""
        plan = self.plan
        rows = _first_of_each(rows, "content_id", plan.notes, "content")
        base = next_id(Content)
        plan.content_ids = {row["content_id"]: base + i for i, row in enumerate(rows)}
        parent_of = {
            row["content_id"]: row.get("parent_id")
            if row.get("parent_id") in plan.content_ids
            else None
            for row in rows
        }
        top: dict[int, int] = {}
        accepted_question: set[int] = set()
        for row in rows:
            cid = row["content_id"]
            root = self._root(cid, parent_of, top)
            parent = parent_of[cid]
            kind = row["kind"]
            if parent is None and kind not in ROOT_KINDS:
                kind = "post"
                plan.notes["replies without a parent loaded as posts"] += 1
            elif parent is not None and kind in ROOT_KINDS:
                kind = "comment"
                plan.notes["posts with a parent loaded as comments"] += 1
            limit = (
                settings.RUCHER_MAX_TEXT_LENGTH
                if parent is None
                else settings.RUCHER_MAX_COMMENT_LENGTH
            )
            raw = str(row.get("text") or "")
            text = scrub(raw).strip()
            if text != raw.strip():
                plan.notes["texts with NUL bytes or invalid Unicode repaired"] += 1
            if len(text) > limit:
                text = text[:limit]
                plan.notes["texts cut to the length limit"] += 1
            rendered = render(text)
            pk = plan.content_ids[cid]
            item = Content(
                pk=pk,
                kind=kind,
                author_id=plan.person_ids[row["author_id"]],
                parent_id=plan.content_ids[parent] if parent is not None else None,
                root_id=plan.content_ids[root] if root != cid else None,
                text=text,
                html=rendered.html,
                tag_prefix=rendered.tag_prefix[:40],
                lang=(row.get("lang") or "")[:8],
                status=Content.Status.PUBLISHED,
                created_at=_aware(row.get("created_at"), self.now),
            )
            space = row.get("space_id")
            item.space_id = plan.space_ids.get(space) if space is not None else None
            if kind == "answer" and row.get("accepted") and item.parent_id not in accepted_question:
                item.accepted = True
                accepted_question.add(item.parent_id or 0)
            names = [topic_key(scrub(str(t))) for t in (row.get("topics") or [])]
            topics = dict.fromkeys([n for n in names if is_topic_name(n)] + rendered.topics)
            plan.content_topics.extend((pk, name) for name in topics)
            plan.mentions.update(
                (pk, username_ids[u]) for u in rendered.mentions if u in username_ids
            )
            if kind == "poll" and row.get("poll_kind"):
                self.poll_kinds[pk] = str(row["poll_kind"])
            plan.content.append(item)
            self.content_by_pk[pk] = item
        for item in plan.content:  # a reply lives where its conversation lives
            if item.root_id is not None:
                root_item = self.content_by_pk[item.root_id]
                item.space_id = root_item.space_id
                root_item.comment_count += 1

    @staticmethod
    def _root(cid: int, parent_of: dict[int, int | None], top: dict[int, int]) -> int:
        path, current = [], cid
        while current not in top:
            parent = parent_of[current]
            if parent is None or parent in path or parent == current:
                top[current] = current
                break
            path.append(current)
            current = parent
        for node in path:
            top[node] = top[current]
        return top[cid]

    # -- events -------------------------------------------------------------------------
    def events(self, rows: list[dict[str, Any]]) -> list[int | None]:
        """Event rows with every id mapped; returns the contract event id of each row."""
        plan = self.plan
        contract_ids: list[int | None] = []
        seen_views: set[str] = set()
        created: set[int] = set()
        for row in rows:
            actor = plan.person_ids[row["actor_id"]]
            object_type = (row.get("object_type") or "")[:20]
            raw_object, object_id = row.get("object_id"), None
            item = None
            if raw_object is not None:
                if object_type in CONTENT_OBJECT_TYPES:
                    object_id = plan.content_ids.get(raw_object)
                    item = self.content_by_pk.get(object_id) if object_id is not None else None
                    if item is not None and object_type != "poll":
                        object_type = item.kind
                elif object_type == "space":
                    object_id = plan.space_ids.get(raw_object)
                elif object_type == "person":
                    object_id = plan.person_ids.get(raw_object)
                if object_id is None:
                    plan.notes["event objects outside the dataset"] += 1
            space = row.get("space_id")
            space_id = plan.space_ids.get(space) if space is not None else None
            if space_id is None and item is not None:
                space_id = item.space_id
            target = row.get("target_id")
            at = _aware(row["at"], self.now)
            event = Event(
                actor_id=actor,
                verb=row["verb"],
                object_type=object_type,
                object_id=object_id,
                space_id=space_id,
                target_id=plan.person_ids.get(target) if target is not None else None,
                value=row.get("value"),
                at=at,
            )
            if event.verb == "viewed":
                key = f"v:{actor}:{object_type}:{object_id or 0}:{at:%Y%m%d}"
                if key in seen_views:
                    plan.notes["repeated views of a day merged"] += 1
                    continue
                seen_views.add(key)
                event.dedupe_key = key
            if event.verb in CREATION_VERBS - {"shared"} and item is not None:
                created.add(item.pk)
            if event.verb == "mentioned" and item is not None and event.target_id is not None:
                plan.mentions.add((item.pk, event.target_id))
            plan.events.append(event)
            contract_ids.append(row.get("event_id"))
        for item in plan.content:  # every action appends its event: so does the loader
            if item.pk in created:
                continue
            parent = self.content_by_pk.get(item.parent_id) if item.parent_id else None
            plan.events.append(
                Event(
                    actor_id=item.author_id,
                    verb=PUBLISH_VERBS[item.kind],
                    object_type=item.kind,
                    object_id=item.pk,
                    space_id=item.space_id,
                    target_id=parent.author_id if parent is not None else None,
                    at=item.created_at,
                )
            )
            contract_ids.append(None)
            plan.notes["creation events added"] += 1
        base = next_id(Event)
        for offset, event in enumerate(plan.events):
            event.pk = base + offset
        return contract_ids
