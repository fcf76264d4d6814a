"""Feed keys are made and revoked by their holder: one event each, like API tokens
(``people/actions/tokens.py``), with the same verbs and the object type ``feed_key``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.errors import Invalid, NotFound
from rucher.feeds.keys import key_from_nonce, new_nonce
from rucher.feeds.models import FeedToken
from rucher.people.models import Person, hash_token

OBJECT_TYPE = "feed_key"


@transaction.atomic
def create_feed_key(person: Person) -> tuple[FeedToken, str]:
    """A new feed key for ``person``; the key they had stops working (its links with it).
    Returns the row and the key (the key is derived again when a page shows it)."""
    if not person.is_active or (person.left_at is not None and person.left_at <= timezone.now()):
        raise Invalid(_("inactive accounts cannot hold feed keys"))
    now = timezone.now()
    # Lock the person's row: two regenerations at once must not both pass the revoke.
    list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True))
    FeedToken.objects.filter(person_id=person.pk, revoked_at__isnull=True).update(revoked_at=now)
    nonce = new_nonce()
    key = key_from_nonce(nonce)
    token = FeedToken.objects.create(person=person, nonce=nonce, token_hash=hash_token(key))
    record(person, "created_token", OBJECT_TYPE, token.pk)
    return token, key


@transaction.atomic
def revoke_feed_key(person: Person) -> FeedToken:
    """Revoke the person's feed key: every feed URL they had stops working (a 404)."""
    token = (
        FeedToken.objects.select_for_update()
        .filter(person_id=person.pk, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        raise NotFound(_("you have no feed key to revoke"))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(person, "revoked_token", OBJECT_TYPE, token.pk)
    return token
