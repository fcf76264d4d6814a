"""Contextual influence: who carries a topic, with the "why" of each rank."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from rucher.cockpit.panels.base import (
    TOP_CONTEXTS,
    Names,
    Panel,
    Table,
    how_of,
    is_ok,
    missing,
    report_section,
)
from rucher.spaces.models import Space


def influence_panel(report: dict[str, Any], context: str | None) -> Panel:
    section = report_section(report, "influence")
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
        panel.notes.append(missing(section))
        return panel
    contexts = [k for k, v in section.items() if isinstance(v, dict) and "status" in v]
    ranked = sorted(
        (k for k in contexts if is_ok(section[k])),
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
    if not is_ok(result):
        panel.notes.append(missing(result))
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
