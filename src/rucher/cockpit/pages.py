"""The cockpit's pages, one per question a community manager asks, and what each computes.

Each page asks the engine for its own sections only (``sections``), so a cold page costs
what it shows; the report is cached per (viewer's spaces, scope, period, sections) in the
shared "cockpit" cache and the worker computes the overview pages again after new events
(``cockpit/warm.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rucher.insights.report import SECTIONS as ENGINE_SECTIONS

# Sections another helper may add to the engine (themes, summaries, per-item sentiment):
# the opinion page asks for them when the engine knows them and renders them in its slot.
OPINION_EXTRAS: tuple[str, ...] = tuple(
    s for s in ("themes", "summaries", "sentiment") if s in ENGINE_SECTIONS
)


@dataclass(frozen=True)
class Page:
    slug: str  # "" for the overview
    title: str | Promise
    question: str | Promise
    sections: tuple[str, ...]


OVERVIEW = Page(
    "",
    _("Overview"),
    _("The figures that matter this period, each against the previous period."),
    ("engagement", "engagement_series", "nps", "health"),
)
PAGES: tuple[Page, ...] = (
    Page(
        "engagement",
        _("Engagement"),
        _("Are people engaged?"),
        ("engagement", "engagement_series", "profiles"),
    ),
    Page(
        "contributors",
        _("Contributors"),
        _("Who carries the community?"),
        ("inequality", "influence"),
    ),
    Page(
        "opinion",
        _("Opinion"),
        _("What do they think?"),
        ("nps", *OPINION_EXTRAS),
    ),
    Page("silos", _("Silos"), _("Where are the silos?"), ("silos",)),
    Page(
        "attention",
        _("This week"),
        _("What needs my attention this week?"),
        ("health", "todo"),
    ),
    Page(
        "cadence",
        _("Publishing cadence"),
        _("Is my publishing cadence working?"),
        ("cadence",),
    ),
)
BY_SLUG: dict[str, Page] = {page.slug: page for page in (OVERVIEW, *PAGES)}
