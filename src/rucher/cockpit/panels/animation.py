"""What to do next: health alerts and the weekly seeding, feeding and weeding list."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rucher.cockpit.panels.base import (
    MAX_ROWS,
    How,
    Panel,
    Table,
    how_of,
    is_ok,
    missing,
    report_section,
    rounded,
    shown,
)
from rucher.people.models import Person

# Alerts about a person that may name them: welcoming a newcomer is an action, not a
# judgement. Churn alerts ("drifting away") never name anyone.
NAMED_PERSON_ALERTS: frozenset[str] = frozenset({"silent_newcomer"})


def _subject(
    alert: dict[str, Any], names: dict[int, str], spaces: dict[int, str]
) -> tuple[str, str]:
    """(label, link) of what an alert or to-do item is about."""
    kind, subject = str(alert.get("kind", "")), alert.get("subject_id")
    subject_type = alert.get("subject_type") or _subject_type(kind)
    if subject is None:
        return _("the community"), ""
    if subject_type == "content":
        return _("post %(id)s") % {"id": subject}, reverse("content", args=[subject])
    if subject_type == "space":
        return spaces.get(subject, _("a space")), ""
    if subject_type == "person" and kind in NAMED_PERSON_ALERTS and subject in names:
        return names[subject], reverse("profile", args=[subject])
    return _("a member"), ""


def _subject_type(kind: str) -> str:
    if kind in ("unanswered_question", "duplicate_question"):
        return "content"
    if kind.startswith(("churn", "silent")):
        return "person"
    if kind.startswith("profile_") or kind == "falling_retention":
        return "community"
    return "space"


def _people_names(items: list[dict[str, Any]]) -> dict[int, str]:
    ids = {i.get("subject_id") for i in items if i.get("kind") in NAMED_PERSON_ALERTS}
    people = Person.objects.filter(pk__in={i for i in ids if isinstance(i, int)}, is_active=True)
    return {p.pk: p.display_name for p in people}


def _facts(facts: Any) -> str:
    if not isinstance(facts, dict):
        return ""
    hidden = {"asked_by", "last_activity_at"}  # a person id or a personal timeline
    return "; ".join(f"{k}: {rounded(v, 2)}" for k, v in facts.items() if k not in hidden)


def health_panel(report: dict[str, Any], spaces: dict[int, str]) -> Panel:
    section = report_section(report, "health")
    panel = Panel(
        "health",
        _("Health alerts"),
        _(
            "What needs attention (unanswered questions, dormant spaces, newcomers who have not "
            "written yet, members drifting away), from the event log; members drifting away are "
            "counted, never named."
        ),
    )
    for key in ("retention", "members"):
        how = how_of(section.get(key))
        if how:
            panel.how.append(how)
    alerts = section.get("alerts") or []
    names = _people_names(alerts)
    rows = []
    for alert in alerts[:MAX_ROWS]:
        label, _link = _subject(alert, names, spaces)
        rows.append(
            [
                alert.get("kind"),
                label,
                spaces.get(alert.get("space_id") or 0, ""),
                rounded(alert.get("magnitude"), 2),
                _facts(alert.get("facts")),
            ]
        )
    panel.tables.append(
        Table(
            "alerts",
            _("Alerts"),
            [_("alert"), _("about"), _("space"), _("magnitude"), _("facts")],
            rows,
        )
    )
    retention = section.get("retention")
    if is_ok(retention):
        overall = (retention.get("value") or {}).get("overall") or {}
        panel.notes.append(
            _(
                "Retention: %(w1)s of newcomers active again in week +1, %(w4)s in "
                "week +4 (denominator: %(n)s members)."
            )
            % {
                "w1": shown(overall.get("week_1")),
                "w4": shown(overall.get("week_4")),
                "n": retention.get("denominator"),
            }
        )
    else:
        panel.notes.append(missing(retention))
    return panel


def todo_panel(report: dict[str, Any], spaces: dict[int, str]) -> Panel:
    section = report_section(report, "todo")
    panel = Panel(
        "todo",
        _("This week's to-do list"),
        _(
            "What to plant (seeding), water (feeding) and prune (weeding) this week, derived from "
            "the alerts and the aggregate profiles; only newcomers to welcome are named."
        ),
    )
    if section.get("status") == "error":
        panel.notes.append(missing(section))
        return panel
    french = (get_language() or "fr").startswith("fr")
    items = [(group, item) for group in section.get("spaces") or [] for item in group["items"]]
    names = _people_names([item for _group, item in items])
    rows = []
    for group, item in items[:MAX_ROWS]:
        label, _link = _subject(item, names, spaces)
        space = group.get("name") or (_("community-wide") if group.get("space_id") is None else "")
        rows.append(
            [
                item["category"],
                space,
                item["text_fr"] if french else item["text_en"],
                label,
                rounded(item["priority"], 1),
                _facts(item.get("facts")),
            ]
        )
    panel.tables.append(
        Table(
            "todo",
            _("To-do, most urgent first"),
            [_("category"), _("space"), _("action"), _("about"), _("priority"), _("facts")],
            rows,
        )
    )
    panel.how.append(_todo_how(section))
    return panel


def _todo_how(section: dict[str, Any]) -> How:
    return How(
        name="weekly_todo",
        method=_(
            "Every health alert and every shown profile count becomes an item labelled "
            "seeding, feeding or weeding with a fixed playbook; priority = the playbook's base "
            "priority + 20 × the alert's magnitude; at most 10 items per space."
        ),
        parameters=f"as_of: {section.get('as_of')}",
        denominator="",
    )
