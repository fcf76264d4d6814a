"""Read paths of people: a person's own tokens."""

from __future__ import annotations

from django.utils import timezone

from rucher.people.models import AccessToken, Person


def active_tokens(person: Person) -> list[AccessToken]:
    return list(
        AccessToken.objects.filter(person_id=person.pk, revoked_at__isnull=True).exclude(
            expires_at__lte=timezone.now()
        )
    )
