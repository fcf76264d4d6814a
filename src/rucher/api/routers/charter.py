"""/api/v1/charter: the charter the caller accepts (members' or partner guests'), accepting
it, and publishing a new version (administrators). docs/charter.md."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Router, Schema, Status

from rucher.api.auth import caller
from rucher.api.schemas import ErrorOut, Id, Text
from rucher.charter import actions, queries
from rucher.charter.gate import audience_of
from rucher.charter.models import CharterVersion
from rucher.conversations.rendering import render

router = Router(tags=["charter"])

ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CharterOut(Schema):
    audience: str = Field(..., description="members or partners: whose charter this is")
    version: int | None = Field(None, description="null while no charter is published")
    language: str = Field("", description="the language of text (the caller's, or the other)")
    text: str = Field("", description="Markdown")
    html: str = Field("", description="the text rendered and sanitised")
    text_fr: str = ""
    text_en: str = ""
    published_at: datetime | None = None
    accepted_at: datetime | None = Field(None, description="when the caller accepted it")
    required: bool = Field(..., description="true until the caller accepts this version")


class AcceptIn(Schema):
    version: Id = Field(..., description="the number of the current version (GET /charter)")


class AcceptOut(Schema):
    version: int
    accepted_at: datetime


class VersionIn(Schema):
    audience: Literal["members", "partners"]
    text_fr: Text = Field("", max_length=actions.CHARTER_MAX_LENGTH)
    text_en: Text = Field("", max_length=actions.CHARTER_MAX_LENGTH)


def charter_out(version: CharterVersion | None, audience: str, accepted: datetime | None) -> dict:
    if version is None:
        return {"audience": audience, "required": False}
    language = get_language() or "en"
    text = version.text_for(language)
    shown = "fr" if text == version.text_fr and version.text_fr else "en"
    return {
        "audience": audience,
        "version": version.number,
        "language": shown,
        "text": text,
        "html": render(text).html,
        "text_fr": version.text_fr,
        "text_en": version.text_en,
        "published_at": version.published_at,
        "accepted_at": accepted,
        "required": accepted is None,
    }


@router.get("/charter", response=CharterOut, summary="The charter the caller accepts")
def read_charter(request: HttpRequest) -> dict:
    person = caller(request)
    version = queries.current_for(person)
    accepted = queries.acceptance(person, version)
    accepted_at = accepted.accepted_at if accepted is not None else None
    return charter_out(version, audience_of(person), accepted_at)


@router.post(
    "/charter/accept",
    response={201: AcceptOut, **ERRORS},
    summary="Accept the current version of the charter",
)
def accept(request: HttpRequest, body: AcceptIn) -> Status:
    row = actions.accept_charter(caller(request), body.version)
    return Status(201, {"version": body.version, "accepted_at": row.accepted_at})


@router.post(
    "/charter/versions",
    response={201: CharterOut, **ERRORS},
    summary="Publish a new version of a charter (administrators)",
)
def publish(request: HttpRequest, body: VersionIn) -> Status:
    person = caller(request)
    version = actions.publish_charter(person, body.audience, body.text_fr, body.text_en)
    return Status(201, charter_out(version, version.audience, None))
