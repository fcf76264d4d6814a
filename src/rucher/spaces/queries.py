"""Read paths of spaces beyond the policy: how lively a space is."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from rucher.activity.models import Event
from rucher.spaces.models import Space


def active_member_count(space: Space, days: int = 90) -> int:
    """Members who did something other than read in the space over the last ``days`` days."""
    since = timezone.now() - timedelta(days=days)
    return (
        Event.objects.filter(space_id=space.pk, at__gte=since)
        .exclude(verb__in=("viewed", "logged_in", "left_space"))
        .values("actor_id")
        .distinct()
        .count()
    )
