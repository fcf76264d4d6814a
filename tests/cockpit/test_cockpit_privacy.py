"""Privacy by design: names only where allowed, no figures about groups under 5."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _influence_section(page: str) -> str:
    start = page.index('id="influence"')
    return page[start : page.index("</section>", start)]


def test_only_people_who_allow_it_are_named_in_influence(
    org: dict[str, Any], client_for: Any
) -> None:
    page = client_for(org["cm"]).get("/cockpit/contributors/?context=topic:jardin").content.decode()
    section = _influence_section(page)
    allowed, hidden = org["sales"][0], org["sales"][1]
    assert allowed.show_influence and not hidden.show_influence
    assert allowed.display_name in section
    assert "a member" in section
    for person in org["sales"][1:] + org["legal"]:
        assert person.display_name not in section, person.username


def test_influence_csv_does_not_name_people_who_refused(
    org: dict[str, Any], client_for: Any
) -> None:
    response = client_for(org["cm"]).get("/cockpit/contributors/?csv=influence:all")
    assert response.status_code == 200
    text = response.content.decode()
    assert org["sales"][0].display_name in text
    assert org["sales"][2].display_name not in text


def test_a_group_under_five_shows_not_enough_data(org: dict[str, Any], client_for: Any) -> None:
    page = client_for(org["cm"]).get("/cockpit/engagement/").content.decode()
    start = page.index('id="profiles"')
    section = page[start : page.index("</section>", start)]
    row = re.search(r"department: Juridique.*?</tr>", section, re.S)
    assert row is not None
    assert "not enough data (n = 3 &lt; 5)" in row.group(0)
    assert re.search(r"<td>\d+</td>", row.group(0).split("</td>", 2)[-1]) is None


def test_profiles_page_of_a_small_department_shows_no_counts(
    org: dict[str, Any], client_for: Any
) -> None:
    department = org["legal"][0].department_id
    page = (
        client_for(org["cm"]).get(f"/cockpit/departments/{department}/engagement/").content.decode()
    )
    start = page.index('id="profiles"')
    section = page[start : page.index("</section>", start)]
    assert "not enough data" in section


def test_the_overview_csv_leaves_confidential_spaces_out(
    world: dict[str, Any], client_for: Any
) -> None:
    """The space page refuses CSV exports of a confidential space; the overview's CSV does not
    list it either, even for a manager who reads it."""
    from rucher.conversations import actions
    from rucher.spaces import actions as space_actions

    alice, carol, cm = world["alice"], world["carol"], world["cm"]
    space_actions.invite(alice, world["confidential"], cm)
    space_actions.join_space(cm, world["confidential"])
    for i in range(6):
        actions.publish(carol, world["confidential"], f"Question {i} ?", kind="question")
    export = client_for(cm).get("/cockpit/engagement/?csv=profiles")
    assert export.status_code == 200
    assert "Confidentiel" not in export.content.decode()
