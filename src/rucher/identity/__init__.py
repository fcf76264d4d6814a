"""Signing in with the organisation's identity provider (OpenID Connect, SAML 2.0).

The protocols (``oidc``, ``saml``) turn a provider's answer into verified ``ExternalClaims``;
``actions.sign_in_with`` links them to a person (by a stable subject, or a verified e-mail),
creates the account when the organisation allows it, and applies the group mapping. The web
transport (rucher/web/sso.py) only moves the browser between them. docs/sso.md.
"""
