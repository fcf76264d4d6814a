"""Sensitive data caught before publishing (issue "Trust and safety", part 4).

Pure detection library: no Django import, importable without settings, so any layer may use
it (publishing will, with the moderation queue). See docs/moderation.md.

    >>> from rucher.sensitive import Policy, SpaceKind
    >>> Policy.default().check("AKIAIOSFODNN7EXAMPLE", SpaceKind.INTERNAL).action.label
    'block'
"""

from rucher.sensitive.detectors import (
    ALL_KINDS,
    DetectorConfig,
    Finding,
    Kind,
    Scanner,
    scan,
    scanner,
)
from rucher.sensitive.messages import MESSAGES, describe
from rucher.sensitive.policy import Action, Decision, Policy, SpaceKind

__all__ = [
    "ALL_KINDS",
    "MESSAGES",
    "Action",
    "Decision",
    "DetectorConfig",
    "Finding",
    "Kind",
    "Policy",
    "Scanner",
    "SpaceKind",
    "describe",
    "scan",
    "scanner",
]
