"""Who may open the cockpit, and what a community manager sees of spaces they are not in."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.cockpit.data import Scope, compute_report, default_period
from rucher.cockpit.pages import PAGES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["alice", "bob", "gus"])
def test_employees_and_guests_get_404_everywhere(
    org: dict[str, Any], client_for: Any, who: str
) -> None:
    client = client_for(org[who])
    department = org["sales"][0].department_id
    for url in (
        "/cockpit/",
        f"/cockpit/spaces/{org['open'].pk}/",
        f"/cockpit/departments/{department}/",
        "/cockpit/?csv=kpis",
        *[f"/cockpit/{page.slug}/" for page in PAGES],
        *[f"/cockpit/spaces/{org['open'].pk}/{page.slug}/" for page in PAGES],
        f"/cockpit/departments/{department}/silos/",
        "/cockpit/cadence/?csv=cadence",
    ):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_sign_in(org: dict[str, Any], client: Any) -> None:
    response = client.get("/cockpit/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["cm", "admin"])
def test_community_managers_and_admins_see_the_cockpit(
    org: dict[str, Any], client_for: Any, who: str
) -> None:
    client = client_for(org[who])
    response = client.get("/cockpit/")
    assert response.status_code == 200
    assert "This period at a glance" in response.content.decode()
    for page in PAGES:
        assert client.get(f"/cockpit/{page.slug}/").status_code == 200, page.slug
    assert client.get("/cockpit/nothing-here/").status_code == 404


def test_secret_space_page_is_404_for_a_manager_outside_it(
    org: dict[str, Any], client_for: Any
) -> None:
    secret = org["secret"]
    assert client_for(org["cm"]).get(f"/cockpit/spaces/{secret.pk}/").status_code == 404
    assert client_for(org["cm_secret"]).get(f"/cockpit/spaces/{secret.pk}/").status_code == 200


def test_secret_content_never_reaches_a_manager_outside_the_space(
    org: dict[str, Any], client_for: Any
) -> None:
    period = default_period()
    outside = compute_report(org["cm"], Scope("organisation"), period)
    inside = compute_report(org["cm_secret"], Scope("organisation"), period)
    assert inside["data"]["content"] == outside["data"]["content"] + 1
    page = client_for(org["cm"]).get("/cockpit/").content.decode()
    assert "projetsecret" not in page
    assert "Secret" not in page  # not even listed among the spaces


def test_private_space_the_manager_cannot_read_is_404(org: dict[str, Any], client_for: Any) -> None:
    assert client_for(org["cm"]).get(f"/cockpit/spaces/{org['private'].pk}/").status_code == 404


def test_plotly_is_served_from_the_package_with_long_cache(
    org: dict[str, Any], client: Any
) -> None:
    import plotly

    response = client.get(f"/cockpit/assets/plotly-{plotly.__version__}.min.js")
    assert response.status_code == 200
    assert "max-age=31536000" in response["Cache-Control"]
    assert b"plotly" in b"".join(response.streaming_content)[:2000].lower()
    assert client.get("/cockpit/assets/plotly-0.0.0.min.js").status_code == 404
