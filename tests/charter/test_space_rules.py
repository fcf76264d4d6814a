"""Space rules: written by the space's managers, shown above the composer, sanitised."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.charter import actions
from rucher.charter.models import SpaceRules
from rucher.errors import Forbidden, Invalid, NotFound

pytestmark = pytest.mark.django_db


def test_rules_are_written_replaced_and_removed_with_one_event_each(world: dict[str, Any]) -> None:
    alice, space = world["alice"], world["open"]
    actions.set_space_rules(alice, space, "Restez courtois.", "")
    actions.set_space_rules(alice, space, "Restez courtois.", "Be kind.")
    assert SpaceRules.objects.get(space=space).text_for("en") == "Be kind."
    assert actions.set_space_rules(alice, space, "", " ") is None
    assert not SpaceRules.objects.exists()
    assert Event.objects.filter(verb="changed_space_rules").count() == 3


def test_bad_rules(world: dict[str, Any], make_space: Any) -> None:
    alice, bob, space = world["alice"], world["bob"], world["open"]
    with pytest.raises(Invalid):
        actions.set_space_rules(alice, space, "x" * (actions.RULES_MAX_LENGTH + 1), "")
    with pytest.raises(Invalid):  # nothing to remove
        actions.set_space_rules(alice, space, "", "")
    with pytest.raises(Forbidden):  # a plain member
        actions.set_space_rules(bob, space, "Mes règles", "")
    # A manager of another space is not a manager of this one.
    theirs = make_space(bob, "Chez Bob")
    with pytest.raises(Forbidden):
        actions.set_space_rules(bob, world["private"], "Règles", "")
    actions.set_space_rules(bob, theirs, "Règles", "")
    with pytest.raises(NotFound):  # a secret space bob does not know
        actions.set_space_rules(bob, world["secret"], "Règles", "")
    assert list(SpaceRules.objects.values_list("space_id", flat=True)) == [theirs.pk]


def test_rules_shown_above_the_composer_sanitised_in_the_readers_language(
    world: dict[str, Any], client_for: Any
) -> None:
    actions.set_space_rules(
        world["alice"], world["open"], "Soyez **brefs**. <script>x()</script>", "Be **brief**."
    )
    bob = client_for(world["bob"])
    fr = bob.get(f"/spaces/{world['open'].slug}/", headers={"Accept-Language": "fr"})
    page = fr.content.decode()
    assert "<strong>brefs</strong>" in page and "<script>x()" not in page
    assert page.index("space-rules") < page.index('id="composer"')
    en = bob.get(f"/spaces/{world['open'].slug}/", headers={"Accept-Language": "en"})
    assert "<strong>brief</strong>" in en.content.decode()


def test_rules_page_form_errors(world: dict[str, Any], client_for: Any) -> None:
    alice = client_for(world["alice"])
    url = f"/spaces/{world['open'].slug}/rules/"
    too_long = alice.post(url, {"text_fr": "x" * (actions.RULES_MAX_LENGTH + 1), "text_en": ""})
    assert too_long.status_code == 422 and not SpaceRules.objects.exists()
    empty = alice.post(url, {"text_fr": "", "text_en": ""})
    assert empty.status_code == 422
    assert alice.post(url, {"text_fr": "Règles", "text_en": "Rules"}).status_code == 302
    assert "Règles" in alice.get(url).content.decode()
