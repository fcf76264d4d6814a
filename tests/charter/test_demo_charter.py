"""The demo organisation has a bilingual charter for members and one for partner guests;
every demo account accepted its own, and an account made afterwards is asked."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.charter.gate import CharterRequired
from rucher.charter.models import CharterAcceptance, CharterVersion
from rucher.conversations import actions
from rucher.people.models import Person
from rucher.spaces import permissions


@pytest.mark.django_db
def test_demo_accounts_accepted_and_a_new_account_is_asked(make_person: Any) -> None:
    from rucher.commands.demo import load_demo

    load_demo(11, people=60, items=600, progress=False)
    for audience in ("members", "partners"):
        version = CharterVersion.objects.get(audience=audience)
        assert version.text_fr.startswith("## ") and version.text_en.startswith("## ")
    for username in ("admin", "animatrice", "employe", "partenaire"):
        person = Person.objects.get(username=username)
        accepted = CharterAcceptance.objects.get(person=person).version
        assert accepted.audience == ("partners" if person.is_guest else "members")
        space = permissions.postable_spaces(person).first()
        assert space is not None
        actions.publish(person, space, "Bonjour à tous")  # the demo works as before
    newcomer = make_person(username="nouveau")
    space = (
        permissions.postable_spaces(Person.objects.get(username="employe"))
        .filter(visibility="open", kind="internal")
        .first()
    )
    assert space is not None
    from rucher.spaces.actions import join_space

    join_space(newcomer, space)
    with pytest.raises(CharterRequired):
        actions.publish(newcomer, space, "Bonjour")
