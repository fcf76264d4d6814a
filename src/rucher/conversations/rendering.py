"""Markdown to safe HTML, with @mentions, #topics and the [Tag] prefix picked out.

markdown-it-py (CommonMark, raw HTML disabled) renders; nh3 (the Ammonia sanitiser) then
keeps only an allow-list of tags and attributes, so script or HTML in a post is neutralised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

from rucher.conversations.topics import topic_key

MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_.-]{2,150})")
TOPIC = re.compile(r"(?<![\w#&/])#([^\W_][\w-]{1,49})", re.UNICODE)
TAG_PREFIX = re.compile(r"^\s*\[([^\[\]\n]{1,40})\]")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "hr",
    "del",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "th": {"align"}, "td": {"align"}}


@dataclass
class Rendered:
    html: str
    mentions: list[str] = field(default_factory=list)  # usernames, in order, unique
    topics: list[str] = field(default_factory=list)  # lower-case, unique
    tag_prefix: str = ""


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # "js-default" = CommonMark with raw HTML off; tables and strikethrough on.
    return MarkdownIt("js-default").enable(["table", "strikethrough"])


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def extract(text: str) -> tuple[list[str], list[str], str]:
    """Mentions, topics and the tag prefix of a text (code spans are ignored)."""
    plain = CODE.sub(" ", text)
    mentions = _unique(MENTION.findall(plain))
    topics = _unique([topic_key(t) for t in TOPIC.findall(plain)])
    prefix = TAG_PREFIX.match(text)
    return mentions, topics, (prefix.group(1).strip().lower() if prefix else "")


def render(text: str, known_usernames: set[str] | None = None) -> Rendered:
    """Render ``text``; only mentions of ``known_usernames`` become profile links."""
    mentions, topics, prefix = extract(text)
    known = known_usernames if known_usernames is not None else set(mentions)
    linked = _link_entities(text, known)
    html = nh3.clean(
        _markdown().render(linked),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Rendered(
        html=html, mentions=[m for m in mentions if m in known], topics=topics, tag_prefix=prefix
    )


def _link_entities(text: str, known: set[str]) -> str:
    """Turn @user and #topic into Markdown links, outside code spans."""
    out: list[str] = []
    last = 0
    for block in CODE.finditer(text):
        out.append(_link_plain(text[last : block.start()], known))
        out.append(block.group(0))
        last = block.end()
    out.append(_link_plain(text[last:], known))
    return "".join(out)


def _link_plain(text: str, known: set[str]) -> str:
    def mention(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"[@{name}](/people/@{name}/)" if name in known else match.group(0)

    def topic(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"[#{name}](/topics/{topic_key(name)}/)"

    return TOPIC.sub(topic, MENTION.sub(mention, text))
