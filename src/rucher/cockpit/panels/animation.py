"""What to do next: health alerts and the weekly seeding, feeding and weeding list.

Every alert reads as a sentence in the reader's language (the engine's kinds and facts are
codes); a content item is named by its first words and links to it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rucher.cockpit.panels.base import (
    MAX_ROWS,
    How,
    Link,
    Panel,
    Shown,
    Table,
    content_links,
    day,
    is_ok,
    metric_label,
    missing,
    number,
    people_count,
    percent,
    report_section,
)
from rucher.people.models import Person

# Alerts about a person that may name them: welcoming a newcomer is an action, not a
# judgement. Churn alerts ("drifting away") never name anyone.
NAMED_PERSON_ALERTS: frozenset[str] = frozenset({"silent_newcomer"})
CONTENT_ALERTS: frozenset[str] = frozenset({"unanswered_question", "duplicate_question"})


def _subject(
    alert: dict[str, Any],
    names: dict[int, str],
    spaces: dict[int, str],
    links: dict[int, Link],
) -> Link | str:
    """What an alert or to-do item is about: a linked question, a space, a named newcomer,
    or "a member"."""
    kind, subject = str(alert.get("kind", "")), alert.get("subject_id")
    subject_type = alert.get("subject_type") or _subject_type(kind)
    if subject is None:
        return _("the community")
    if subject_type == "content":
        return links.get(subject) or Link(_("a question"), reverse("content", args=[subject]))
    if subject_type == "space":
        return spaces.get(subject, _("a space"))
    if subject_type == "person" and kind in NAMED_PERSON_ALERTS and subject in names:
        return Link(names[subject], reverse("profile", args=[subject]))
    return _("a member")


def _subject_type(kind: str) -> str:
    if kind in CONTENT_ALERTS:
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


def _content_ids(items: list[dict[str, Any]]) -> set[int]:
    ids: set[int] = set()
    for item in items:
        if item.get("kind") in CONTENT_ALERTS and isinstance(item.get("subject_id"), int):
            ids.add(item["subject_id"])
        original = (item.get("facts") or {}).get("original_id")
        if isinstance(original, int):
            ids.add(original)
    return ids


def _days(value: Any) -> Shown:
    return number(value, 0)


def alert_sentence(
    alert: dict[str, Any], space: str, links: dict[int, Link], days: int = 28
) -> str:
    """The alert (or the to-do item it became) as a sentence, in the reader's language."""
    kind = str(alert.get("kind", ""))
    raw = alert.get("facts")
    facts: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if kind in ("churn_dropped", "churn_stopped"):
        counts = {
            "space": space,
            "before": _days(facts.get("previous_active_days")),
            "now": _days(facts.get("current_active_days")),
            "days": days,
        }
        if kind == "churn_dropped" and space:
            sentence = _(
                "A very active member of “%(space)s” hardly contributes any more: %(before)s "
                "active days in the previous %(days)s days, %(now)s in the last %(days)s."
            )
        elif kind == "churn_dropped":
            sentence = _(
                "A very active member hardly contributes any more: %(before)s active days in "
                "the previous %(days)s days, %(now)s in the last %(days)s."
            )
        elif space:
            sentence = _(
                "An active member of “%(space)s” has stopped contributing: %(before)s active "
                "days in the previous %(days)s days, none in the last %(days)s."
            )
        else:
            sentence = _(
                "An active member has stopped contributing: %(before)s active days in the "
                "previous %(days)s days, none in the last %(days)s."
            )
        return sentence % counts
    if kind == "silent_newcomer":
        return _(
            "A newcomer who joined on %(date)s (%(n)s days ago) has not written anything yet."
        ) % {
            "date": day(facts.get("registered_at")),
            "n": _days(facts.get("days_since_registration")),
        }
    if kind == "unanswered_question":
        hours = facts.get("hours_waiting") or 0
        return _("A question asked on %(date)s has had no answer for %(n)s days.") % {
            "date": day(facts.get("asked_at")),
            "n": _days(hours / 24),
        }
    if kind == "duplicate_question":
        original = links.get(facts.get("original_id"))  # type: ignore[arg-type]
        if original is not None:
            return _("This question looks like one asked before: “%(title)s”.") % {
                "title": original.text
            }
        return _("This question looks like one asked before in the same space.")
    if kind == "empty_new_space":
        return _(
            "A space created on %(date)s is still almost empty: %(n)s contributions so far."
        ) % {"date": day(facts.get("created_at")), "n": number(facts.get("contributions"))}
    if kind == "dormant_space":
        return _("No contribution for %(n)s days, and nobody reads or reacts there any more.") % {
            "n": _days(facts.get("days_without_contribution"))
        }
    if kind == "dormant_space_alive":
        return _("No contribution for %(n)s days, although members still read or react there.") % {
            "n": _days(facts.get("days_without_contribution"))
        }
    if kind == "oversized_space":
        return _(
            "%(n)s members were active here in the period, more than %(limit)s: conversations "
            "may get lost; consider splitting it by subject."
        ) % {"n": number(facts.get("active_members")), "limit": number(facts.get("limit"))}
    if kind == "falling_retention":
        return _(
            "Newcomers come back less: %(recent)s active again the week after joining in the "
            "recent cohorts, against %(earlier)s before."
        ) % {"recent": percent(facts.get("recent")), "earlier": percent(facts.get("earlier"))}
    if kind.startswith("profile_"):
        return _("%(n)s of %(size)s members (%(share)s) fit this profile.") % {
            "n": number(facts.get("members")),
            "size": number(facts.get("group_size")),
            "share": percent(facts.get("share")),
        }
    return _("Something here needs attention.")


