"""Every cockpit page renders on a small organisation; periods, CSV exports and the cache."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.cache import cache, caches

from rucher.activity.actions import record
from rucher.activity.models import Event
from rucher.cockpit.data import Scope, compute_report, default_period
from rucher.cockpit.pages import OVERVIEW
from rucher.cockpit.warm import warm
from rucher.conversations.actions import publish
from rucher.people.models import Organisation

pytestmark = pytest.mark.django_db

# The panels of each page (cockpit/pages.py): one page per question.
PANELS = {
    "engagement": ("Engagement", "Motivation profiles"),
    "contributors": ("Participation inequality", "Influence per topic"),
    "opinion": ("Promoters and detractors", "Themes and conversation summaries"),
    "silos": ("Silos between departments",),
    "attention": ("Health alerts", "to-do list"),
    "cadence": ("Publishing cadence and audience",),
}


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
    for base in _pages(org):
        overview = client.get(base).content.decode()
        assert "This period at a glance" in overview, base
        assert overview.count('class="card figure-card"') == 8, base
        for slug, titles in PANELS.items():
            url = f"{base}{slug}/"
            assert f'href="{url}' in overview, url  # the tabs
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            for title in titles:
                assert title in page, (url, title)
            # Every panel says how its figures were computed, or that there is not enough
            # data (or, for themes, that they are not computed yet).
            for section in page.split('<section class="card cockpit-panel"')[1:]:
                section = section.split("</section>")[0]
                assert (
                    '<details class="how">' in section
                    or "not enough data" in section
                    or "once the engine computes them" in section
                ), url
            assert 'class="about"' in page  # the sentence on what it shows about people
            assert 'aria-current="page"' in page


def test_figures_show_the_engine_numbers(org: dict[str, Any], client_for: Any) -> None:
    client = client_for(org["cm"])
    engagement = client.get("/cockpit/engagement/").content.decode()
    assert engagement.count('class="plotly-figure"') >= 2  # trend, profiles
    assert "previous period" in engagement  # the previous period's weekly trend, dotted
    contributors = client.get("/cockpit/contributors/").content.decode()
    assert "Lorenz curve" in contributors and "90 % of members" in contributors
    silos = client.get("/cockpit/silos/").content.decode()
    assert "E-I index" in silos and "expected under random mixing" in silos
    for page in (engagement, contributors, silos):
        assert 'role="img" aria-label=' in page  # every chart has a text alternative
        assert "print.css" in page and "data-print" in page


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
    response = client_for(org["cm"]).get("/cockpit/contributors/?csv=inequality")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "population"
    registered = next(r for r in rows if r[0] == "registered members")
    report = compute_report(
        org["cm"], Scope("organisation"), default_period(), sections=("inequality",)
    )
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
    record(org["cm"], "logged_in")  # signing in changes no figure: the report stays
    assert compute_report(org["cm"], Scope("organisation"), period)["from_cache"]
    publish(org["bob"], org["open"], "Encore un message")
    fresh = compute_report(org["cm"], Scope("organisation"), period)
    assert not fresh["from_cache"]
    assert fresh["data"]["content"] == first["data"]["content"] + 1
    cache.clear()


def test_the_worker_computes_the_overview_after_new_events(org: dict[str, Any]) -> None:
    """The warm subscriber stores the overview's report, so the next visit is warm; of a
    burst of events only the latest one computes."""
    period = default_period()
    publish(org["bob"], org["open"], "Premier message")
    older = Event.objects.filter(verb="posted").latest("pk")
    publish(org["bob"], org["open"], "Second message")
    newer = Event.objects.filter(verb="posted").latest("pk")
    warm(older)  # a later event exists: nothing computed
    cold = compute_report(org["cm"], Scope("organisation"), period, sections=OVERVIEW.sections)
    assert not cold["from_cache"]
    caches["cockpit"].clear()
    warm(newer)
    found = compute_report(org["cm"], Scope("organisation"), period, sections=OVERVIEW.sections)
    assert found["from_cache"]


def test_this_week_links_the_busiest_spaces_to_their_summaries(
    org: dict[str, Any], client_for: Any
) -> None:
    """The "This week" page lists the busiest spaces the viewer reads, each with its count and
    a link to its 7-day summary; a secret space only for who belongs to it."""
    publish(org["alice"], org["secret"], "Le #projetsecret avance")
    publish(org["alice"], org["secret"], "Encore le #projetsecret")
    french = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    english = client_for(org["cm"]).get("/cockpit/attention/").content.decode()
    assert "This week's conversations, summarised" in english
    assert "20 contributions this week" in english
    page = client_for(org["cm"]).get("/cockpit/attention/", **french).content.decode()
    assert "Les conversations de la semaine, résumées" in page
    summary = f'href="/spaces/{org["open"].slug}/summary/?days=7"'
    assert summary in page
    # The open space's posts and replies of the fixture: 4 posts, 4 × 4 replies.
    assert "20 contributions cette semaine" in page
    assert f"/spaces/{org['secret'].slug}/summary/" not in page
    member = client_for(org["cm_secret"]).get("/cockpit/attention/", **french).content.decode()
    assert f'href="/spaces/{org["secret"].slug}/summary/?days=7"' in member
    assert "3 contributions cette semaine" in member  # the fixture's secret post and these two
    # The summary it links to opens, from what the viewer reads.
    opened = client_for(org["cm"]).get(f"/spaces/{org['open'].slug}/summary/?days=7")
    assert opened.status_code == 200 and "jardin" in opened.content.decode()
    # Other pages do not compute it.
    other = client_for(org["cm"]).get("/cockpit/engagement/", **french).content.decode()
    assert "résumées" not in other
