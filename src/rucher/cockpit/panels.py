"""From the engine's report to what a page shows: panels of charts, tables and "how it was
computed". The same tables feed the HTML and the CSV exports, so both always agree.

Privacy: people appear by name only in the influence panel and only when their
``show_influence`` setting allows it (others are "a member"); profiles are aggregates from
the engine (groups under the floor say "not enough data"); churn alerts never name anyone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from django.utils.translation import gettext as _

from rucher.cockpit import charts
from rucher.people.models import Person
from rucher.spaces.models import Space

TOP_CONTEXTS = 12
MAX_ROWS = 200
KPIS: tuple[str, ...] = (
    "dau",
    "wau",
    "mau",
    "stickiness",
    "active_members",
    "new_members",
    "contributions",
    "reactions",
    "reply_rate",
    "answered_share",
    "median_hours_to_first_response",
)
PROFILE_NAMES: tuple[str, ...] = ("enthusiast", "show_off", "shy", "indifferent", "blase", "other")


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class How:
    """One figure's "how it was computed": the Result's method, parameters, denominator."""

    name: str
    method: str
    parameters: str
    denominator: str
    note: str = ""


@dataclass
class Panel:
    key: str
    title: str
    about: str
    chart: str = ""
    tables: list[Table] = field(default_factory=list)
    how: list[How] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, query string)


class Names:
    """Display names for the people the viewer may see named (``show_influence`` True)."""

    def __init__(self, person_ids: set[int]) -> None:
        people = Person.objects.filter(pk__in=person_ids, show_influence=True, is_active=True)
        self.named = {p.pk: p.display_name for p in people}

    def __call__(self, person_id: Any) -> str:
        return self.named.get(person_id) or _("a member")


def _json(value: Any) -> str:
    return "" if value in (None, {}, []) else json.dumps(value, ensure_ascii=False, default=str)


def how_of(result: dict[str, Any] | None) -> How | None:
    if not isinstance(result, dict) or "method" not in result:
        return None
    return How(
        name=str(result.get("name", "")),
        method=str(result.get("method", "")),
        parameters=_json(result.get("parameters")),
        denominator=_json(result.get("denominator")),
        note=str(result.get("note") or ""),
    )


def _ok(result: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(result, dict) and result.get("status") == "ok"


def _missing(result: Any) -> str:
    if isinstance(result, dict) and result.get("status") == "error":
        return _("This figure could not be computed: %(error)s") % {"error": result.get("error")}
    if isinstance(result, dict) and result.get("note"):
        return str(result["note"])
    return _("not enough data")


def _round(value: Any, digits: int = 3) -> Any:
    return round(value, digits) if isinstance(value, float) else value


def shown(value: Any, digits: int = 3) -> str:
    """A figure for a sentence: rounded, or "—" when there is none."""
    return "—" if value is None else str(_round(value, digits))


def _section(report: dict[str, Any], name: str) -> Any:
    return report.get("sections", {}).get(name) or {}


def engagement_panel(report: dict[str, Any]) -> Panel:
    section = _section(report, "engagement")
    panel = Panel(
        "engagement",
        _("Engagement"),
        _(
            "How many people take part and how conversations get answers, counted from the event "
            "log over everyone in scope; no individual is shown."
        ),
    )
    rows = []
    for metric in KPIS:
        result = section.get(metric)
        if not isinstance(result, dict):
            continue
        value = result.get("value") if _ok(result) else None
        value = value or {}
        rows.append(
            [
                metric,
                _round(value.get("current")),
                _round(value.get("previous")),
                _round(value.get("change")),
                _round(value.get("relative_change")),
                _json(result.get("denominator")),
            ]
        )
        how = how_of(result)
        if how:
            panel.how.append(how)
    panel.tables.append(
        Table(
            "kpis",
            _("Key figures, this period vs the previous one"),
            [
                _("metric"),
                _("this period"),
                _("previous period"),
                _("change"),
                _("relative change"),
                _("denominator"),
            ],
            rows,
        )
    )
    series = _section(report, "engagement_series")
    if _ok(series):
        values = series["value"]
        panel.chart = charts.trend_chart(
            values,
            {
                "active_members": _("active members"),
                "contributions": _("contributions"),
                "reactions": _("reactions"),
                "new_members": _("new members"),
            },
            _("Weekly trend (first and last weeks may be partial)"),
        )
        panel.tables.append(
            Table(
                "weekly",
                _("Per week"),
                [
                    _("week starting"),
                    _("active members"),
                    _("new members"),
                    _("contributions"),
                    _("reactions"),
                ],
                [
                    [
                        r["bucket"][:10],
                        r["active_members"],
                        r["new_members"],
                        r["contributions"],
                        r["reactions"],
                    ]
                    for r in values
                ],
            )
        )
        how = how_of(series)
        if how:
            panel.how.append(how)
    return panel


def inequality_panel(report: dict[str, Any]) -> Panel:
    section = _section(report, "inequality")
    panel = Panel(
        "inequality",
        _("Participation inequality"),
        _(
            "How evenly contributions are spread among members (registered and active), to see "
            "whether a few people carry the conversation; no individual is shown."
        ),
    )
    rows = []
    for population in ("registered", "active"):
        results = section.get(population) or {}
        gini = results.get("gini")
        if not _ok(gini):
            rows.append([population, None, None, None, None, None, None, None, _missing(gini)])
            continue
        top = results["top_shares"]["value"] if _ok(results.get("top_shares")) else {}
        share = (
            results["members_for_share"]["value"] if _ok(results.get("members_for_share")) else {}
        )
        denominator = gini.get("denominator") or {}
        rows.append(
            [
                population,
                denominator.get("people"),
                denominator.get("contributions"),
                _round(gini["value"]),
                _round(top.get("top_1%")),
                _round(top.get("top_3%")),
                _round(top.get("top_10%")),
                _round((share.get("50%") or {}).get("share_of_members")),
                "",
            ]
        )
        for key in ("gini", "lorenz", "top_shares", "members_for_share", "buckets"):
            how = how_of(results.get(key))
            if how is not None and (population == "registered" or key == "gini"):
                panel.how.append(how)
    panel.tables.append(
        Table(
            "inequality",
            _("Gini and top shares per population"),
            [
                _("population"),
                _("members (denominator)"),
                _("contributions"),
                "Gini",
                _("top 1 % share"),
                _("top 3 % share"),
                _("top 10 % share"),
                _("share of members making 50 %"),
                _("note"),
            ],
            rows,
        )
    )
    lorenz = (section.get("registered") or {}).get("lorenz")
    gini = (section.get("registered") or {}).get("gini")
    if _ok(lorenz):
        panel.chart = charts.lorenz_chart(
            lorenz["value"],
            gini.get("value") if _ok(gini) else None,
            _("Lorenz curve, registered members"),
        )
    else:
        panel.notes.append(_missing(lorenz))
    return panel


def influence_panel(report: dict[str, Any], context: str | None) -> Panel:
    section = _section(report, "influence")
    panel = Panel(
        "influence",
        _("Influence per topic"),
        _(
            "Who moves a topic through the replies, reactions and answers others give them, so you "
            "know whom to ask; a person is named only if their profile setting allows it, others "
            'appear as "a member".'
        ),
    )
    if not isinstance(section, dict) or not section or section.get("status") == "error":
        panel.notes.append(_missing(section))
        return panel
    contexts = [k for k, v in section.items() if isinstance(v, dict) and "status" in v]
    ranked = sorted(
        (k for k in contexts if _ok(section[k])),
        key=lambda k: (k != "all", -int(section[k].get("denominator") or 0)),
    )
    space_names = dict(Space.objects.values_list("id", "name"))

    def context_label(key: str) -> str:
        kind, _sep, rest = key.partition(":")
        if kind == "space" and rest.isdigit():
            return space_names.get(int(rest), key)
        return {"all": _("everything"), "topic": f"#{rest}"}.get(kind, key)

    panel.links = [(context_label(k), f"context={k}") for k in ranked[:TOP_CONTEXTS]]
    chosen = context if context in section else (ranked[0] if ranked else None)
    if chosen is None:
        panel.notes.append(_("not enough data: no topic or space has 5 active people yet"))
        return panel
    result = section[chosen]
    how = how_of(result)
    if how:
        panel.how.append(how)
    if not _ok(result):
        panel.notes.append(_missing(result))
        return panel
    value = result["value"]
    ids = {p["person_id"] for p in value["people"]}
    ids |= {e["from_person"] for p in value["people"] for e in p.get("why", [])}
    ids |= set(value.get("popular_not_influential", [])) | set(value.get("quiet_experts", []))
    name = Names(ids)
    rows = []
    for person in value["people"]:
        why = "; ".join(
            _("%(verb)s from %(name)s") % {"verb": e["verb"], "name": name(e["from_person"])}
            for e in person.get("why", [])
        )
        impact, popularity = person["impact"], person["popularity"]
        rows.append(
            [
                name(person["person_id"]),
                person["score"],
                person["reach"],
                impact["responses"],
                impact["accepted_answers"],
                impact["net_reactions"],
                popularity["followers"],
                popularity["volume"],
                why,
            ]
        )
    panel.tables.append(
        Table(
            f"influence:{chosen}",
            _("Influence in %(c)s") % {"c": context_label(chosen)},
            [
                _("member"),
                _("score (top = 100)"),
                _("reach"),
                _("responses"),
                _("accepted answers"),
                _("net reactions"),
                _("followers"),
                _("volume"),
                _("why"),
            ],
            rows,
        )
    )
    for key, label in (
        ("popular_not_influential", _("Popular but not influential")),
        ("quiet_experts", _("Quiet experts")),
    ):
        panel.notes.append(f"{label}: " + (", ".join(name(i) for i in value.get(key, [])) or "—"))
    return panel


def nps_panel(report: dict[str, Any]) -> Panel:
    section = _section(report, "nps")
    panel = Panel(
        "nps",
        _("Promoters and detractors"),
        _(
            "Net Promoter Score from 0–10 polls, and an estimate from what members write; both are "
            "group figures, no individual answer or sentiment is shown."
        ),
    )
    entries, rows = [], []
    polls = section.get("polls") or {}
    for poll_id, result in polls.items():
        params = result.get("parameters") or {}
        interval = params.get("interval_95") or [None, None]
        rows.append(
            [
                _("poll %(id)s") % {"id": poll_id},
                _round(result.get("value"), 1),
                _round(params.get("margin_95"), 1),
                result.get("denominator"),
                "" if _ok(result) else _missing(result),
            ]
        )
        if _ok(result):
            entries.append(
                {
                    "label": f"poll {poll_id}",
                    "value": result["value"],
                    "low": interval[0],
                    "high": interval[1],
                }
            )
    for key, label in (
        ("overall", _("all polls (latest answer)")),
        ("estimated", _("estimated from text")),
    ):
        result = section.get(key)
        if not isinstance(result, dict):
            continue
        params = result.get("parameters") or {}
        interval = params.get("interval_95") or [None, None]
        margin = params.get("margin_95")
        if margin is None and _ok(result) and interval[0] is not None:
            margin = (interval[1] - interval[0]) / 2
        rows.append(
            [
                label,
                _round(result.get("value"), 1),
                _round(margin, 1),
                result.get("denominator"),
                "" if _ok(result) else _missing(result),
            ]
        )
        if _ok(result):
            entries.append(
                {"label": label, "value": result["value"], "low": interval[0], "high": interval[1]}
            )
        how = how_of(result)
        if how:
            panel.how.append(how)
    panel.tables.append(
        Table(
            "nps",
            _("NPS (± 95 % interval)"),
            [_("source"), "NPS", _("± margin"), _("answers or people"), _("note")],
            rows,
        )
    )
    panel.chart = charts.nps_chart(entries, _("NPS with its 95 % interval"))
    return panel


def profiles_panel(report: dict[str, Any]) -> Panel:
    section = _section(report, "profiles")
    panel = Panel(
        "profiles",
        _("Motivation profiles"),
        _(
            "How many members fit each motivation profile, to choose how to animate; shown only "
            "for groups of at least 5 people, and small counts are hidden so nobody is singled "
            "out."
        ),
    )
    rows = []
    space_names = dict(Space.objects.values_list("id", "name"))
    for by, label in (
        ("community", _("everyone")),
        ("department", _("department")),
        ("space", _("space")),
    ):
        groups = ((section.get(by) or {}).get("groups")) or {}
        for group, result in groups.items():
            shown = (
                label
                if group in ("None", None)
                else f"{label}: {_group_label(by, group, space_names)}"
            )
            if not _ok(result):
                rows.append(
                    [
                        shown,
                        result.get("denominator"),
                        *([None] * len(PROFILE_NAMES)),
                        _missing(result),
                    ]
                )
                continue
            value = result["value"]
            rows.append(
                [
                    shown,
                    result.get("denominator"),
                    *[
                        value.get(p) if value.get(p) is not None else _("hidden (< 5)")
                        for p in PROFILE_NAMES
                    ],
                    "",
                ]
            )
            if by == "community":
                panel.chart = charts.bar_chart(
                    [_profile_label(p) for p in PROFILE_NAMES],
                    [value.get(p) for p in PROFILE_NAMES],
                    _("Members per profile"),
                    _("members"),
                )
                how = how_of(result)
                if how:
                    panel.how.append(how)
    panel.tables.append(
        Table(
            "profiles",
            _("Members per profile and group"),
            [_("group"), _("members"), *[_profile_label(p) for p in PROFILE_NAMES], _("note")],
            rows[:MAX_ROWS],
        )
    )
    return panel


def _profile_label(profile: str) -> str:
    labels = {
        "enthusiast": _("enthusiasts"),
        "show_off": _("show-offs"),
        "shy": _("the shy"),
        "indifferent": _("the indifferent"),
        "blase": _("the blasé"),
        "other": _("others"),
    }
    return labels.get(profile, profile)


def _group_label(by: str, group: Any, space_names: dict[int, str]) -> str:
    if by != "space":
        return str(group)
    try:
        return space_names.get(int(group), str(group))
    except (TypeError, ValueError):
        return str(group)
