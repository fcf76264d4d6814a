"""RSS 2.0 and Atom 1.0 feeds of a space, a topic and a person's home stream, opened by the
person's feed key (docs/feeds.md).

Every request reads as the key's holder through the read policy, at that moment: the key, the
holder (active, not gone) and the event log's newest write come in one statement, which is
all a reader polling an unchanged feed costs (a 304). Otherwise the items come from the same
stream queries as the pages. Nothing confidential leaves rucher this way: a confidential
space has no feed (``permissions.analysable_spaces(..., leaving_rucher=True)``), and its
items are left out of topic and home feeds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.crypto import salted_hmac
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import format_html
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rucher.conversations.models import Content
from rucher.conversations.topics import normalise_topic
from rucher.errors import ActionError
from rucher.feeds.keys import Holder, lookup
from rucher.feeds.links import absolute
from rucher.spaces import permissions
from rucher.spaces.models import Space
from rucher.streams import queries
from rucher.streams.queries import Page

FEED_ITEMS = 30
# Confidential items are left out after the stream query; a few more pages are read so that
# a home stream busy with a confidential space still fills its feed, within a bound.
MAX_PAGES = 3
FeedType = type[Atom1Feed] | type[Rss201rev2Feed]
FORMATS: dict[str, FeedType] = {"atom": Atom1Feed, "rss": Rss201rev2Feed}
# Part of every ETag: a change to how items are written out must not be answered with a 304.
RENDERING_VERSION = "1"
TITLE_LENGTH = 120
# Root-relative links of the stored HTML (profiles, topics): absolute in a feed reader.
# Protocol-relative ones ("//host") are left alone.
_RELATIVE_HREF = re.compile(r'href="/(?!/)')
_MARKDOWN_LEAD = re.compile(r"^(?:#{1,6}\s+|>\s*|[-*+]\s+)+")


def absolute_html(html: str) -> str:
    return _RELATIVE_HREF.sub(f'href="{absolute("/")}', html)


@dataclass
class Subject:
    """What one feed shows: its title, its page on the site, its items."""

    title: str
    description: str
    link: str
    feed_url: str
    items: list[Content]


def leaves_rucher(item: Content) -> bool:
    """Whether the item may be written into a feed: nothing of a confidential space
    (the rule of ``permissions.analysable_spaces(..., leaving_rucher=True)``)."""
    return item.space is None or not item.space.confidential


def gather(fetch: Callable[[str | None], Page]) -> list[Content]:
    """Up to FEED_ITEMS items, newest first, that may leave rucher."""
    items: list[Content] = []
    cursor = None
    for _page in range(MAX_PAGES):
        page = fetch(cursor)
        items += [item for item in page.items if leaves_rucher(item)]
        if len(items) >= FEED_ITEMS or page.next_cursor is None:
            break
        cursor = page.next_cursor
    return items[:FEED_ITEMS]


def home_subject(holder: Holder, request: HttpRequest) -> Subject:
    person = holder.person
    return Subject(
        title=_("Home stream of %(name)s · rucher") % {"name": person.display_name},
        description=_("Posts, questions and polls of your home stream"),
        link=absolute(reverse("home")),
        feed_url=absolute(request.path),
        items=gather(lambda cursor: queries.build_home(person, cursor, FEED_ITEMS)),
    )


def space_subject(holder: Holder, request: HttpRequest, slug: str) -> Subject:
    person = holder.person
    try:
        space = permissions.analysable_spaces(person, leaving_rucher=True).get(slug=slug)
    except Space.DoesNotExist:
        raise Http404(_("space not found")) from None
    return Subject(
        title=f"{space.name} · rucher",
        description=space.description
        or _("Posts, questions and polls of %(space)s") % {"space": space.name},
        link=absolute(reverse("space", args=[space.slug])),
        feed_url=absolute(request.path),
        items=gather(lambda cursor: queries.space_stream(person, space.pk, cursor, FEED_ITEMS)),
    )


def topic_subject(holder: Holder, request: HttpRequest, name: str) -> Subject:
    person = holder.person
    topic = normalise_topic(name)
    return Subject(
        title=f"#{topic} · rucher",
        description=_("Posts, questions and polls about #%(topic)s") % {"topic": topic},
        link=absolute(reverse("topic", args=[topic])),
        feed_url=absolute(request.path),
        items=gather(lambda cursor: queries.topic_stream(person, topic, cursor, FEED_ITEMS)),
    )


def item_title(item: Content) -> str:
    """The first line of the text (the question of a question or a poll), plain; a share
    without words of its own (its text is the "↪" mark) takes the shared post's."""
    shared = item.shared_from
    published = shared is not None and shared.status == Content.Status.PUBLISHED
    for source in (item.text, shared.text if shared is not None and published else ""):
        for line in source.splitlines():
            line = _MARKDOWN_LEAD.sub("", line).strip()
            if any(character.isalnum() for character in line):
                return Truncator(line).chars(TITLE_LENGTH)
    return _("A post by %(name)s") % {"name": item.author.display_name}


