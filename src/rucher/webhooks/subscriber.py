"""The after-commit subscriber: an event of a verb behind an event type becomes one delivery
per active endpoint that subscribed to the type and may see where it happened.

Idempotent (``activity/subscribers.py``): a delivery is unique per (endpoint, event), so a
handler run again for the same event (a retry, a re-run after a lease) adds nothing; the rows
and their first send tasks are written in one transaction (the task queue is a table of the
same database), so a delivery never exists without its task.

Confidential content sent to an endpoint allowed to get it is recorded as a confidential read
(``spaces.confidential``, channel ``webhook``), under the administrator who registered the
endpoint: whatever leaves rucher from a confidential space is accounted for.
"""

from __future__ import annotations

from django.db import transaction

from rucher.activity.models import Event
from rucher.activity.subscribers import subscribe
from rucher.spaces.confidential import record_reads_by_id
from rucher.webhooks import events, payloads, sending
from rucher.webhooks.models import Delivery, Endpoint

SUBSCRIBER_NAME = "rucher.webhooks"


def on_event(event: Event) -> list[Delivery]:
    """Make and queue the deliveries of ``event``; returns those made now."""
    event_type = events.BY_VERB.get(event.verb)
    if event_type is None:
        return []
    # A handful of endpoints at most: filtered here rather than with a JSON lookup that
    # SQLite and PostgreSQL spell differently.
    active = Endpoint.objects.filter(active=True).select_related("created_by")
    endpoints = [e for e in active if event_type.code in e.event_types]
    if not endpoints:
        return []
    built = payloads.build(event_type.code, event)
    if built is None:
        return []
    space, data = built
    body = payloads.envelope(event_type.code, event.pk, event.at.isoformat(), data)
    made: list[Delivery] = []
    with transaction.atomic():
        done = set(
            Delivery.objects.filter(event_id=event.pk, endpoint__in=endpoints).values_list(
                "endpoint_id", flat=True
            )
        )
        for endpoint in endpoints:
            if endpoint.pk in done or not payloads.sees_space(endpoint, space):
                continue
            delivery = Delivery.objects.create(
                endpoint=endpoint, event_id=event.pk, event_type=event_type.code, payload=body
            )
            sending.enqueue(delivery.pk, 1)
            made.append(delivery)
            item = data.get("content") or data.get("answer")
            if space is not None and space.confidential and item and endpoint.created_by_id:
                # Confidential content leaving rucher is a read like any other, recorded
                # (channel "webhook") under the administrator who set the endpoint up.
                record_reads_by_id(
                    endpoint.created_by, [(space.pk, item["kind"], item["id"])], "webhook"
                )
    return made


subscribe(*events.BY_VERB, handler=on_event, name=SUBSCRIBER_NAME)
