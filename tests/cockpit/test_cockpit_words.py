"""Every cockpit page reads in words, in French and in English, for a community manager
and an administrator, on a small Groupe Orvanne (the demo's generator and loader): no
internal code (snake_case names, JSON, "poll 123", ISO timestamps) reaches the visible text.
The "How it was computed" details are left out of the check: the method's parameters are
one click away on purpose."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from rucher.bulk.loader import load_dataset
from rucher.cockpit.pages import OVERVIEW, PAGES
from rucher.demo.generator import generate
from rucher.people.models import Department, Organisation, Person
from rucher.spaces.models import Space

pytestmark = pytest.mark.django_db
ALL_PAGES = (OVERVIEW, *PAGES)

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
INTERNAL_CODES: dict[str, re.Pattern[str]] = {
    "snake_case name": re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),
    "JSON": re.compile(r"\{\s*\""),
    "ISO timestamp": re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"),
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "content by id": re.compile(
        r"\b(?:poll|sondage|publication|post|question|content) #?\d+\b", re.I
    ),
    "metric code": re.compile(r"\b(?:dau|wau|mau|stickiness)\b"),
    "theme prefix": re.compile(r"\b(?:theme|topic|space):\S"),
    "population code": re.compile(r"^(?:registered|active)$", re.M),
    "engine verb": re.compile(r"\b(?:commented|answered|reacted) (?:de|from)\b"),
    "month-first date": re.compile(rf"\b(?:{MONTHS}) \d{{1,2}}, \d{{4}}\b"),
}
HIDDEN = re.compile(
    r"<script\b.*?</script>|<style\b.*?</style>|<details class=\"how\">.*?</details>", re.S
)
TAG = re.compile(r"<[^>]+>")


def visible_text(page: str) -> str:
    """The words a reader sees: no scripts (the charts' data), no method details, no tags;
    one table cell or paragraph per line."""
    body = HIDDEN.sub(" ", page)
    body = re.sub(r"</(?:td|th|p|li|h\d|caption|summary|option|dd|dt)>", "\n", body)
    text = html.unescape(TAG.sub(" ", body))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def internal_codes(text: str) -> list[str]:
    found = []
    for what, pattern in INTERNAL_CODES.items():
        for match in pattern.finditer(text):
            line = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.end())]
            found.append(f"{what}: {match.group(0)!r} in {line[:160]!r}")
    return found


@pytest.fixture
def orvanne() -> dict[str, Any]:
    data = generate(11, people=80, items=900)
    load_dataset(
        data.dataset,
        source="demo",
        people_extras=data.people_extras,
        spaces_extras=data.spaces_extras,
        poll_options=data.poll_options,
        reaction_kinds=data.reaction_kinds,
        demo=True,
        progress=False,
    )
    return {"people": {p.username: p for p in Person.objects.filter(is_demo=True)}}


def test_the_checks_catch_what_the_cockpit_used_to_show() -> None:
    shown = visible_text(
        '<table><tr><td>dau</td><td>{"current": 90}</td></tr>'
        "<tr><td>registered</td><td>poll 10498</td><td>publication 9345</td></tr>"
        "<tr><td>churn_dropped</td><td>asked_at: 2026-09-08T18:46:18.029671+00:00</td></tr>"
        "<tr><td>commented de un membre</td><td>theme:peu · voir</td></tr></table>"
        '<details class="how"><dd>min_posts</dd></details>'
    )
    kinds = {problem.split(":")[0] for problem in internal_codes(shown)}
    assert kinds >= {
        "snake_case name",
        "JSON",
        "ISO timestamp",
        "content by id",
        "metric code",
        "population code",
        "engine verb",
        "theme prefix",
    }
    assert "min_posts" not in shown


def test_every_cockpit_page_reads_in_words(orvanne: dict[str, Any]) -> None:
    people = orvanne["people"]
    news = Space.objects.get(name="Actualités Orvanne")  # where the NPS poll is
    life = Space.objects.get(name="Vie d'Orvanne")  # where the choice poll is
    confidential = Space.objects.filter(confidential=True).first()
    department = Department.objects.order_by("name").first()
    partner = Organisation.objects.filter(is_partner=True).order_by("name").first()
    assert department is not None and partner is not None
    pages = [
        "/cockpit/",
        f"/cockpit/spaces/{news.pk}/",
        f"/cockpit/spaces/{life.pk}/",
        f"/cockpit/departments/{department.pk}/",
        f"/cockpit/partners/{partner.pk}/",
    ]
    optional = set()
    if confidential is not None:  # only its members read it
        optional.add(f"/cockpit/spaces/{confidential.pk}/")
        pages.append(f"/cockpit/spaces/{confidential.pk}/")
    # Every page of every scope: the overview and one page per question.
    pages = [f"{base}{page.slug}/" if page.slug else base for base in pages for page in ALL_PAGES]
    optional = {url for url in pages for base in optional if url.startswith(base)}
    problems: list[str] = []
    for username in ("animatrice", "admin"):
        client = Client()
        client.force_login(people[username])
        for language in ("fr", "en"):
            for url in pages:
                response = client.get(url, headers={"accept-language": language})
                if response.status_code == 404 and url in optional:
                    continue
                assert response.status_code == 200, (username, language, url)
                page = response.content.decode()
                assert f'lang="{language}"' in page, (username, language, url)
                text = visible_text(page)
                problems += [f"{username} {language} {url} {p}" for p in internal_codes(text)]
    assert not problems, "\n".join(problems[:40])


def test_the_nps_panel_names_polls_by_their_question(orvanne: dict[str, Any]) -> None:
    client = Client()
    client.force_login(orvanne["people"]["animatrice"])
    page = client.get("/cockpit/opinion/", headers={"accept-language": "en"}).content.decode()
    panel = page.split('id="nps"', 1)[1].split("</section>", 1)[0]
    text = visible_text(panel)
    assert "recommend" in text.lower() or "recommander" in text.lower()
    assert "−100" not in text and "-100.0" not in text  # the choice poll is not an NPS
    assert "multiple-choice poll is left out" in text
