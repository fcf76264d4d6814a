"""Every cockpit page renders on a small organisation; periods, CSV exports and the cache."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.cache import cache

from rucher.cockpit.data import Scope, compute_report, default_period
from rucher.conversations.actions import publish
from rucher.people.models import Organisation

pytestmark = pytest.mark.django_db

PANELS = (
    "Engagement",
    "Participation inequality",
    "Influence per topic",
    "Promoters and detractors",
    "Motivation profiles",
    "Silos between departments",
    "Health alerts",
    "to-do list",
)


def _pages(org: dict[str, Any]) -> list[str]:
    partner = Organisation.objects.get(name="Partenaire SA")
    return [
        "/cockpit/",
        f"/cockpit/spaces/{org['open'].pk}/",
        f"/cockpit/departments/{org['sales'][0].department_id}/",
        f"/cockpit/partners/{partner.pk}/",
    ]


def test_every_page_renders_every_panel_with_its_method(
    org: dict[str, Any], client_for: Any
) -> None:
    client = client_for(org["cm"])
    for url in _pages(org):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for title in PANELS:
            assert title in page, (url, title)
        # Every panel says how its figures were computed, or that there is not enough data.
        for section in page.split('<section class="card cockpit-panel"')[1:]:
            section = section.split("</section>")[0]
            assert '<details class="how">' in section or "not enough data" in section, url
        assert page.count('<details class="how">') >= 5, url
        assert "plotly-" in page and "cdn" not in page.lower()
        assert 'class="about"' in page  # the sentence on what it shows about people


def test_figures_show_the_engine_numbers(org: dict[str, Any], client_for: Any) -> None:
    page = client_for(org["cm"]).get("/cockpit/").content.decode()
    assert page.count('class="plotly-figure"') >= 4  # trend, Lorenz, profiles, heatmap
    assert "Lorenz curve" in page
    assert "E-I index" in page and "expected under random mixing" in page


def test_a_bad_period_is_a_422_with_a_message(org: dict[str, Any], client_for: Any) -> None:
    client = client_for(org["cm"])
    for query in ("from=yesterday", "from=2025-05-02&to=2025-05-01", "from=2000-01-01"):
        response = client.get(f"/cockpit/?{query}")
        assert response.status_code == 422, query
        assert 'role="alert"' in response.content.decode()


def test_a_period_without_activity_renders_not_enough_data(
    org: dict[str, Any], client_for: Any
) -> None:
    response = client_for(org["cm"]).get("/cockpit/?from=2020-01-01&to=2020-03-31")
    assert response.status_code == 200
    assert "not enough data" in response.content.decode()


def test_csv_export_holds_the_table_rows(org: dict[str, Any], client_for: Any) -> None:
    response = client_for(org["cm"]).get("/cockpit/?csv=inequality")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "population"
    registered = next(r for r in rows if r[0] == "registered members")
    report = compute_report(org["cm"], Scope("organisation"), default_period())
    gini = report["sections"]["inequality"]["registered"]["gini"]["value"]
    assert float(registered[3]) == pytest.approx(gini, abs=1e-3)


def test_csv_of_an_unknown_table_is_404(org: dict[str, Any], client_for: Any) -> None:
    assert client_for(org["cm"]).get("/cockpit/?csv=nothing").status_code == 404


def test_confidential_space_is_not_exported_and_its_reads_recorded(
    org: dict[str, Any], client_for: Any, make_person: Any
) -> None:
    from rucher.spaces.actions import invite, join_space
    from rucher.spaces.models import ConfidentialRead

    space = org["confidential"]
    manager = make_person("community_manager", username="cm_conf")
    invite(org["alice"], space, manager)
    join_space(manager, space)
    client = client_for(manager)
    page = client.get(f"/cockpit/spaces/{space.pk}/")
    assert page.status_code == 200 and "Export CSV" not in page.content.decode()
    assert client.get(f"/cockpit/spaces/{space.pk}/?csv=kpis").status_code == 403
    assert ConfidentialRead.objects.filter(person=manager, space=space).exists()


def test_reports_are_cached_until_a_new_event(org: dict[str, Any]) -> None:
    period = default_period()
    first = compute_report(org["cm"], Scope("organisation"), period)
    again = compute_report(org["cm"], Scope("organisation"), period)
    assert not first["from_cache"] and again["from_cache"]
    publish(org["bob"], org["open"], "Encore un message")
    fresh = compute_report(org["cm"], Scope("organisation"), period)
    assert not fresh["from_cache"]
    assert fresh["data"]["content"] == first["data"]["content"] + 1
    cache.clear()
