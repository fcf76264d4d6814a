"""What the webhook log may forget (the worker's daily housekeeping, ``rucher prune``):
deliveries that ended (delivered, or given up) more than ``RUCHER_KEEP_WEBHOOK_DELIVERIES_DAYS``
ago, with their attempts. Waiting and retrying deliveries are kept whatever their age."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from rucher.activity.pruning import in_batches
from rucher.webhooks.models import Delivery


def prune(now: datetime) -> dict[str, int]:
    before = now - timedelta(days=settings.RUCHER_KEEP_WEBHOOK_DELIVERIES_DAYS)
    ended = Delivery.objects.filter(
        status__in=(Delivery.Status.SUCCEEDED, Delivery.Status.GAVE_UP), updated_at__lt=before
    )
    return {"webhook deliveries": sum(in_batches(ended))}
