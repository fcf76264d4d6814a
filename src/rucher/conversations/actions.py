"""Write paths for conversations: publish, comment, answer, react, share, edit, delete.

Each function validates, checks permission through spaces.permissions, writes, and appends
its events in the same transaction (docs/architecture.md, "The event log").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.conversations.models import Content, Reaction, Revision, Topic
from rucher.conversations.rendering import Rendered, render
from rucher.errors import Conflict, Forbidden, Invalid, NotFound
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Space

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
    # `what` names the field in the message; callers pass it already translated.
    what = what or _("text")
    if not isinstance(text, str):
        raise Invalid(_("%(field)s must be a string") % {"field": what})
    text = text.replace("\x00", "").strip()
    if not text:
        raise Invalid(_("%(field)s cannot be empty") % {"field": what})
    if len(text) > limit:
        raise Invalid(
            _("%(field)s has at most %(limit)s characters (%(given)s given)")
            % {"field": what, "limit": limit, "given": len(text)}
        )
    return text


def _render_for(author: Person, text: str) -> Rendered:
    from rucher.conversations.rendering import extract

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


def _set_topics(content: Content, names: list[str]) -> None:
    if not names:
        content.topics.clear()
        return
    Topic.objects.bulk_create([Topic(name=n) for n in names], ignore_conflicts=True)
    content.topics.set(Topic.objects.filter(name__in=names))


def _record_new_mentions(author: Person, content: Content, usernames: list[str]) -> None:
    already = set(content.mentions.values_list("username", flat=True))
    new = Person.objects.filter(username__in=[u for u in usernames if u not in already])
    for person in new:
        # Mentioning someone who cannot read the post must not reach them (no notification,
        # no event), or it would leak a private or secret conversation.
        if not permissions.visible_content(person).filter(pk=content.pk).exists():
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


def _create(
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
    rendered = _render_for(author, text)
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
        lang=lang or _guess_lang(text),
        created_at=at or timezone.now(),
    )
    _set_topics(content, rendered.topics)
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
    _record_new_mentions(author, content, rendered.mentions)
    if root is not None:
        Content.objects.filter(pk=root.pk).update(comment_count=F("comment_count") + 1)
    return content


def _guess_lang(text: str) -> str:
    """Cheap fr/en guess from stop words; the insights engine refines it offline."""
    words = set(text.lower().split())
    french = len(words & {"le", "la", "les", "des", "une", "est", "et", "pour", "nous", "je"})
    english = len(words & {"the", "and", "is", "for", "we", "you", "this", "with", "are", "i"})
    if french == english:
        return ""
    return "fr" if french > english else "en"


@transaction.atomic
def publish(author: Person, space: Space | None, text: object, kind: str = Kind.POST) -> Content:
    """A post or a question in a space, or (space None) a post on the author's profile."""
    if kind not in (Kind.POST, Kind.QUESTION):
        raise Invalid(_("kind must be post or question"))
    body = clean_text(text, settings.RUCHER_MAX_TEXT_LENGTH)
    if space is None:
        if author.is_guest:
            raise Forbidden(_("partner guests post in their partner spaces only"))
        if kind == Kind.QUESTION:
            raise Invalid(_("questions are asked in a space"))
    else:
        permissions.require_post_in(author, space)
    return _create(author, kind, body, space=space)


@transaction.atomic
def reply(author: Person, parent: Content, text: object, quoted: Content | None = None) -> Content:
    """A comment (or, under a question, an answer when ``parent`` is the question itself)."""
    body = clean_text(text, settings.RUCHER_MAX_COMMENT_LENGTH, _("comment"))
    parent = _readable(author, parent)
    if parent.space is not None:
        permissions.require_post_in(author, parent.space)
    elif author.is_guest:
        raise NotFound(_("content not found"))
    if quoted is not None:
        quoted = _readable(author, quoted)
        if (quoted.root_id or quoted.pk) != (parent.root_id or parent.pk):
            raise Invalid(_("a reply can only quote a message of the same conversation"))
    kind = Kind.ANSWER if parent.kind == Kind.QUESTION else Kind.COMMENT
    return _create(author, kind, body, space=parent.space, parent=parent, quoted=quoted)


