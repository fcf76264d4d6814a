"""From the engine's report to what a page shows: panels of charts, tables and "how it was
computed", one module per question a community manager asks. The same tables feed the HTML
and the CSV exports, so both always agree.

Privacy: people appear by name only in the influence panel and only when their
``show_influence`` setting allows it (others are "a member"); profiles are aggregates from
the engine (groups under the floor say "not enough data"); churn alerts never name anyone.
"""

from rucher.cockpit.panels.animation import health_panel, todo_panel
from rucher.cockpit.panels.base import How, Link, Names, Panel, Shown, Table, how_of, shown
from rucher.cockpit.panels.influence import influence_panel
from rucher.cockpit.panels.opinion import nps_panel
from rucher.cockpit.panels.participation import engagement_panel, inequality_panel, profiles_panel
from rucher.cockpit.panels.silos import silos_panel

__all__ = [
    "How",
    "Link",
    "Names",
    "Panel",
    "Shown",
    "Table",
    "engagement_panel",
    "health_panel",
    "how_of",
    "inequality_panel",
    "influence_panel",
    "nps_panel",
    "profiles_panel",
    "shown",
    "silos_panel",
    "todo_panel",
]
