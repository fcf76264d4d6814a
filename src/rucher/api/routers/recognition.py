"""/api/v1/kudos and /api/v1/badges: giving kudos, the kudos a person received or a space
shows, the organisation's kudos list; a person's badges (with why each was earned), the
badge rules, hiding one's badges. Read through the policy (``recognition/queries.py``);
written through ``recognition/actions.py``. docs/recognition.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from rucher.api.auth import caller
from rucher.api.schemas import ErrorOut, Id, Text
from rucher.errors import Forbidden, Invalid, NotFound
from rucher.recognition import actions, queries
from rucher.recognition.models import (
    BADGE_NAME_MAX,
    KUDOS_MESSAGE_MAX,
    LABEL_MAX,
    BadgeRule,
    Kudos,
    KudosKind,
)
from rucher.spaces import permissions

router = Router(tags=["recognition"])

ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class KindOut(Schema):
    id: int
    slug: str
    label: str = Field(..., description="in the caller's language")
    label_fr: str
    label_en: str
    symbol: str
    active: bool


class KudosPersonRef(Schema):
    id: int
    username: str
    display_name: str


class KudosSpaceRef(Schema):
    id: int
    slug: str
    name: str


class KudosOut(Schema):
    id: int
    giver: KudosPersonRef
    recipient: KudosPersonRef
    kind: str = Field(..., description="the kind's slug")
    label: str
    message: str
    space: KudosSpaceRef | None = None
    created_at: datetime


class KudosIn(Schema):
    recipient_id: Id
    kind: Text = Field(..., description="a slug of GET /kudos/kinds", max_length=40)
    message: Text = Field(..., description=f"1–{KUDOS_MESSAGE_MAX} characters")
    space_id: Id | None = Field(None, description="also show it in this space")


class KindIn(Schema):
    label_fr: Text = Field(..., max_length=LABEL_MAX)
    label_en: Text = Field(..., max_length=LABEL_MAX)
    symbol: Text = ""
    active: bool = True


class KudosFilters(Schema):
    recipient: int | None = Field(None, description="the kudos a person received")
    space: int | None = Field(None, description="the kudos shown in a space")
    limit: int = Field(queries.PROFILE_KUDOS, ge=1, le=queries.MAX_LIST)


class BadgeOut(Schema):
    slug: str
    name: str
    symbol: str
    awarded_at: datetime
    count: int
    why: str = Field(..., description="when and what earned it, in the caller's language")


class RuleOut(Schema):
    id: int
    slug: str
    behaviour: str
    threshold: Id
    name: str
    name_fr: str
    name_en: str
    symbol: str
    enabled: bool


class RuleIn(Schema):
    behaviour: Text
    threshold: Id
    name_fr: Text = Field(..., max_length=BADGE_NAME_MAX)
    name_en: Text = Field(..., max_length=BADGE_NAME_MAX)
    symbol: Text = ""
    enabled: bool = True


class VisibilityIn(Schema):
    hidden: bool


class VisibilityOut(Schema):
    hidden: bool


def _person(person: Any) -> dict[str, Any]:
    return {"id": person.pk, "username": person.username, "display_name": person.display_name}


def kudos_out(kudos: Kudos) -> dict[str, Any]:
    space = kudos.space
    return {
        "id": kudos.pk,
        "giver": _person(kudos.giver),
        "recipient": _person(kudos.recipient),
        "kind": kudos.kind.slug,
        "label": getattr(kudos, "label", kudos.kind.label_en),
        "message": kudos.message,
        "space": {"id": space.pk, "slug": space.slug, "name": space.name} if space else None,
        "created_at": kudos.created_at,
    }


def kind_out(kind: KudosKind) -> dict[str, Any]:
    return {
        "id": kind.pk,
        "slug": kind.slug,
        "label": getattr(kind, "label", kind.label_en),
        "label_fr": kind.label_fr,
        "label_en": kind.label_en,
        "symbol": kind.symbol,
        "active": kind.active,
    }


def rule_out(rule: BadgeRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "slug": rule.slug,
        "behaviour": rule.behaviour,
        "threshold": rule.threshold,
        "name": getattr(rule, "name", rule.name_en),
        "name_fr": rule.name_fr,
        "name_en": rule.name_en,
        "symbol": rule.symbol,
        "enabled": rule.enabled,
    }


def _manager(person: Any) -> None:
    """Partner guests do not know the managers' endpoints exist (404); other members may
    not use them (403)."""
    if person.is_guest:
        raise NotFound(_("page not found"))
    if not permissions.can_manage_recognition(person):
        raise Forbidden(_("only community managers and administrators manage recognition"))


@router.get(
    "/kudos", response={200: list[KudosOut], **ERRORS}, summary="Kudos of a person or a space"
)
def list_kudos(request: HttpRequest, filters: Query[KudosFilters]) -> list[dict[str, Any]]:
    person = caller(request)
    if (filters.recipient is None) == (filters.space is None):
        raise Invalid(_("give either recipient or space"))
    if filters.recipient is not None:
        other = permissions.get_visible_person(person, filters.recipient)
        found = queries.received(person, other, filters.limit)
    else:
        assert filters.space is not None
        space = permissions.get_visible_space(person, filters.space)
        if not permissions.can_read_space(person, space):
            raise Forbidden(_("join this space to read its conversations"))
        found = queries.in_space(person, space, filters.limit)
    return [kudos_out(k) for k in found]


@router.post("/kudos", response={201: KudosOut, **ERRORS}, summary="Give kudos to a person")
def give(request: HttpRequest, body: KudosIn) -> Status:
    kudos = actions.give_kudos(
        caller(request), body.recipient_id, body.kind, body.message, space_id=body.space_id
    )
    kudos.label = kudos.kind.label_for(get_language() or "fr")  # type: ignore[attr-defined]
    return Status(201, kudos_out(kudos))


@router.get("/kudos/kinds", response=list[KindOut], summary="The organisation's kudos list")
def list_kinds(request: HttpRequest) -> list[dict[str, Any]]:
    person = caller(request)
    everything = permissions.can_manage_recognition(person)
    return [kind_out(k) for k in queries.kinds(active_only=not everything)]


@router.post(
    "/kudos/kinds", response={201: KindOut, **ERRORS}, summary="Add a kind of kudos (managers)"
)
def add_kind(request: HttpRequest, body: KindIn) -> Status:
    _manager(caller(request))
    kind = actions.save_kudos_kind(
        caller(request),
        label_fr=body.label_fr,
        label_en=body.label_en,
        symbol=body.symbol,
        active=body.active,
    )
    return Status(201, kind_out(kind))


@router.put(
    "/kudos/kinds/{kind_id}",
    response={200: KindOut, **ERRORS},
    summary="Rename, switch off or on a kind of kudos (managers)",
)
def change_kind(request: HttpRequest, kind_id: int, body: KindIn) -> dict[str, Any]:
    _manager(caller(request))
    kind = actions.save_kudos_kind(
        caller(request),
        kind_id=kind_id,
        label_fr=body.label_fr,
        label_en=body.label_en,
        symbol=body.symbol,
        active=body.active,
    )
    return kind_out(kind)


@router.get(
    "/badges",
    response={200: list[BadgeOut], **ERRORS},
    summary="A person's badges, with why each was earned",
)
def list_badges(request: HttpRequest, person: int) -> list[dict[str, Any]]:
    viewer = caller(request)
    other = permissions.get_visible_person(viewer, person)
    return [
        {
            "slug": b.slug,
            "name": b.name,
            "symbol": b.symbol,
            "awarded_at": b.awarded_at,
            "count": b.award.count,
            "why": b.why,
        }
        for b in queries.badges(viewer, other)
    ]


@router.put(
    "/badges/visibility",
    response={200: VisibilityOut, **ERRORS},
    summary="Hide my badges from everyone but me, or show them",
)
def badge_visibility(request: HttpRequest, body: VisibilityIn) -> dict[str, bool]:
    choice = actions.set_badges_hidden(caller(request), body.hidden)
    return {"hidden": choice.hide_badges}


@router.get(
    "/badges/rules", response={200: list[RuleOut], **ERRORS}, summary="The badge rules (managers)"
)
def list_rules(request: HttpRequest) -> list[dict[str, Any]]:
    _manager(caller(request))
    return [rule_out(r) for r in queries.rules()]


@router.post(
    "/badges/rules", response={201: RuleOut, **ERRORS}, summary="Add a badge rule (managers)"
)
def add_rule(request: HttpRequest, body: RuleIn) -> Status:
    _manager(caller(request))
    rule = actions.save_badge_rule(
        caller(request),
        behaviour=body.behaviour,
        threshold=body.threshold,
        name_fr=body.name_fr,
        name_en=body.name_en,
        symbol=body.symbol,
        enabled=body.enabled,
    )
    return Status(201, rule_out(rule))


@router.put(
    "/badges/rules/{rule_id}",
    response={200: RuleOut, **ERRORS},
    summary="Change, switch off or on a badge rule (managers)",
)
def change_rule(request: HttpRequest, rule_id: int, body: RuleIn) -> dict[str, Any]:
    _manager(caller(request))
    rule = actions.save_badge_rule(
        caller(request),
        rule_id=rule_id,
        behaviour=body.behaviour,
        threshold=body.threshold,
        name_fr=body.name_fr,
        name_en=body.name_en,
        symbol=body.symbol,
        enabled=body.enabled,
    )
    return rule_out(rule)
