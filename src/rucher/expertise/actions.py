"""What a question's asker does with the people suggested to answer it
(``expertise/requests.py``): mention them in one step."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rucher.conversations import actions as conversation_actions
from rucher.conversations.models import Content
from rucher.conversations.rendering import MENTION
from rucher.errors import Conflict, Forbidden, Invalid
from rucher.expertise.requests import suggested_for
from rucher.people.models import Person


def not_yet_mentioned(question: Content, people: list[Person]) -> list[Person]:
    """Those of ``people`` the question does not mention yet (one query; none without
    people)."""
    if not people:
        return []
    already = set(
        question.mentions.filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    )
    return [p for p in people if p.pk not in already]


@transaction.atomic
def mention_suggested(asker: Person, question: Content) -> list[Person]:
    """Mention the people suggested for the asker's question: ``cc @a @b`` is added at the
    end of the question. Through ``conversations.actions.edit``, the one door for changing
    content: its checks (the author only, the length, sensitive data) hold, the earlier text
    stays in the question's history, and the newly mentioned are told as for any mention.
    Returns those mentioned; clicking twice mentions nobody twice."""
    if question.author_id != asker.pk:
        raise Forbidden(_("only the person who asked can mention the people suggested"))
    if question.kind != Content.Kind.QUESTION:
        raise Invalid(_("people are suggested for questions only"))
    # Locked: two clicks at once must not both find the people not yet mentioned.
    question = Content.objects.select_for_update().get(pk=question.pk)
    suggested = suggested_for(asker, question)
    if not suggested:
        raise Conflict(_("nobody is suggested for this question yet"))
    # A username that the mention syntax cannot write (Django allows "@" and "+" in one)
    # cannot be mentioned.
    new = [p for p in not_yet_mentioned(question, suggested) if MENTION.fullmatch(f"@{p.username}")]
    if not new:
        raise Conflict(_("the people suggested are already mentioned in the question"))
    text = question.text.rstrip() + "\n\ncc " + " ".join(f"@{p.username}" for p in new)
    conversation_actions.edit(asker, question, text)
    return new
