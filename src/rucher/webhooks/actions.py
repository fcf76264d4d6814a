"""Writing the organisation's webhook settings: administrators only, each write an action
with its event (the audit trail wants who registered, changed, removed an endpoint, rotated
its secret or sent a delivery by hand).

The secret is made here and returned once (by ``create_endpoint`` and ``rotate_secret``); the
pages and the API never show it again. Replays and test pings queue their send task in the
action's own transaction (the queue is a table of the same database): it runs in the worker
once the transaction commits, never in the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher import text
from rucher.activity.actions import record
from rucher.errors import Conflict, Invalid
from rucher.people.models import Person
from rucher.webhooks import addresses, events, payloads, sending, signing
from rucher.webhooks.models import Delivery, Endpoint
from rucher.webhooks.queries import get_delivery, get_endpoint, require_administrator

MAX_DESCRIPTION_LENGTH = 200
PREVIOUS_SECRET_DAYS = 1  # the old secret still signs for a day after a rotation


def _event_types(value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise Invalid(_("choose the events as a list"))
    chosen = list(value)
    available = {t.code for t in events.AVAILABLE}
    for code in chosen:
        if not isinstance(code, str) or code not in available:
            raise Invalid(
                _("unknown event type %(code)s (one of: %(choices)s)")
                % {"code": str(code)[:40], "choices": ", ".join(sorted(available))}
            )
    if not chosen:
        raise Invalid(_("choose at least one event"))
    return [t.code for t in events.AVAILABLE if t.code in chosen]  # the list's order, once each


def _description(value: object) -> str:
    found = text.strip(text.require(value or "", _("description")))
    if len(found) > MAX_DESCRIPTION_LENGTH:
        raise Invalid(
            _("a description has at most %(limit)s characters") % {"limit": MAX_DESCRIPTION_LENGTH}
        )
    return found


def _url(value: object, allow_private_address: bool) -> str:
    url = text.require(value, _("address")).strip()
    addresses.check(url, allow_private_address)
    return url


@transaction.atomic
def create_endpoint(
    admin: Person,
    url: str,
    event_types: Iterable[str],
    *,
    description: str = "",
    active: bool = True,
    include_private_spaces: bool = False,
    include_confidential: bool = False,
    allow_private_address: bool = False,
) -> tuple[Endpoint, str]:
    """A new endpoint and its secret (returned once)."""
    require_administrator(admin)
    endpoint = Endpoint.objects.create(
        url=_url(url, bool(allow_private_address)),
        description=_description(description),
        event_types=_event_types(event_types),
        secret=signing.new_secret(),
        active=bool(active),
        include_private_spaces=bool(include_private_spaces),
        include_confidential=bool(include_confidential),
        allow_private_address=bool(allow_private_address),
        created_by=admin,
    )
    record(admin, "created_webhook", "webhook", endpoint.pk)
    return endpoint, endpoint.secret


UPDATABLE = (
    "url",
    "description",
    "event_types",
    "active",
    "include_private_spaces",
    "include_confidential",
    "allow_private_address",
)


@transaction.atomic
def update_endpoint(admin: Person, endpoint_id: int, **changes: Any) -> Endpoint:
    """Change some of an endpoint's settings (those given; None leaves one as it is)."""
    endpoint = get_endpoint(admin, endpoint_id)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise Invalid(_("unknown setting %(name)s") % {"name": sorted(unknown)[0]})
    given = {name: value for name, value in changes.items() if value is not None}
    before = (endpoint.url, endpoint.allow_private_address)
    for flag in ("active", "include_private_spaces", "include_confidential"):
        if flag in given:
            setattr(endpoint, flag, bool(given[flag]))
    if "allow_private_address" in given:
        endpoint.allow_private_address = bool(given["allow_private_address"])
    if "description" in given:
        endpoint.description = _description(given["description"])
    if "event_types" in given:
        endpoint.event_types = _event_types(given["event_types"])
    url = text.require(given.get("url", endpoint.url), _("address")).strip()
    # The address is checked again when it or the private-address permission changes (not
    # otherwise: an endpoint whose host is down or gone can still be switched off).
    if (url, endpoint.allow_private_address) != before:
        endpoint.url = _url(url, endpoint.allow_private_address)
    endpoint.save()
    record(admin, "changed_webhook", "webhook", endpoint.pk)
    return endpoint


@transaction.atomic
def delete_endpoint(admin: Person, endpoint_id: int) -> None:
    """Remove an endpoint and its delivery log (queued attempts then find nothing to send)."""
    endpoint = get_endpoint(admin, endpoint_id)
    pk = endpoint.pk
    endpoint.delete()
    record(admin, "deleted_webhook", "webhook", pk)


@transaction.atomic
def rotate_secret(admin: Person, endpoint_id: int) -> tuple[Endpoint, str]:
    """A new secret (returned once); the previous one also signs for a day."""
    endpoint = get_endpoint(admin, endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(days=PREVIOUS_SECRET_DAYS)
    endpoint.secret = signing.new_secret()
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    record(admin, "rotated_webhook_secret", "webhook", endpoint.pk)
    return endpoint, endpoint.secret


@transaction.atomic
def replay_delivery(admin: Person, delivery_id: int) -> Delivery:
    """Send a delivery again now, with the same body and delivery id, and a fresh round of
    retries if it fails."""
    delivery = get_delivery(admin, delivery_id)
    if delivery.status == Delivery.Status.PENDING:
        raise Conflict(_("this delivery is waiting for its first attempt"))
    if not delivery.endpoint.active:
        raise Conflict(_("switch the endpoint on before replaying its deliveries"))
    delivery.status = Delivery.Status.PENDING
    delivery.round_start = delivery.attempt_count
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "round_start", "next_attempt_at", "updated_at"])
    sending.enqueue(delivery.pk, delivery.attempt_count + 1)
    record(admin, "sent_webhook", "webhook_delivery", delivery.pk)
    return delivery


@transaction.atomic
def send_ping(admin: Person, endpoint_id: int) -> Delivery:
    """A test delivery (``ping``) sent once, now, to check the address and the signature."""
    endpoint = get_endpoint(admin, endpoint_id)
    now = timezone.now()
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event_id=None,
        event_type=events.PING,
        payload=payloads.envelope(
            events.PING,
            None,
            now.isoformat(),
            {"endpoint_id": endpoint.pk, "sent_by": payloads.person_out(admin)},
        ),
        next_attempt_at=now,
    )
    sending.enqueue(delivery.pk, 1)
    record(admin, "sent_webhook", "webhook_delivery", delivery.pk)
    return delivery
