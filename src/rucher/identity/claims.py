"""What a provider vouched for, once its answer has been verified (signature, audience, expiry,
state and nonce for OIDC; signature, audience, replay for SAML)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExternalClaims:
    protocol: str  # "oidc" or "saml"
    issuer: str
    subject: str  # OIDC "sub", SAML NameID: stable for one person at one provider
    email: str = ""
    email_verified: bool = False
    given_name: str = ""
    family_name: str = ""
    preferred_username: str = ""
    groups: tuple[str, ...] = field(default_factory=tuple)


def as_groups(value: object) -> tuple[str, ...]:
    """A groups claim as a tuple of names: providers send a list, a single string, or none."""
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value if isinstance(item, str | int) and str(item))
    return ()
