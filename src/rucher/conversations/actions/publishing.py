"""Publishing and the life of a message: publish, reply, share, edit, delete, restore."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record, record_together
from rucher.conversations.actions.common import (
    add_mentions,
    audience,
    clean_text,
    create_content,
    mention_events,
    readable,
    render_for,
    set_topics,
)
from rucher.conversations.models import Content, Revision
from rucher.conversations.rendering import extract
from rucher.conversations.sensitive import check as check_sensitive
from rucher.errors import Conflict, Forbidden, Invalid, NotFound
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Space
from rucher.text import is_blank, require, strip

Kind = Content.Kind


@transaction.atomic
def publish(
    author: Person,
    space: Space | None,
    text: object,
    kind: str = Kind.POST,
    *,
    confirm_sensitive: bool = False,
) -> Content:
    """A post or a question in a space, or (space None) a post on the author's profile.
    Sensitive data (``conversations.sensitive``): blocked, held for review, or published
    once ``confirm_sensitive`` confirms the warning."""
    if kind not in (Kind.POST, Kind.QUESTION):
        raise Invalid(_("kind must be post or question"))
    body = clean_text(text, settings.RUCHER_MAX_TEXT_LENGTH)
    if space is None:
        if not permissions.can_post_on_profile(author):
            raise Forbidden(_("partner guests post in their partner spaces only"))
        if kind == Kind.QUESTION:
            raise Invalid(_("questions are asked in a space"))
    # The author's membership and the mentioned people in one query (common.audience).
    reach = audience(author, space, extract(body)[0])
    if space is not None:
        permissions.require_post_in(author, space, reach.member)
    found = check_sensitive(
        body, space, confirm_sensitive, author=author, kind="post", member=reach.member
    )
    return create_content(
        author, kind, found.text, space=space, reach=reach, held=found.held, sensitive=found.record
    )


@transaction.atomic
def reply(
    author: Person,
    parent: Content,
    text: object,
    quoted: Content | None = None,
    *,
    confirm_sensitive: bool = False,
) -> Content:
    """A comment (or, under a question, an answer when ``parent`` is the question itself)."""
    body = clean_text(text, settings.RUCHER_MAX_COMMENT_LENGTH, _("comment"))
    parent = readable(author, parent)
    reach = audience(author, parent.space, extract(body)[0])
    if parent.space is not None:
        permissions.require_post_in(author, parent.space, reach.member)
    elif not permissions.can_reply(author, parent):
        raise NotFound(_("content not found"))
    if quoted is not None:
        quoted = readable(author, quoted)
        if (quoted.root_id or quoted.pk) != (parent.root_id or parent.pk):
            raise Invalid(_("a reply can only quote a message of the same conversation"))
    kind = Kind.ANSWER if parent.kind == Kind.QUESTION else Kind.COMMENT
    found = check_sensitive(
        body, parent.space, confirm_sensitive, author=author, kind="reply", member=reach.member
    )
    return create_content(
        author,
        kind,
        found.text,
        space=parent.space,
        parent=parent,
        quoted=quoted,
        reach=reach,
        held=found.held,
        sensitive=found.record,
    )


@transaction.atomic
def share(person: Person, original: Content, space: Space, text: object = "") -> Content:
    """Share a post into another space the sharer may post in. Only content every employee
    may read (open internal spaces, profiles) can be shared, and only into internal spaces,
    so a share never widens who can read something."""
    original = readable(person, original)
    if original.parent_id is not None:
        raise Invalid(_("only posts, questions and polls can be shared"))
    if not permissions.is_shareable(original):
        raise Forbidden(_("content of private, secret, confidential or partner spaces stays there"))
    if space.kind != Space.Kind.INTERNAL:
        raise Forbidden(_("nothing is shared into partner spaces"))
    permissions.require_post_in(person, space)
    comment = strip(require(text, _("comment"))) if isinstance(text, str) else ""
    comment = "" if is_blank(comment) else comment
    if len(comment) > settings.RUCHER_MAX_COMMENT_LENGTH:
        raise Invalid(
            _("text has at most %(limit)s characters")
            % {"limit": settings.RUCHER_MAX_COMMENT_LENGTH}
        )
    return create_content(person, Kind.POST, comment or "↪", space=space, shared_from=original)


@transaction.atomic
def edit(
    person: Person, content: Content, text: object, *, confirm_sensitive: bool = False
) -> Content:
    """Edit one's own post or comment; the new text goes through the sensitive-data check
    as a new one does (a hold makes the content ``held`` until a moderator releases it)."""
    content = readable(person, content)
    if not permissions.can_edit(person, content):
        raise Forbidden(_("only the author can edit"))
    limit = (
        settings.RUCHER_MAX_TEXT_LENGTH
        if content.parent_id is None
        else settings.RUCHER_MAX_COMMENT_LENGTH
    )
    body = clean_text(text, limit)
    if body == content.text:
        return content
    found = check_sensitive(body, content.space, confirm_sensitive, author=person, kind="edit")
    body = found.text
    if body == content.text:
        return content
    Revision.objects.create(content=content, text=content.text, html=content.html, edited_by=person)
    reach = audience(person, content.space, extract(body)[0])
    rendered = render_for(person, body, reach)
    content.text, content.html, content.tag_prefix = body, rendered.html, rendered.tag_prefix
    content.edited_at = timezone.now()
    content.sensitive = found.record
    if found.held and not content.is_held:
        content.status = Content.Status.HELD
        if content.root_id is not None:  # a held reply is not counted (as a hidden one)
            Content.objects.filter(pk=content.root_id).update(comment_count=F("comment_count") - 1)
    content.save(update_fields=["text", "html", "tag_prefix", "edited_at", "sensitive", "status"])
    set_topics(content, rendered.topics)
    # Only the newly mentioned are told (one event per person, ever, for this content); a
    # held text tells nobody until it is released (moderation.actions, restore).
    mentioned = [] if content.is_held else reach.mentioned(rendered.mentions)
    if mentioned:
        already = set(content.mentions.filter(pk__in=mentioned).values_list("pk", flat=True))
        mentioned = [pk for pk in mentioned if pk not in already]
        add_mentions(content, mentioned)
    edited = {
        "verb": "edited",
        "object_type": content.kind,
        "object_id": content.pk,
        "space_id": content.space_id,
    }
    record_together(person, [edited, *mention_events(content, mentioned)])
    return content


@transaction.atomic
def delete(person: Person, content: Content) -> Content:
    """Soft delete by the author or a moderator; restorable for 30 days."""
    content = readable(person, content)
    if not permissions.can_delete(person, content):
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
    if not permissions.can_restore(moderator, content):
        readable_space = (
            permissions.can_read_space(moderator, content.space)
            if content.space is not None
            else not moderator.is_guest
        )
        if not readable_space:
            raise NotFound(_("no deleted content with this id"))
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