def _readable(person: Person, content: Content) -> Content:
    """Re-read ``content`` through the permission policy (deleted or hidden -> NotFound)."""
    return permissions.get_visible_content(person, content.pk, record_read=False)


@transaction.atomic
def accept_answer(person: Person, answer: Content) -> Content:
    answer = _readable(person, answer)
    if answer.kind != Kind.ANSWER or answer.parent is None:
        raise Invalid(_("only an answer to a question can be accepted"))
    question = answer.parent
    if person.pk != question.author_id and not permissions.can_moderate(person, question.space):
        raise Forbidden(_("only the person who asked can accept an answer"))
    if answer.accepted:
        raise Conflict(_("this answer is already accepted"))
    Content.objects.filter(parent=question, kind=Kind.ANSWER, accepted=True).update(accepted=False)
    answer.accepted = True
    answer.save(update_fields=["accepted"])
    record(
        person,
        "accepted_answer",
        Kind.ANSWER,
        answer.pk,
        space_id=answer.space_id,
        target_id=answer.author_id,
    )
    return answer


def _recount_reactions(content_id: int) -> None:
    """The content's total and per-kind reaction counts, from the reactions themselves."""
    counts = dict(
        Reaction.objects.filter(content_id=content_id)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    Content.objects.filter(pk=content_id).update(
        reaction_count=sum(counts.values()), reaction_counts=counts
    )


def _lock_counts(content: Content) -> None:
    """Serialise reactions to one content, so each recount sees the others' rows (a no-op on
    SQLite, whose write transactions are already serial)."""
    Content.objects.select_for_update().filter(pk=content.pk).values_list("pk").first()


@transaction.atomic
def react(person: Person, content: Content, kind: object) -> Reaction:
    if kind not in Reaction.Kind.values:
        raise Invalid(
            _("reaction must be one of %(choices)s") % {"choices": ", ".join(Reaction.Kind.values)}
        )
    content = _readable(person, content)
    if content.space is not None and not permissions.can_post_in(person, content.space):
        raise Forbidden(_("join this space to react in it"))
    _lock_counts(content)
    existing = Reaction.objects.filter(content=content, person=person).first()
    if existing is not None and existing.kind == kind:
        raise Conflict(_("you already reacted this way"))
    if existing is not None:
        existing.kind = str(kind)
        existing.save(update_fields=["kind"])
        reaction = existing
    else:
        reaction = Reaction.objects.create(
            content=content, person=person, kind=str(kind), created_at=timezone.now()
        )
    _recount_reactions(content.pk)
    record(
        person,
        "reacted",
        content.kind,
        content.pk,
        space_id=content.space_id,
        target_id=content.author_id,
        value=1.0,
    )
    return reaction


@transaction.atomic
def unreact(person: Person, content: Content) -> None:
    content = _readable(person, content)
    _lock_counts(content)
    deleted, _count = Reaction.objects.filter(content=content, person=person).delete()
    if not deleted:
        raise NotFound(_("no reaction to remove"))
    _recount_reactions(content.pk)
    # An event like every other change a stream shows: it renews the cached pages' counts.
    record(
        person,
        "unreacted",
        content.kind,
        content.pk,
        space_id=content.space_id,
        target_id=content.author_id,
    )


def toggle_reaction(person: Person, content: Content, kind: str) -> Reaction | None:
    """What a click on a reaction button means: the same reaction again takes it back."""
    existing = Reaction.objects.filter(content_id=content.pk, person=person).first()
    if existing is not None and existing.kind == kind:
        unreact(person, content)
        return None
    return react(person, content, kind)


@transaction.atomic
def share(person: Person, original: Content, space: Space, text: object = "") -> Content:
    """Share a post into another space the sharer may post in. Only content every employee
    may read (open internal spaces, profiles) can be shared, and only into internal spaces,
    so a share never widens who can read something."""
    original = _readable(person, original)
    if original.parent_id is not None:
        raise Invalid(_("only posts, questions and polls can be shared"))
    source = original.space
    if source is not None and (
        source.visibility != Space.Visibility.OPEN
        or source.confidential
        or source.kind != Space.Kind.INTERNAL
    ):
        raise Forbidden(_("content of private, secret, confidential or partner spaces stays there"))
    if space.kind != Space.Kind.INTERNAL:
        raise Forbidden(_("nothing is shared into partner spaces"))
    permissions.require_post_in(person, space)
    comment = text.strip() if isinstance(text, str) else ""
    if len(comment) > settings.RUCHER_MAX_COMMENT_LENGTH:
        raise Invalid(
            _("text has at most %(limit)s characters")
            % {"limit": settings.RUCHER_MAX_COMMENT_LENGTH}
        )
    return _create(person, Kind.POST, comment or "↪", space=space, shared_from=original)


@transaction.atomic
def edit(person: Person, content: Content, text: object) -> Content:
    content = _readable(person, content)
    if content.author_id != person.pk:
        raise Forbidden(_("only the author can edit"))
    limit = (
        settings.RUCHER_MAX_TEXT_LENGTH
        if content.parent_id is None
        else settings.RUCHER_MAX_COMMENT_LENGTH
    )
    body = clean_text(text, limit)
    if body == content.text:
        return content
    Revision.objects.create(content=content, text=content.text, html=content.html, edited_by=person)
    rendered = _render_for(person, body)
    content.text, content.html, content.tag_prefix = body, rendered.html, rendered.tag_prefix
    content.edited_at = timezone.now()
    content.save(update_fields=["text", "html", "tag_prefix", "edited_at"])
    _set_topics(content, rendered.topics)
    record(person, "edited", content.kind, content.pk, space_id=content.space_id)
    _record_new_mentions(person, content, rendered.mentions)
    return content


@transaction.atomic
def delete(person: Person, content: Content) -> Content:
    """Soft delete by the author or a moderator; restorable for 30 days."""
    content = _readable(person, content)
    if content.author_id != person.pk and not permissions.can_moderate(person, content.space):
        raise Forbidden(_("only the author or a moderator can delete"))
    content.status = Content.Status.DELETED
    content.deleted_at, content.deleted_by = timezone.now(), person
    content.save(update_fields=["status", "deleted_at", "deleted_by"])
    if content.root_id is not None:
        Content.objects.filter(pk=content.root_id).update(comment_count=F("comment_count") - 1)
    record(
        person,
        "deleted",
        content.kind,
        content.pk,
        space_id=content.space_id,
        target_id=content.author_id,
    )
    return content


@transaction.atomic
def restore(moderator: Person, content_id: int) -> Content:
    try:
        content = Content.objects.select_related("space").get(
            pk=content_id, status=Content.Status.DELETED
        )
    except Content.DoesNotExist:
        raise NotFound(_("no deleted content with this id")) from None
    can_read = (
        permissions.can_read_space(moderator, content.space)
        if content.space is not None
        else not moderator.is_guest
    )
    if not can_read:
        raise NotFound(_("no deleted content with this id"))
    if not permissions.can_moderate(moderator, content.space):
        raise Forbidden(_("only moderators restore content"))
    limit = timedelta(days=settings.RUCHER_DELETED_RETENTION_DAYS)
    if content.deleted_at is None or timezone.now() - content.deleted_at > limit:
        raise Conflict(
            _("content deleted more than %(days)s days ago cannot be restored")
            % {"days": limit.days}
        )
    content.status, content.deleted_at, content.deleted_by = Content.Status.PUBLISHED, None, None
    content.save(update_fields=["status", "deleted_at", "deleted_by"])
    if content.root_id is not None:
        Content.objects.filter(pk=content.root_id).update(comment_count=F("comment_count") + 1)
    record(
        moderator,
        "restored",
        content.kind,
        content.pk,
        space_id=content.space_id,
        target_id=content.author_id,
    )
    return content
