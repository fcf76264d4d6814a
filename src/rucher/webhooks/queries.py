"""Reading the webhook settings and the delivery log: administrators only.

Webhooks are an organisation-level integration, so they are managed by administrators
(``Person.Kind.ADMIN``, the kind the read policy already treats as managing every non-secret
space), never by a space's owners or community managers. Anyone else signed in is refused with
a 403: the feature is no secret, only its settings are.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from rucher.errors import Forbidden, Invalid, NotFound
from rucher.paging import decode_cursor, encode_cursor, page_size
from rucher.people.models import Person
from rucher.webhooks.models import Attempt, Delivery, Endpoint


def can_manage_webhooks(person: Any) -> bool:
    return bool(
        getattr(person, "is_authenticated", False)
        and person.is_active
        and getattr(person, "kind", None) == Person.Kind.ADMIN
    )


def require_administrator(person: Any) -> None:
    if not can_manage_webhooks(person):
        raise Forbidden(_("only administrators manage webhooks"))


def endpoints(person: Any) -> QuerySet[Endpoint]:
    require_administrator(person)
    return Endpoint.objects.select_related("created_by").order_by("id")


def _id(value: object) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return 0
    return number if 0 < number < 2**63 else 0


def get_endpoint(person: Any, endpoint_id: object) -> Endpoint:
    require_administrator(person)
    found = Endpoint.objects.filter(pk=_id(endpoint_id)).first()
    if found is None:
        raise NotFound(_("webhook endpoint not found"))
    return found


def get_delivery(person: Any, delivery_id: object) -> Delivery:
    """A delivery with its endpoint and its attempts (oldest first)."""
    require_administrator(person)
    found = (
        Delivery.objects.select_related("endpoint")
        .prefetch_related(Prefetch("attempts", queryset=Attempt.objects.order_by("number")))
        .filter(pk=_id(delivery_id))
        .first()
    )
    if found is None:
        raise NotFound(_("webhook delivery not found"))
    return found


def deliveries_page(
    person: Any,
    endpoint: Endpoint,
    cursor: str | None = None,
    limit: int | None = None,
    status: str | None = None,
) -> tuple[list[Delivery], str | None]:
    """An endpoint's deliveries, newest first, by cursor on the id (never OFFSET): one query."""
    require_administrator(person)
    size = page_size(limit)
    rows = Delivery.objects.filter(endpoint=endpoint).order_by("-id")
    if status:
        if status not in Delivery.Status.values:
            raise Invalid(
                _("status must be one of %(choices)s")
                % {"choices": ", ".join(Delivery.Status.values)}
            )
        rows = rows.filter(status=status)
    if cursor:
        (last_id,) = decode_cursor(cursor, 1)
        rows = rows.filter(id__lt=last_id)
    found = list(rows[: size + 1])
    if len(found) <= size:
        return found, None
    found = found[:size]
    return found, encode_cursor([found[-1].pk])
