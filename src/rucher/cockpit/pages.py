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

from rucher.insights.report import RUNNERS

# Sections of the engine the opinion page shows in its slot beside the NPS (themes; summaries
# and per-item sentiment when the engine has them as sections).
OPINION_EXTRAS: tuple[str, ...] = tuple(
    s for s in ("themes", "summaries", "sentiment") if s in RUNNERS
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