def alert_title(kind: str) -> str:
    titles = {
        "churn_dropped": _("Member drifting away"),
        "churn_stopped": _("Member gone quiet"),
        "silent_newcomer": _("Newcomer to welcome"),
        "unanswered_question": _("Unanswered question"),
        "duplicate_question": _("Question asked twice"),
        "empty_new_space": _("New space still empty"),
        "dormant_space": _("Dormant space"),
        "dormant_space_alive": _("Space read but silent"),
        "oversized_space": _("Very large space"),
        "falling_retention": _("Newcomers come back less"),
        "profile_enthusiast": _("Enthusiasts"),
        "profile_show_off": _("Show-offs"),
        "profile_shy": _("The shy"),
        "profile_indifferent": _("The indifferent"),
        "profile_blase": _("The blasé"),
    }
    return titles.get(kind, _("To watch"))


def category_label(category: str) -> str:
    return {
        "seeding": _("seeding (plant)"),
        "feeding": _("feeding (water)"),
        "weeding": _("weeding (prune)"),
    }.get(category, category)


def _period_days(health: Any) -> int:
    """The length of the health alerts' comparison windows (28 days by default)."""
    members = health.get("members") if isinstance(health, dict) else None
    params = (members or {}).get("parameters") if isinstance(members, dict) else None
    value = (params or {}).get("period_days")
    return int(value) if isinstance(value, int | float) else 28


def health_panel(report: dict[str, Any], spaces: dict[int, str], viewer: Person) -> Panel:
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
    retention = section.get("retention")
    for key in ("retention", "members"):
        result = section.get(key)
        if isinstance(result, dict) and "method" in result:
            panel.how.append(
                How(
                    name=metric_label(str(result.get("name") or key)),
                    method=str(result.get("method", "")),
                    parameters="",
                    denominator=people_count(int(result.get("denominator") or 0)),
                )
            )
    alerts = section.get("alerts") or []
    days = _period_days(section)
    names = _people_names(alerts)
    links = content_links(viewer, _content_ids(alerts[:MAX_ROWS]))
    rows = []
    for alert in alerts[:MAX_ROWS]:
        space = spaces.get(alert.get("space_id") or 0, "")
        rows.append(
            [
                alert_title(str(alert.get("kind", ""))),
                _subject(alert, names, spaces, links),
                space,
                alert_sentence(alert, space, links, days),
                number(alert.get("magnitude"), 2),
            ]
        )
    panel.tables.append(
        Table(
            "alerts",
            _("Alerts"),
            [_("alert"), _("about"), _("space"), _("what we see"), _("magnitude (0 to 1)")],
            rows,
        )
    )
    if is_ok(retention):
        overall = (retention.get("value") or {}).get("overall") or {}
        panel.notes.append(
            _(
                "Retention: %(w1)s of newcomers active again in week +1, %(w4)s in "
                "week +4 (denominator: %(n)s members)."
            )
            % {
                "w1": percent(overall.get("week_1")),
                "w4": percent(overall.get("week_4")),
                "n": number(retention.get("denominator")),
            }
        )
    else:
        panel.notes.append(missing(retention))
    return panel


def todo_panel(report: dict[str, Any], spaces: dict[int, str], viewer: Person) -> Panel:
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
    days = _period_days(report_section(report, "health"))
    items = [(group, item) for group in section.get("spaces") or [] for item in group["items"]]
    names = _people_names([item for _group, item in items])
    links = content_links(viewer, _content_ids([item for _group, item in items[:MAX_ROWS]]))
    rows = []
    for group, item in items[:MAX_ROWS]:
        space = group.get("name") or (_("community-wide") if group.get("space_id") is None else "")
        rows.append(
            [
                category_label(str(item["category"])),
                space,
                item["text_fr"] if french else item["text_en"],
                _subject(item, names, spaces, links),
                alert_sentence(item, group.get("name") or "", links, days),
                number(item["priority"], 0),
            ]
        )
    panel.tables.append(
        Table(
            "todo",
            _("To-do, most urgent first"),
            [_("category"), _("space"), _("action"), _("about"), _("why"), _("priority")],
            rows,
        )
    )
    panel.how.append(_todo_how(section))
    return panel


def _todo_how(section: dict[str, Any]) -> How:
    return How(
        name=metric_label("weekly_todo"),
        method=_(
            "Every health alert and every shown profile count becomes an item labelled "
            "seeding, feeding or weeding with a fixed playbook; priority = the playbook's base "
            "priority + 20 × the alert's magnitude; at most 10 items per space."
        ),
        parameters=_("as of %(date)s") % {"date": day(section.get("as_of"))},
        denominator="",
    )
