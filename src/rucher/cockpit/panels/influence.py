"""Contextual influence: who carries a topic, with the "why" of each rank."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rucher.cockpit.panels.base import (
    TOP_CONTEXTS,
    Names,
    Panel,
    Table,
    how_of,
    is_ok,
    missing,
    number,
    report_section,
    who,
)
from rucher.spaces.models import Space


def _verb_phrase(verb: str, people: str, count: int) -> str:
    """ "Julie Fabre and 2 other members commented": who did what to the person ranked."""
    phrases = {
        "commented": ngettext("%(who)s commented", "%(who)s commented", count),
        "answered": ngettext("%(who)s answered", "%(who)s answered", count),
        "accepted_answer": ngettext(
            "%(who)s accepted their answer", "%(who)s accepted their answers", count
        ),
        "reacted": ngettext("%(who)s reacted", "%(who)s reacted", count),
        "mentioned": ngettext("%(who)s mentioned them", "%(who)s mentioned them", count),
        "shared": ngettext("%(who)s shared their post", "%(who)s shared their posts", count),
        "messaged": ngettext("%(who)s wrote to them", "%(who)s wrote to them", count),
        "followed": ngettext("%(who)s follows them", "%(who)s follow them", count),
    }
    phrase = phrases.get(verb) or ngettext(
        "%(who)s responded to them", "%(who)s responded to them", count
    )
    return phrase % {"who": people}


def why_sentence(reasons: list[dict[str, Any]], name: Names) -> str:
    """The interactions that brought a person the most credit, as one sentence: "Julie Fabre
    and 2 other members commented; a member accepted their answer." People who do not show
    their influence are counted, never named."""
    by_verb: dict[str, list[Any]] = {}
    for reason in reasons:
        people = by_verb.setdefault(str(reason.get("verb")), [])
        if reason.get("from_person") not in people:
            people.append(reason.get("from_person"))
    parts = []
    for verb, people in by_verb.items():
        named = [name.named[p] for p in people if p in name.named]
        others = len(people) - len(named)
        parts.append(_verb_phrase(verb, who(named, others), len(people)))
    if not parts:
        return ""
    # French sets a space before the semicolon: the separator is translated.
    sentence = _("; ").join(parts) + "."
    return sentence[0].upper() + sentence[1:]


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
            return space_names.get(int(rest), _("a space"))
        if kind == "theme":  # named by its main words: “budget, planning, réunion”
            return _("“%(words)s”") % {"words": rest.replace(" · ", ", ")}
        return {"all": _("everything"), "topic": f"#{rest}"}.get(kind, rest or key)

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
        why = why_sentence(person.get("why", []), name)
        impact, popularity = person["impact"], person["popularity"]
        rows.append(
            [
                name(person["person_id"]),
                number(person["score"]),
                number(person["reach"]),
                number(impact["responses"]),
                number(impact["accepted_answers"]),
                number(impact["net_reactions"], 0),
                number(popularity["followers"]),
                number(popularity["volume"]),
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
        listed = list(dict.fromkeys(value.get(key, [])))
        named = [name.named[i] for i in listed if i in name.named]
        shown = who(named, len(listed) - len(named)) if listed else "—"
        panel.notes.append(_("%(label)s: %(who)s.") % {"label": label, "who": shown})
    return panel
