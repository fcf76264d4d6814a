"""Questions: the asker (or a moderator) accepts an answer."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.conversations.actions.common import readable
from rucher.conversations.models import Content
from rucher.errors import Conflict, Forbidden, Invalid
from rucher.people.models import Person
from rucher.spaces import permissions

Kind = Content.Kind


@transaction.atomic
def accept_answer(person: Person, answer: Content) -> Content:
    answer = readable(person, answer)
    if answer.kind != Kind.ANSWER or answer.parent is None:
        raise Invalid(_("only an answer to a question can be accepted"))
    question = answer.parent
    if not permissions.can_accept_answer(person, question):
        raise Forbidden(_("only the person who asked can accept an answer"))
    if answer.accepted:
        raise Conflict(_("this answer is already accepted"))
    Content.objects.filter(parent=question, kind=Kind.ANSWER, accepted=True).update(accepted=False)
    answer.accepted = True
    answer.save(update_fields=["accepted"])
    record(
        person,
        "accepted_answer",
        Kind.ANSWER,
        answer.pk,
        space_id=answer.space_id,
        target_id=answer.author_id,
    )
    return answer
