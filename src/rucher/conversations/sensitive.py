"""Sensitive data caught before publishing: the organisation's policy applied to a text
about to be saved in a space (docs/moderation.md, "Before publishing").

The detectors (``rucher.sensitive``) are pure and run no query; this module maps a space to
its kind, reads the policy from ``settings.RUCHER_SENSITIVE_POLICY`` and turns the decision
into what publishing does: block (``SensitiveFound``, 422, nothing written), hold (saved as
``held``, for a moderator to release), warn (``SensitiveFound`` until the author confirms).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rucher.errors import Invalid
from rucher.sensitive import Action, Finding, Policy, SpaceKind
from rucher.spaces.models import Space


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

    def __init__(self, message: str, action: str, findings: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.action = action
        self.findings = findings

    @property
    def needs_confirmation(self) -> bool:
        return self.action == "warn"


@dataclass(frozen=True)
class Outcome:
    held: bool = False
    record: dict[str, Any] = field(default_factory=dict)  # Content.sensitive


def check(text: str, space: Space | None, confirmed: bool = False) -> Outcome:
    """Apply the policy of ``space``'s kind to ``text`` (pure: no query)."""
    decision = policy().check(text, space_kind(space))
    if decision.action == Action.OFF:
        return Outcome()
    language = _language()
    findings = [finding_out(f, language) for f in decision.findings]
    what = " ".join(f["label"] for f in findings)
    if decision.action == Action.BLOCK:
        blocked = [
            finding_out(f, language)
            for f in decision.findings
            if decision.actions.get(f.kind) == Action.BLOCK
        ]
        raise SensitiveFound(
            _("This text cannot be published: %(what)s Remove it and try again.")
            % {"what": " ".join(f["label"] for f in blocked)},
            "block",
            findings,
        )
    if decision.action == Action.HOLD:
        return Outcome(True, {"action": "hold", "confirmed": False, "findings": findings})
    if not confirmed:
        raise SensitiveFound(
            _(
                "This text seems to contain sensitive data: %(what)s "
                "Edit it, or confirm to publish it as it is."
            )
            % {"what": what},
            "warn",
            findings,
        )
    return Outcome(False, {"action": "warn", "confirmed": True, "findings": findings})
