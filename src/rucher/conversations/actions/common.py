"""What every conversation action shares: clean text, render it, create a content row with its
topics, mentions and events, and re-read a target through the read policy."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F
from django.utils import timezone

from rucher.activity.actions import record
from rucher.conversations.models import Content, Topic
from rucher.conversations.queries import get_visible_content
from rucher.conversations.rendering import Rendered, extract, render
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Space
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


def render_for(author: Person, text: str) -> Rendered:
    mentions, _topics, _tag = extract(text)
    known = (
        set(
            permissions.visible_people(author)
            .filter(username__in=mentions)
            .values_list("username", flat=True)
        )
        if mentions
        else set()
    )
    return render(text, known)


def set_topics(content: Content, names: list[str]) -> None:
    if not names:
        content.topics.clear()
        return
    Topic.objects.bulk_create([Topic(name=n) for n in names], ignore_conflicts=True)
    content.topics.set(Topic.objects.filter(name__in=names))


def record_new_mentions(author: Person, content: Content, usernames: list[str]) -> None:
    if not usernames:
        return
    already = set(content.mentions.values_list("username", flat=True))
    new = Person.objects.filter(username__in=[u for u in usernames if u not in already])
    for person in new:
        # Mentioning someone who cannot read the post must not reach them (no notification,
        # no event), or it would leak a private or secret conversation.
        if not Content.objects.visible_to(person).filter(pk=content.pk).exists():
            continue
        content.mentions.add(person)
        record(
            author,
            "mentioned",
            content.kind,
            content.pk,
            space_id=content.space_id,
            target_id=person.pk,
        )


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
) -> Content:
    rendered = render_for(author, text)
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
    )
    set_topics(content, rendered.topics)
    target = parent.author_id if parent is not None else None
    if shared_from is not None:
        record(
            author,
            "shared",
            shared_from.kind,
            shared_from.pk,
            space_id=content.space_id,
            target_id=shared_from.author_id,
        )
    else:
        record(
            author,
            PUBLISH_VERB[Kind(kind)],
            kind,
            content.pk,
            space_id=content.space_id,
            target_id=target,
        )
    record_new_mentions(author, content, rendered.mentions)
    if root is not None:
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


