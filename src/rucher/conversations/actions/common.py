"""What every conversation action shares: clean text, read whom it reaches (``audience``),
render it, create a content row with its topics, mentions and events, and re-read a target
through the read policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q
from django.utils import timezone

from rucher.activity.actions import record_together
from rucher.charter.gate import require_accepted as require_charter
from rucher.conversations.models import Content, Topic
from rucher.conversations.queries import get_visible_content
from rucher.conversations.rendering import Rendered, extract, render
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Membership, Space
from rucher.text import clean

Kind = Content.Kind

# The contract's verb for each kind of new content.
PUBLISH_VERB = {
    Kind.POST: "posted",
    Kind.POLL: "posted",
    Kind.QUESTION: "asked",
    Kind.COMMENT: "commented",
    Kind.ANSWER: "answered",
}


def clean_text(text: object, limit: int, what: str | None = None) -> str:
    """The product's one text rule (``rucher.text.clean``): no NUL, no lone surrogate,
    something visible, at most ``limit`` characters. `what` names the field in the message;
    callers pass it already translated."""
    return clean(text, limit, what)


@dataclass(frozen=True)
class Audience:
    """Whom a text reaches, read in ONE query (publishing costs the same whatever the number
    of mentions): the author's membership of the space, and of the people the text mentions,
    those the author may see (their mention becomes a link) and, among them, those who may
    read content in the space (only they are recorded as mentioned: a mention must not reach
    someone who cannot read the post, or it would leak a private or secret conversation)."""

    member: Membership | None = None  # the author's, None without one (or on a profile)
    seen: dict[str, int] = field(default_factory=dict)  # username -> id
    readers: frozenset[int] = frozenset()

    def mentioned(self, usernames: list[str]) -> list[int]:
        """Ids of the people to record as mentioned, in the text's order."""
        ids = [self.seen[u] for u in usernames if u in self.seen]
        return [pk for pk in ids if pk in self.readers]


def audience(author: Person, space: Space | None, usernames: list[str]) -> Audience:
    """The author's membership of ``space`` and the mentioned people (see ``Audience``), as
    one query: the author's row (with the membership left-joined) and the mentioned rows, each
    with two EXISTS (visible to the author, reads the space) from the read policy."""
    if space is None and not usernames:
        return Audience()
    people = Person.objects.filter(Q(pk=author.pk) | Q(username__in=usernames))
    fields: list[str] = ["pk", "username"]
    if usernames:
        people = people.annotate(
            seen=Exists(permissions.visible_people(author).filter(pk=OuterRef("pk"))),
            reads=Exists(permissions.space_readers(space).filter(pk=OuterRef("pk"))),
        )
        fields += ["seen", "reads"]
    if space is not None:
        people = people.annotate(
            in_space=FilteredRelation("memberships", condition=Q(memberships__space_id=space.pk))
        )
        fields += [
            "in_space__id",
            "in_space__status",
            "in_space__role",
            "in_space__suspended_at",
            "in_space__suspended_until",
        ]
    member: Membership | None = None
    seen: dict[str, int] = {}
    readers: set[int] = set()
    wanted = set(usernames)
    for row in people.values(*fields):
        if space is not None and row["pk"] == author.pk and row["in_space__id"] is not None:
            member = Membership(
                pk=row["in_space__id"],
                person_id=author.pk,
                space_id=space.pk,
                status=row["in_space__status"],
                role=row["in_space__role"],
                suspended_at=row["in_space__suspended_at"],
                suspended_until=row["in_space__suspended_until"],
            )
        if row["username"] in wanted and row.get("seen"):
            seen[row["username"]] = row["pk"]
            if row.get("reads"):
                readers.add(row["pk"])
    return Audience(member, seen, frozenset(readers))


def render_for(author: Person, text: str, reach: Audience | None = None) -> Rendered:
    """``text`` rendered; only mentions of people the author may see become links."""
    if reach is None:
        mentions, _topics, _tag = extract(text)
        reach = audience(author, None, mentions) if mentions else Audience()
    return render(text, set(reach.seen))


