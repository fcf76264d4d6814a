"""Sensitive data caught before publishing: the organisation's policy applied to a text
about to be saved in a space (docs/moderation.md, "Before publishing").

The detectors (``rucher.sensitive``) are pure and run no query; this module maps a space to
its kind, reads the policy from ``settings.RUCHER_SENSITIVE_POLICY`` and turns the decision
into what publishing does: block (``SensitiveFound``, 422, nothing written), hold (saved as
``held``, for a moderator to release), warn (``SensitiveFound`` until the author confirms).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rucher.errors import Invalid
from rucher.people.models import Person
from rucher.sensitive import Action, Finding, Policy, SpaceKind
from rucher.spaces.models import Membership, Space


@lru_cache(maxsize=4)
def _policy_from(serialised: str) -> Policy:
    return Policy.from_dict(json.loads(serialised))


def policy() -> Policy:
    """The organisation's policy: ``RUCHER_SENSITIVE_POLICY`` over the defaults."""
    return _policy_from(json.dumps(settings.RUCHER_SENSITIVE_POLICY, sort_keys=True))


def space_kind(space: Space | None) -> SpaceKind:
    """Partner-shared first (what leaves the company), then confidential; profile posts and
    the other spaces are internal."""
    if space is None:
        return SpaceKind.INTERNAL
    if space.kind == Space.Kind.PARTNER:
        return SpaceKind.PARTNER
    if space.confidential:
        return SpaceKind.CONFIDENTIAL
    return SpaceKind.INTERNAL


def _language() -> str:
    return (get_language() or "en")[:2]


def finding_out(finding: Finding, language: str) -> dict[str, Any]:
    """A finding as the API, the composer and the content row show it (no raw value: the
    passage is masked)."""
    return {
        "kind": finding.kind.value,
        "label": finding.describe(language),
        "start": finding.start,
        "end": finding.end,
        "masked": finding.masked,
    }


class SensitiveFound(Invalid):
    """A text refused for what it contains (block), or waiting for its author's
    confirmation (warn): 422 with the findings."""

    def __init__(
        self, message: str, action: str, findings: list[dict[str, Any]], text: str = ""
    ) -> None:
        super().__init__(message)
        self.action = action
        self.findings = findings
        self.text = text  # the text the spans are in (the composer marks them in a preview)

    @property
    def needs_confirmation(self) -> bool:
        return self.action == "warn"


# --- screens: further checks registered by higher layers ----------------------------------
#
# Watched words, slow mode and new accounts' first posts are kept by ``moderation``, a layer
# above this one: it registers its screens here when its app is ready (dependency inversion:
# publishing calls them without importing moderation). A screen runs no query in the common
# case (its rules are cached); it may refuse by raising an ``ActionError`` (slow mode: 429).


@dataclass(frozen=True)
class Draft:
    """What a screen looks at: a text about to be saved, by whom, where."""

    author: Person
    space: Space | None
    text: str
    kind: str  # "post" (a post or a question), "reply" (a comment or an answer), "edit"
    # The author's membership of ``space`` as publishing read it (None: not a member).
    member: Membership | None = None


@dataclass(frozen=True)
class Screened:
    """A screen's verdict: findings shown to the author (same shape as the detectors'), a
    refusal (``block``: the sentence), a hold (``hold``: why, in words), a replacement text,
    and what to keep on the content row (``record``, merged into ``Content.sensitive``)."""

    findings: list[dict[str, Any]] = field(default_factory=list)
    block: str = ""
    hold: str = ""
    text: str | None = None
    record: dict[str, Any] = field(default_factory=dict)


Screen = Callable[[Draft], Screened | None]
_screens: list[Screen] = []


def add_screen(screen: Screen) -> None:
    """Register a screen (once: registering it again changes nothing)."""
    if screen not in _screens:
        _screens.append(screen)


@dataclass(frozen=True)
class Outcome:
    held: bool = False
    record: dict[str, Any] = field(default_factory=dict)  # Content.sensitive
    text: str = ""  # the text to save (watched words replaced)


def check(
    text: str,
    space: Space | None,
    confirmed: bool = False,
    *,
    author: Person | None = None,
    kind: str = "post",
    member: Membership | None = None,
) -> Outcome:
    """Apply the policy of ``space``'s kind to ``text`` (pure: no query), then the registered
    screens (when the author is known). Every finding's span is in ``text`` as written."""
    decision = policy().check(text, space_kind(space))
    language = _language()
    findings = [finding_out(f, language) for f in decision.findings]
    screened: list[Screened] = []
    if author is not None:
        draft = Draft(author, space, text, kind, member)
        screened = [s for s in (screen(draft) for screen in _screens) if s is not None]
    for verdict in screened:
        findings.extend(verdict.findings)
    findings.sort(key=lambda f: (f["start"], f["end"]))
    refusals = [v.block for v in screened if v.block]
    if decision.action == Action.BLOCK:
        blocked = [
            finding_out(f, language)
            for f in decision.findings
            if decision.actions.get(f.kind) == Action.BLOCK
        ]
        refusals.insert(0, " ".join(f["label"] for f in blocked))
    if refusals:
        raise SensitiveFound(
            _("This text cannot be published: %(what)s Remove it and try again.")
            % {"what": " ".join(refusals)},
            "block",
            findings,
            text,
        )
    if decision.action == Action.WARN and not confirmed:
        what = " ".join(finding_out(f, language)["label"] for f in decision.findings)
        raise SensitiveFound(
            _(
                "This text seems to contain sensitive data: %(what)s "
                "Edit it, or confirm to publish it as it is."
            )
            % {"what": what},
            "warn",
            findings,
            text,
        )
    holds = [v.hold for v in screened if v.hold]
    held = decision.action == Action.HOLD or bool(holds)
    saved = text
    for verdict in screened:
        if verdict.text is not None:
            saved = verdict.text
    if not findings and not held:
        return Outcome(text=saved)
    record: dict[str, Any] = {
        "action": "hold" if held else ("warn" if decision.action == Action.WARN else "checked"),
        "confirmed": decision.action == Action.WARN and confirmed,
        "findings": findings,
    }
    if holds:
        record["held_because"] = holds
    for verdict in screened:
        record.update(verdict.record)
    return Outcome(held, record, saved)
