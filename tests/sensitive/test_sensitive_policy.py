"""The policy: off, warn, hold, block per kind and per space kind; the strongest wins."""

from __future__ import annotations

import pytest

from rucher.sensitive import Action, Kind, Policy, SpaceKind, scan

CARD = "4111 1111 1111 1111"
IBAN = "FR14 2004 1010 0505 0001 3M02 606"


def test_the_strongest_action_wins() -> None:
    policy = Policy.default()
    decision = policy.check(f"IBAN {IBAN} et carte {CARD}", SpaceKind.INTERNAL)
    assert decision.action is Action.BLOCK
    assert decision.actions == {Kind.IBAN: Action.WARN, Kind.CARD: Action.BLOCK}
    assert [f.kind for f in decision.findings] == [Kind.IBAN, Kind.CARD]
    assert not decision.allowed


def test_nothing_found_is_off_and_allowed() -> None:
    decision = Policy.default().check("Bonne journée à tous !", SpaceKind.PARTNER)
    assert decision.action is Action.OFF and decision.allowed and not decision.findings


def test_space_kinds_differ() -> None:
    policy = Policy.default()
    assert policy.check(f"IBAN {IBAN}", SpaceKind.INTERNAL).action is Action.WARN
    assert policy.check(f"IBAN {IBAN}", SpaceKind.PARTNER).action is Action.HOLD
    assert policy.check(f"IBAN {IBAN}", SpaceKind.INTERNAL).allowed


def test_organisation_overrides() -> None:
    policy = Policy.from_dict(
        {
            "actions": {"*": {"iban": "block", "salary": "off"}, "confidential": {"iban": "warn"}},
            "confidential_terms": ["Projet Aurore"],
            "list_threshold": 5,
        }
    )
    assert policy.action(Kind.IBAN, SpaceKind.INTERNAL) is Action.BLOCK
    assert policy.action(Kind.IBAN, SpaceKind.CONFIDENTIAL) is Action.WARN  # named wins
    assert policy.action(Kind.SALARY, SpaceKind.PARTNER) is Action.OFF
    assert policy.action(Kind.CARD, SpaceKind.PARTNER) is Action.BLOCK  # default kept
    assert policy.check("le projet aurore", SpaceKind.PARTNER).action is Action.BLOCK
    assert Policy.from_dict(policy.to_dict()) == policy


def test_an_off_kind_is_not_looked_for() -> None:
    policy = Policy.from_dict({"actions": {"*": {"salary": "off"}}})
    config = policy.detector_config(SpaceKind.INTERNAL)
    assert Kind.SALARY not in config.kinds and Kind.CARD in config.kinds
    assert policy.check("salaire : 45 000 € brut", SpaceKind.INTERNAL).action is Action.OFF
    # findings made elsewhere with the kind on are ignored by the decision too
    findings = scan("salaire : 45 000 € brut")
    assert findings and policy.decide(findings, SpaceKind.INTERNAL).action is Action.OFF


def test_confidential_terms_are_expected_in_confidential_spaces() -> None:
    policy = Policy.from_dict({"confidential_terms": ["Hélios"]})
    assert policy.check("Hélios", SpaceKind.CONFIDENTIAL).action is Action.OFF
    assert policy.check("Hélios", SpaceKind.INTERNAL).action is Action.WARN
    assert policy.check("Hélios", SpaceKind.PARTNER).action is Action.BLOCK


@pytest.mark.parametrize(
    "data",
    [
        {"actions": {"*": {"ibann": "warn"}}},
        {"actions": {"*": {"iban": "maybe"}}},
        {"actions": {"public": {"iban": "warn"}}},
        {"list_threshold": 0},
    ],
)
def test_a_typo_is_refused_not_switched_off(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Policy.from_dict(data)


def test_every_kind_has_a_default_for_every_space_kind() -> None:
    policy = Policy.default()
    for space in SpaceKind:
        for kind in Kind:
            assert isinstance(policy.action(kind, space), Action)
    assert policy.action(Kind.CREDENTIAL, SpaceKind.CONFIDENTIAL) is Action.BLOCK