def topics_named(names: list[str]) -> list[Topic]:
    """The topics of these (normalised) names, created when new: one upsert that returns
    the ids (PostgreSQL, and SQLite from 3.35)."""
    if not names:
        return []
    return Topic.objects.bulk_create(
        [Topic(name=n) for n in names],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["name"],
    )


def set_topics(content: Content, names: list[str], *, new: bool = False) -> None:
    """Link ``content`` to the topics ``names``: one upsert and one insert for new content;
    an edit replaces the earlier set (Django's ``set``)."""
    topics = topics_named(names)
    if new:
        if topics:
            link = Content.topics.through
            link.objects.bulk_create([link(content_id=content.pk, topic_id=t.pk) for t in topics])
        return
    content.topics.set(topics)


def add_mentions(content: Content, person_ids: list[int]) -> None:
    if person_ids:
        link = Content.mentions.through
        link.objects.bulk_create(
            [link(content_id=content.pk, person_id=pk) for pk in person_ids],
            ignore_conflicts=True,
        )


def mention_events(content: Content, person_ids: list[int]) -> list[dict[str, Any]]:
    """One ``mentioned`` event per person (the contract wants one row per interaction)."""
    return [
        {
            "verb": "mentioned",
            "object_type": content.kind,
            "object_id": content.pk,
            "space_id": content.space_id,
            "target_id": pk,
        }
        for pk in person_ids
    ]


def create_content(
    author: Person,
    kind: str,
    text: str,
    *,
    space: Space | None,
    parent: Content | None = None,
    quoted: Content | None = None,
    shared_from: Content | None = None,
    lang: str = "",
    at: datetime | None = None,
    reach: Audience | None = None,
    held: bool = False,
    sensitive: dict[str, Any] | None = None,
) -> Content:
    """Write a new content row with its topics, mentions and events (the caller checked the
    permissions, with ``reach`` when it read the author's membership through ``audience``).
    ``held``: saved for review (sensitive data); its mentions are recorded and told only
    when a moderator releases it.

    Every new contribution passes here, so this is where the charter is required (the gate
    of ``rucher.charter``: at most one query, none once passed in this request)."""
    require_charter(author)
    mentions, _topics, _tag = extract(text)
    reach = reach if reach is not None else audience(author, space, mentions)
    rendered = render(text, set(reach.seen))
    root = None if parent is None else (parent.root or parent)
    content = Content.objects.create(
        kind=kind,
        author=author,
        space=space,
        parent=parent,
        root=root,
        quoted=quoted,
        shared_from=shared_from,
        text=text,
        html=rendered.html,
        tag_prefix=rendered.tag_prefix,
        lang=lang or guess_lang(text),
        created_at=at or timezone.now(),
        status=Content.Status.HELD if held else Content.Status.PUBLISHED,
        sensitive=sensitive or {},
    )
    set_topics(content, rendered.topics, new=True)
    mentioned = [] if held else reach.mentioned(rendered.mentions)
    add_mentions(content, mentioned)
    if shared_from is not None:
        event: dict[str, Any] = {
            "verb": "shared",
            "object_type": shared_from.kind,
            "object_id": shared_from.pk,
            "target_id": shared_from.author_id,
        }
    else:
        event = {
            "verb": PUBLISH_VERB[Kind(kind)],
            "object_type": kind,
            "object_id": content.pk,
            "target_id": parent.author_id if parent is not None else None,
        }
    event["space_id"] = content.space_id
    record_together(author, [event, *mention_events(content, mentioned)])
    if root is not None and not held:  # a held reply counts once released
        Content.objects.filter(pk=root.pk).update(comment_count=F("comment_count") + 1)
    return content


def guess_lang(text: str) -> str:
    """Cheap fr/en guess from stop words; the insights engine refines it offline."""
    words = set(text.lower().split())
    french = len(words & {"le", "la", "les", "des", "une", "est", "et", "pour", "nous", "je"})
    english = len(words & {"the", "and", "is", "for", "we", "you", "this", "with", "are", "i"})
    if french == english:
        return ""
    return "fr" if french > english else "en"


def readable(person: Person, content: Content) -> Content:
    """Re-read ``content`` through the permission policy (deleted or hidden -> NotFound)."""
    return get_visible_content(person, content.pk)
