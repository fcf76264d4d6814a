"""/api/v1/webhooks/…: the organisation's outgoing webhooks (administrators only; anyone else
signed in gets 403). Endpoints, their secret (shown once, when made or rotated), the delivery
log (cursor-paginated, newest first), replays and test pings. docs/webhooks.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from rucher.api.auth import caller
from rucher.api.schemas import ErrorOut, ObjectBody, Text
from rucher.webhooks import actions, events, payloads, queries
from rucher.webhooks.models import Attempt, Delivery, Endpoint

router = Router(tags=["webhooks"])

EventCode = Literal[
    "post.created",
    "comment.created",
    "question.answered",
    "answer.accepted",
    "member.joined",
    "flag.raised",
]
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class EventTypeOut(Schema):
    code: str
    label: str
    available: bool


class EndpointIn(Schema):
    url: Text = Field(..., max_length=2000, examples=["https://si.example.com/rucher"])
    event_types: list[EventCode] = Field(..., min_length=1)
    description: Text = Field("", max_length=200)
    active: StrictBool = True
    include_private_spaces: StrictBool = Field(
        False, description="also private, secret and partner-shared spaces"
    )
    include_confidential: StrictBool = Field(False, description="also confidential spaces")
    allow_private_address: StrictBool = Field(
        False, description="the address may be on a private network (10.x, 192.168.x, …)"
    )


class EndpointPatch(ObjectBody):
    url: Text | None = Field(None, max_length=2000)
    event_types: list[EventCode] | None = Field(None, min_length=1)
    description: Text | None = Field(None, max_length=200)
    active: StrictBool | None = None
    include_private_spaces: StrictBool | None = None
    include_confidential: StrictBool | None = None
    allow_private_address: StrictBool | None = None


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    active: bool
    include_private_spaces: bool
    include_confidential: bool
    allow_private_address: bool
    secret_hint: str = Field(description="the secret's first characters (it is shown once)")
    created_at: datetime
    updated_at: datetime


class EndpointCreatedOut(EndpointOut):
    secret: str = Field(description="shown this once: keep it in the receiver")


class AttemptOut(Schema):
    number: int
    at: datetime
    succeeded: bool
    response_status: int | None
    latency_ms: int | None
    response_excerpt: str
    error: str


class DeliveryOut(Schema):
    id: int
    delivery_id: UUID
    endpoint_id: int
    event_id: int | None
    event_type: str
    status: Literal["pending", "succeeded", "failed", "gave_up"]
    attempt_count: int
    next_attempt_at: datetime | None
    response_status: int | None
    latency_ms: int | None
    response_excerpt: str
    error: str
    created_at: datetime
    updated_at: datetime


class DeliveryDetailOut(DeliveryOut):
    payload: dict[str, Any]
    attempts: list[AttemptOut]


class DeliveryPageOut(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class DeliveryQuery(Schema):
    cursor: Text | None = None
    limit: int | None = None
    status: Literal["pending", "succeeded", "failed", "gave_up"] | None = None


ENDPOINT_FIELDS = (
    "url",
    "description",
    "event_types",
    "active",
    "include_private_spaces",
    "include_confidential",
    "allow_private_address",
    "secret_hint",
    "created_at",
    "updated_at",
)
# What an attempt answered (the delivery keeps its last attempt's).
RESULT_FIELDS = ("response_status", "latency_ms", "response_excerpt", "error")
DELIVERY_FIELDS = (
    "endpoint_id",
    "event_id",
    "event_type",
    "status",
    "attempt_count",
    "next_attempt_at",
    *RESULT_FIELDS,
    "created_at",
    "updated_at",
)


def _fields(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def endpoint_out(endpoint: Endpoint) -> dict[str, Any]:
    return {"id": endpoint.pk, **_fields(endpoint, ENDPOINT_FIELDS)}


def delivery_out(delivery: Delivery) -> dict[str, Any]:
    return {"id": delivery.pk, "delivery_id": delivery.uuid, **_fields(delivery, DELIVERY_FIELDS)}


def attempt_out(attempt: Attempt) -> dict[str, Any]:
    return _fields(attempt, ("number", "at", "succeeded", *RESULT_FIELDS))


@router.get(
    "/webhooks/event-types",
    response={200: list[EventTypeOut], 403: ErrorOut},
    summary="The event types an endpoint can subscribe to",
)
def event_types(request: HttpRequest) -> list[dict[str, Any]]:
    queries.require_administrator(caller(request))
    return [
        {"code": t.code, "label": str(t.label), "available": t.available}
        for t in events.EVENT_TYPES
    ]


@router.get(
    "/webhooks/schema",
    response={200: dict[str, Any], 403: ErrorOut},
    summary="The JSON Schema of every webhook payload",
)
def payload_schema(request: HttpRequest) -> dict[str, Any]:
    queries.require_administrator(caller(request))
    return payloads.json_schema()


@router.get(
    "/webhooks/endpoints",
    response={200: list[EndpointOut], 403: ErrorOut},
    summary="The organisation's webhook endpoints",
)
def list_endpoints(request: HttpRequest) -> list[dict[str, Any]]:
    return [endpoint_out(e) for e in queries.endpoints(caller(request))]


@router.post(
    "/webhooks/endpoints",
    response={201: EndpointCreatedOut, **ERRORS},
    summary="Register an endpoint (its secret is in this answer only)",
)
def create_endpoint(request: HttpRequest, payload: EndpointIn) -> Status[Any]:
    endpoint, secret = actions.create_endpoint(
        caller(request),
        payload.url,
        payload.event_types,
        description=payload.description,
        active=payload.active,
        include_private_spaces=payload.include_private_spaces,
        include_confidential=payload.include_confidential,
        allow_private_address=payload.allow_private_address,
    )
    return Status(201, {**endpoint_out(endpoint), "secret": secret})


@router.get(
    "/webhooks/endpoints/{endpoint_id}",
    response={200: EndpointOut, **ERRORS},
    summary="One endpoint",
)
def get_endpoint(request: HttpRequest, endpoint_id: int) -> dict[str, Any]:
    return endpoint_out(queries.get_endpoint(caller(request), endpoint_id))


@router.patch(
    "/webhooks/endpoints/{endpoint_id}",
    response={200: EndpointOut, **ERRORS},
    summary="Change an endpoint's settings (the fields given)",
)
def update_endpoint(request: HttpRequest, endpoint_id: int, payload: EndpointPatch) -> Any:
    changes = payload.model_dump(exclude_unset=True)
    return endpoint_out(actions.update_endpoint(caller(request), endpoint_id, **changes))


@router.delete(
    "/webhooks/endpoints/{endpoint_id}",
    response={204: None, **ERRORS},
    summary="Remove an endpoint and its delivery log",
)
def delete_endpoint(request: HttpRequest, endpoint_id: int) -> Status[Any]:
    actions.delete_endpoint(caller(request), endpoint_id)
    return Status(204, None)


@router.post(
    "/webhooks/endpoints/{endpoint_id}/rotate-secret",
    response={200: EndpointCreatedOut, **ERRORS},
    summary="A new secret (in this answer only); the previous one also signs for a day",
)
def rotate_secret(request: HttpRequest, endpoint_id: int) -> dict[str, Any]:
    endpoint, secret = actions.rotate_secret(caller(request), endpoint_id)
    return {**endpoint_out(endpoint), "secret": secret}


@router.post(
    "/webhooks/endpoints/{endpoint_id}/ping",
    response={202: DeliveryOut, **ERRORS},
    summary="Send a test ping (once, by the worker)",
)
def ping(request: HttpRequest, endpoint_id: int) -> Status[Any]:
    return Status(202, delivery_out(actions.send_ping(caller(request), endpoint_id)))


@router.get(
    "/webhooks/endpoints/{endpoint_id}/deliveries",
    response={200: DeliveryPageOut, **ERRORS},
    summary="An endpoint's delivery log, newest first",
)
def deliveries(
    request: HttpRequest, endpoint_id: int, params: Query[DeliveryQuery]
) -> dict[str, Any]:
    person = caller(request)
    endpoint = queries.get_endpoint(person, endpoint_id)
    rows, next_cursor = queries.deliveries_page(
        person, endpoint, params.cursor, params.limit, params.status
    )
    return {"items": [delivery_out(d) for d in rows], "next_cursor": next_cursor}


@router.get(
    "/webhooks/deliveries/{delivery_id}",
    response={200: DeliveryDetailOut, **ERRORS},
    summary="One delivery: its body and every attempt",
)
def get_delivery(request: HttpRequest, delivery_id: int) -> dict[str, Any]:
    delivery = queries.get_delivery(caller(request), delivery_id)
    return {
        **delivery_out(delivery),
        "payload": delivery.payload,
        "attempts": [attempt_out(a) for a in delivery.attempts.all()],
    }


@router.post(
    "/webhooks/deliveries/{delivery_id}/replay",
    response={202: DeliveryOut, **ERRORS},
    summary="Send a delivery again (same body and delivery id)",
)
def replay(request: HttpRequest, delivery_id: int) -> Status[Any]:
    return Status(202, delivery_out(actions.replay_delivery(caller(request), delivery_id)))