def item_summary(item: Content) -> str:
    """The HTML the site shows for the item (stored sanitised: never the raw text), with
    absolute links, the shared post, and how many replies it has."""
    parts = [absolute_html(item.html)]
    shared = item.shared_from
    if shared is not None:
        origin = shared.author.display_name + (f" · {shared.space.name}" if shared.space else "")
        body = (
            mark_safe(absolute_html(shared.html))  # stored sanitised, as the site shows it
            if shared.status == Content.Status.PUBLISHED
            else format_html("<p>{}</p>", _("This content was deleted."))
        )
        parts.append(
            format_html(
                '<blockquote><p>{} <a href="{}">{}</a></p>{}</blockquote>',
                _("Shared from"),
                absolute(reverse("content", args=[shared.pk])),
                origin,
                body,
            )
        )
    count = item.comment_count
    if item.kind == Content.Kind.QUESTION:
        replies = ngettext("%(count)s answer", "%(count)s answers", count) % {"count": count}
    elif item.kind == Content.Kind.POLL:
        replies = _("Vote")
    else:
        replies = ngettext("%(count)s comment", "%(count)s comments", count) % {"count": count}
    parts.append(
        format_html(
            '<p><a href="{}">{}</a></p>', absolute(reverse("content", args=[item.pk])), replies
        )
    )
    return "".join(parts)


class ContentFeed(Feed):
    """Django's syndication framework over a Subject already read through the policy."""

    item_guid_is_permalink = True

    def __init__(self, feed_type: FeedType) -> None:
        super().__init__()
        self.feed_type = feed_type

    def title(self, subject: Subject) -> str:
        return subject.title

    def description(self, subject: Subject) -> str:
        return subject.description

    def link(self, subject: Subject) -> str:
        return subject.link

    def feed_url(self, subject: Subject) -> str:
        return subject.feed_url

    def items(self, subject: Subject) -> list[Content]:
        return subject.items

    def item_title(self, item: Content) -> str:
        return item_title(item)

    def item_description(self, item: Content) -> str:
        return item_summary(item)

    def item_link(self, item: Content) -> str:
        return absolute(reverse("content", args=[item.pk]))

    def item_author_name(self, item: Content) -> str:
        return item.author.display_name

    def item_author_link(self, item: Content) -> str:
        return absolute(reverse("profile", args=[item.author_id]))

    def item_pubdate(self, item: Content) -> datetime:
        return item.created_at

    def item_updateddate(self, item: Content) -> datetime:
        return item.edited_at or item.created_at

    def item_categories(self, item: Content) -> list[str]:
        return [topic.name for topic in item.topics.all()]


def etag(holder: Holder, request: HttpRequest) -> str:
    """Changes with every write to rucher (the write generation), the key, the feed (its
    path) and the language; keyed with SECRET_KEY so it says nothing of what it covers."""
    value = ":".join(
        [
            RENDERING_VERSION,
            str(holder.token_id),
            str(holder.write_generation),
            request.path,
            get_language() or "",
        ]
    )
    return '"' + salted_hmac("rucher.feeds.etag", value).hexdigest()[:32] + '"'


def serve(
    request: HttpRequest,
    key: str,
    fmt: str,
    read: Callable[[Holder, HttpRequest], Subject],
) -> HttpResponseBase:
    """A feed, or a 304 when the reader already has it. Any key that does not open a feed
    (malformed, unknown, revoked, of a person inactive or gone) is a 404, as is anything the
    holder may not read: nothing can be probed."""
    feed_type = FORMATS.get(fmt)
    holder = lookup(key)
    if holder is None or feed_type is None:
        raise Http404(_("feed not found"))
    tag = etag(holder, request)
    # Whole seconds, as HTTP dates are (a fraction would never compare equal). Two writes in
    # one second share a date: readers sending If-None-Match (the ETag) tell them apart.
    modified = int(holder.written_at.timestamp()) if holder.written_at is not None else None
    headers = {"ETag": tag, "Cache-Control": "private, no-cache", "Referrer-Policy": "no-referrer"}
    if modified is not None:
        headers["Last-Modified"] = http_date(modified)
    not_modified = get_conditional_response(request, etag=tag, last_modified=modified)
    if not_modified is not None:
        for name, value in headers.items():
            not_modified[name] = value
        return not_modified
    try:
        subject = read(holder, request)
    except ActionError:  # a topic name that is not one: not found, as any other
        raise Http404(_("feed not found")) from None
    generated = ContentFeed(feed_type).get_feed(subject, request)
    response = HttpResponse(content_type=feed_type.content_type, headers=headers)
    response["X-Robots-Tag"] = "noindex"
    generated.write(response, "utf-8")
    return response


@require_safe
def home_feed(request: HttpRequest, key: str, fmt: str) -> HttpResponseBase:
    return serve(request, key, fmt, home_subject)


@require_safe
def space_feed(request: HttpRequest, key: str, slug: str, fmt: str) -> HttpResponseBase:
    return serve(request, key, fmt, lambda holder, req: space_subject(holder, req, slug))


@require_safe
def topic_feed(request: HttpRequest, key: str, name: str, fmt: str) -> HttpResponseBase:
    return serve(request, key, fmt, lambda holder, req: topic_subject(holder, req, name))
