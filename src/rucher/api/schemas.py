"""Request and response shapes of /api/v1 (they are the OpenAPI document's schemas).

Responses are built as plain dicts by the ``*_out`` helpers next to each router, from rows
loaded with their relations in the same query, so the number of SQL queries per request does
not depend on how many rows are returned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, StrictBool, model_validator

from rucher import text


def _storable(value: str) -> str:
    reason = text.problem(value)
    if reason is not None:
        raise ValueError(reason)
    return value


# Every string the API takes, in a body, a query string or a path, is a ``Text``: a NUL byte
# or a lone surrogate is a 422 before any handler runs (rucher.text has the rules and why).
# Emptiness and limits are the actions' (rucher.text.clean), so the pages refuse the same.
Text = Annotated[str, AfterValidator(_storable)]


def _json_integer(value: object) -> object:
    if isinstance(value, bool | str | bytes):
        raise ValueError("expected a whole number")
    return value


# Ids and numbers in bodies are JSON integers, as the schema says: ``true`` is not 1 and
# ``"3"`` is not 3 (pydantic's lax mode takes both); ``3.0`` is 3 (JSON Schema's integer).
Id = Annotated[int, BeforeValidator(_json_integer)]


class ObjectBody(Schema):
    """A request body whose fields are all optional. Schemas read attributes
    (``from_attributes``), so without this check a JSON array or number would pass as an empty
    object and change nothing with a 200; it is a 422 instead."""

    @model_validator(mode="before")
    @classmethod
    def an_object(cls, data: object) -> object:
        # Ninja's own validator runs first and wraps the input in a DjangoGetter.
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError(_("the body must be a JSON object"))
        return data


class ErrorOut(Schema):
    detail: str


class FindingOut(Schema):
    kind: str = Field(..., description="iban, card, nir, credential, salary, email_list…")
    label: str = Field(..., description="what was found, in words (the caller's language)")
    start: int = Field(..., description="where in the text (a character offset)")
    end: int
    masked: str = Field(..., description="the passage, masked for display")


class SensitiveErrorOut(Schema):
    detail: str
    action: Literal["warn", "block"] = Field(
        ..., description='"warn": send again with "confirm_sensitive": true to publish'
    )
    findings: list[FindingOut]


class ValidationErrorOut(Schema):
    detail: str
    errors: list[dict[str, object]] = []


# Authentication -----------------------------------------------------------------------------
class TokenIn(Schema):
    username: Text = Field(..., min_length=1, max_length=150)
    password: Text = Field(..., min_length=1, max_length=4096)
    name: Text = Field("api", max_length=100)
    expires_in_days: Id | None = Field(
        90, ge=1, le=366, description="days until the token stops working; null: until revoked"
    )
    scopes: list[Literal["read", "write", "admin"]] = Field(
        ["read", "write"],
        min_length=1,
        description="read: GET requests; write: the others; admin: the administrators' "
        "endpoints (administrators only)",
    )


class TokenCreatedOut(Schema):
    id: int
    name: str
    token: str = Field(..., description="shown once; only its hash is stored")
    expires_at: datetime | None
    scopes: list[str]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    scopes: list[str]

    @staticmethod
    def resolve_scopes(token: object) -> list[str]:
        return str(getattr(token, "scopes", "")).split()


# People -------------------------------------------------------------------------------------
class PersonRef(Schema):
    id: int
    display_name: str


class PersonOut(Schema):
    id: int
    username: str
    display_name: str
    kind: str
    organisation: str | None
    department: str | None
    site: str | None
    job_title: str
    manager: PersonRef | None
    bio: str
    languages: list[str]
    skills: list[str]
    expertise: list[str]


class MeOut(PersonOut):
    is_guest: bool
    is_community_manager: bool


class PeoplePageOut(Schema):
    items: list[PersonOut]
    next_cursor: str | None


# Spaces -------------------------------------------------------------------------------------
class MembershipOut(Schema):
    role: str
    status: str


class SpaceRef(Schema):
    id: int
    name: str


class SpaceOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    kind: Literal["internal", "partner"]
    visibility: Literal["open", "private", "secret"]
    confidential: bool
    parent_id: int | None
    member_count: int
    my_membership: MembershipOut | None


class SpacesPageOut(Schema):
    items: list[SpaceOut]
    next_cursor: str | None


class SpaceIn(Schema):
    name: Text = Field(..., max_length=120)
    description: Text = Field("", max_length=2000)
    visibility: Literal["open", "private", "secret"] = "open"
    kind: Literal["internal", "partner"] = "internal"
    confidential: StrictBool = False
    parent_id: Id | None = None


# Conversations ------------------------------------------------------------------------------
class StreamItemOut(Schema):
    id: int
    kind: str
    author: PersonRef
    space: SpaceRef | None
    html: str
    created_at: datetime
    edited_at: datetime | None
    reaction_count: int
    reaction_counts: dict[str, int] = Field(
        default_factory=dict, description='per kind, e.g. {"like": 3}; kinds with none left out'
    )
    comment_count: int
    topics: list[str]
    my_reaction: str | None
    shared_from_id: int | None


class StreamPageOut(Schema):
    items: list[StreamItemOut]
    next_cursor: str | None


class ReplyOut(Schema):
    id: int
    kind: str
    parent_id: int | None
    author: PersonRef
    html: str
    created_at: datetime
    edited_at: datetime | None
    reaction_count: int
    reaction_counts: dict[str, int] = Field(
        default_factory=dict, description='per kind, e.g. {"like": 3}; kinds with none left out'
    )
    quoted_id: int | None
    accepted: bool
    my_reaction: str | None
    status: str = Field("published", description='"held_for_review": sensitive data, held')
    sensitive_findings: list[FindingOut] = Field(
        default_factory=list, description="what the sensitive-data check found when saved"
    )


class PollOptionOut(Schema):
    id: int
    label: str
    votes: int
    share: float


class PollOut(Schema):
    kind: Literal["choice", "nps"]
    question: str
    total: int
    options: list[PollOptionOut] = []
    nps: float | None = None
    margin: float | None = None
    enough_answers: bool | None = None
    my_vote: bool


class ContentOut(Schema):
    id: int
    kind: str
    status: str = Field(..., description='published, or "held_for_review" (sensitive data)')
    sensitive_findings: list[FindingOut] = Field(
        default_factory=list, description="what the sensitive-data check found when saved"
    )
    author: PersonRef
    space: SpaceRef | None
    parent_id: int | None
    root_id: int | None
    text: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    reaction_count: int
    reaction_counts: dict[str, int] = Field(
        default_factory=dict, description='per kind, e.g. {"like": 3}; kinds with none left out'
    )
    comment_count: int
    topics: list[str]
    accepted: bool
    my_reaction: str | None


class ContentDetailOut(ContentOut):
    thread: list[ReplyOut]
    poll: PollOut | None


class PostIn(Schema):
    space_id: Id | None = Field(None, description="null: a post on your own profile")
    text: Text
    kind: Literal["post", "question"] = "post"
    confirm_sensitive: bool = Field(
        False, description="publish despite the sensitive-data warning (422 with findings)"
    )


class CommentIn(Schema):
    text: Text
    quoted_id: Id | None = None
    confirm_sensitive: bool = Field(
        False, description="publish despite the sensitive-data warning (422 with findings)"
    )


class EditIn(Schema):
    text: Text
    confirm_sensitive: bool = Field(
        False, description="publish despite the sensitive-data warning (422 with findings)"
    )


class ReactionIn(Schema):
    kind: Literal["like", "celebrate", "support", "insightful", "curious"]


class ReactionOut(Schema):
    content_id: int
    kind: str
    reaction_count: int
    reaction_counts: dict[str, int] = Field(
        default_factory=dict, description='per kind, e.g. {"like": 3}; kinds with none left out'
    )


class PollIn(Schema):
    space_id: Id
    question: Text
    kind: Literal["choice", "nps"] = "choice"
    options: list[Text] = Field(default_factory=list, max_length=20)


class VoteIn(Schema):
    option_id: Id | None = None
    score: Id | None = Field(None, ge=0, le=10)


class VoteOut(Schema):
    poll_id: int
    option_id: int | None
    score: int | None


# Streams ------------------------------------------------------------------------------------
class TargetIn(Schema):
    target_type: Literal["person", "space", "topic"]
    target: Text | Id = Field(..., description="a person or space id, or a topic name")


class TargetOut(Schema):
    target_type: str
    target_id: int


class TagIn(Schema):
    tag: Text = Field(..., max_length=60, description="e.g. [Sport]")


class TagOut(Schema):
    tag: str
