"""What to do with what was found: off, warn, hold or block, per kind and per space kind.

An organisation keeps its policy as a small JSON object (`Policy.from_dict`/`to_dict`): the
action of each kind for each space kind (internal, partner, confidential), its confidential
terms and the size from which addresses or phone numbers make a list. `decide` maps findings
to the strongest action; a kind whose action is `off` is not even looked for
(`detector_config`).

Pure: no Django, no rucher app.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from rucher.sensitive.detectors import DetectorConfig, Finding, Kind, scanner


class Action(IntEnum):
    """Ordered: the strongest action of the findings wins."""

    OFF = 0  # not looked for
    WARN = 1  # the author is told before publishing and may go on
    HOLD = 2  # published only after a moderator's look (the moderation queue)
    BLOCK = 3  # refused: the author must remove it

    @property
    def label(self) -> str:
        return self.name.lower()


class SpaceKind(StrEnum):
    INTERNAL = "internal"
    PARTNER = "partner"
    CONFIDENTIAL = "confidential"


_O, _W, _H, _B = Action.OFF, Action.WARN, Action.HOLD, Action.BLOCK

# The defaults, per kind: (internal, partner, confidential). Secrets and card numbers have no
# place in a post anywhere; what leaves the company (partner spaces) is held for a look;
# inside a confidential space its own confidential terms are expected.
DEFAULT_ACTIONS: dict[Kind, tuple[Action, Action, Action]] = {
    Kind.CREDENTIAL: (_B, _B, _B),
    Kind.CARD: (_B, _B, _B),
    Kind.IBAN: (_W, _H, _W),
    Kind.NIR: (_H, _B, _W),
    Kind.SIREN: (_O, _O, _O),
    Kind.SIRET: (_O, _O, _O),
    Kind.EMAIL_LIST: (_W, _H, _W),
    Kind.PHONE_LIST: (_W, _H, _W),
    Kind.SALARY: (_W, _H, _W),
    Kind.CONFIDENTIAL_TERM: (_W, _B, _O),
}


def _default_table() -> dict[SpaceKind, dict[Kind, Action]]:
    return {
        space: {kind: actions[i] for kind, actions in DEFAULT_ACTIONS.items()}
        for i, space in enumerate(SpaceKind)
    }


@dataclass(frozen=True)
class Decision:
    action: Action
    findings: tuple[Finding, ...]  # those whose action is at least WARN, in text order
    actions: Mapping[Kind, Action] = field(default_factory=dict)  # per kind found

    @property
    def allowed(self) -> bool:
        """Publishable as it is (nothing, or warnings only)."""
        return self.action <= Action.WARN


@dataclass(frozen=True)
class Policy:
    actions: Mapping[SpaceKind, Mapping[Kind, Action]] = field(default_factory=_default_table)
    confidential_terms: tuple[str, ...] = ()
    list_threshold: int = 3

    def __post_init__(self) -> None:
        if self.list_threshold < 1:
            raise ValueError("list_threshold must be at least 1")

    @classmethod
    def default(cls) -> Policy:
        return cls()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """An organisation's settings over the defaults::

            {"actions": {"partner": {"iban": "block"}, "*": {"salary": "off"}},
             "confidential_terms": ["Projet Aurore"], "list_threshold": 5}

        "*" sets a kind for every space kind; a named space kind wins over "*". Unknown
        kinds, space kinds or actions raise ValueError (a typo must not switch a check off).
        """
        table = _default_table()
        overrides = data.get("actions", {})
        for scope in ("*", *(s.value for s in SpaceKind)):
            for kind_name, action_name in overrides.get(scope, {}).items():
                kind = Kind(kind_name)
                if str(action_name).upper() not in Action.__members__:
                    raise ValueError(f"unknown action {action_name!r} for {kind_name}")
                action = Action[str(action_name).upper()]
                for space in SpaceKind if scope == "*" else (SpaceKind(scope),):
                    table[space][kind] = action
        unknown = set(overrides) - {"*", *(s.value for s in SpaceKind)}
        if unknown:
            raise ValueError(f"unknown space kinds: {sorted(unknown)}")
        terms = tuple(str(t) for t in data.get("confidential_terms", ()))
        return cls(table, terms, int(data.get("list_threshold", 3)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "actions": {
                space.value: {kind.value: self.action(kind, space).label for kind in Kind}
                for space in SpaceKind
            },
            "confidential_terms": list(self.confidential_terms),
            "list_threshold": self.list_threshold,
        }

    def action(self, kind: Kind, space: SpaceKind) -> Action:
        return self.actions.get(space, {}).get(kind, Action.OFF)

    def detector_config(self, space: SpaceKind) -> DetectorConfig:
        """Only the kinds this space kind acts on are looked for."""
        kinds = frozenset(k for k in Kind if self.action(k, space) > Action.OFF)
        return DetectorConfig(kinds, self.list_threshold, self.confidential_terms)

    def decide(self, findings: Iterable[Finding], space: SpaceKind) -> Decision:
        acted = [f for f in findings if self.action(f.kind, space) > Action.OFF]
        actions = {f.kind: self.action(f.kind, space) for f in acted}
        strongest = max(actions.values(), default=Action.OFF)
        return Decision(strongest, tuple(sorted(acted, key=lambda f: f.start)), actions)

    def check(self, text: str, space: SpaceKind) -> Decision:
        """Scan `text` for what this space kind acts on, and decide."""
        return self.decide(scanner(self.detector_config(space)).scan(text), space)
