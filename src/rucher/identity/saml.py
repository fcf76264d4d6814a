"""SAML 2.0 (Web Browser SSO profile) through pysaml2, which verifies signatures with the
``xmlsec1`` program.

rucher sends an AuthnRequest by the HTTP-Redirect binding and takes the answer at its
assertion consumer service by HTTP-POST. It requires signed assertions, refuses unsolicited
answers (IdP-initiated) and takes each answer once: the request it answers is kept in the
database (a cross-site POST carries no SameSite=Lax session cookie) and deleted by the first
answer, and the assertion's ID is remembered, so a replayed answer is refused.
"""

from __future__ import annotations

import base64
import binascii
import shutil
from datetime import timedelta
from functools import lru_cache
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string

from rucher.identity.claims import ExternalClaims, as_groups
from rucher.identity.models import PendingSamlRequest, UsedAssertion

REQUEST_LIFETIME = timedelta(minutes=15)  # an answer later than this starts again
MAX_RESPONSE_BYTES = 512 * 1024
# The attribute names each claim is read from, first found wins: the plain and LDAP names
# (pysaml2 turns urn:oid names into these), then ADFS's and Entra ID's claim types.
ATTRIBUTES = {
    "email": [
        "email", "mail", "emailAddress",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
    ],
    "given_name": [
        "givenName", "given_name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    ],
    "family_name": [
        "sn", "surname", "family_name",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    ],
    "groups": [
        "groups", "memberOf", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
        "http://schemas.xmlsoap.org/claims/Group",
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
    ],
}  # fmt: skip


class AnswerRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def enabled() -> bool:
    return bool(settings.RUCHER_SAML_IDP_METADATA)


def display_name() -> str:
    return settings.RUCHER_SAML_NAME or _("your organisation's account (SAML)")


def acs_url() -> str:
    return f"{settings.RUCHER_BASE_URL}/sso/saml/acs/"


def _config_dict() -> dict[str, Any]:
    config: dict[str, Any] = {
        "entityid": settings.RUCHER_SAML_SP_ENTITY_ID,
        "xmlsec_binary": shutil.which("xmlsec1"),
        "metadata": {"local": [settings.RUCHER_SAML_IDP_METADATA]},
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "endpoints": {"assertion_consumer_service": [(acs_url(), BINDING_HTTP_POST)]},
                "allow_unsolicited": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": bool(settings.RUCHER_SAML_SP_KEY),
            }
        },
    }
    if settings.RUCHER_SAML_SP_KEY:
        config["key_file"] = settings.RUCHER_SAML_SP_KEY
        config["cert_file"] = settings.RUCHER_SAML_SP_CERT
    return config


@lru_cache(maxsize=4)
def _client(*configuration: str) -> Saml2Client:
    config = SPConfig()
    config.load(_config_dict())
    return Saml2Client(config=config)


def client() -> Saml2Client:
    return _client(
        settings.RUCHER_SAML_SP_ENTITY_ID,
        settings.RUCHER_SAML_IDP_METADATA,
        settings.RUCHER_SAML_SP_KEY,
        settings.RUCHER_BASE_URL,
    )


def metadata() -> str:
    """rucher's service provider metadata, for the identity provider's administrator."""
    config = SPConfig()
    config.load(_config_dict())
    return str(create_metadata_string(None, config=config).decode())


def start(next_url: str) -> str:
    """The address of the provider's sign-in, with a new AuthnRequest (remembered)."""
    saml = client()
    providers = list(saml.metadata.identity_providers())
    if len(providers) != 1:
        raise AnswerRefused(_("The SAML metadata must name exactly one identity provider."))
    request_id, info = saml.prepare_for_authenticate(
        entityid=providers[0], relay_state="", binding=BINDING_HTTP_REDIRECT
    )
    PendingSamlRequest.objects.filter(created_at__lt=timezone.now() - REQUEST_LIFETIME).delete()
    PendingSamlRequest.objects.create(request_id=request_id, next_url=next_url[:500])
    return str(dict(info["headers"])["Location"])


def _answered_request(encoded: str) -> str:
    """The ID of the request an answer claims to answer, read before any other check."""
    if not encoded or len(encoded) > MAX_RESPONSE_BYTES:
        raise AnswerRefused(_("The SAML answer is missing or too large."))
    try:
        root = fromstring(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError, ParseError, DefusedXmlException) as error:
        raise AnswerRefused(_("The SAML answer is not a SAML document.")) from error
    answered = root.get("InResponseTo") or ""
    if not answered:
        raise AnswerRefused(
            _("rucher accepts only answers to its own requests: start the sign-in from rucher.")
        )
    return answered


def _why(error: Exception) -> str:
    name = type(error).__name__
    if "Signature" in name or "signature" in str(error).lower():
        return _("The SAML assertion is not signed by the identity provider: sign-in refused.")
    if name in ("ToEarly", "ResponseLifetimeExceed"):
        return _("The SAML answer is outside its validity period: sign in again.")
    if "Status" in name:
        return _("The identity provider did not sign you in.")
    return _("The SAML answer failed a check (%(check)s): sign-in refused.") % {"check": name}


def finish(encoded: str) -> tuple[ExternalClaims, str]:
    """The verified claims of a posted ``SAMLResponse`` and where to go next; the answer is
    consumed (a second post of it is refused)."""
    answered = _answered_request(encoded)
    pending = PendingSamlRequest.objects.filter(
        request_id=answered, created_at__gte=timezone.now() - REQUEST_LIFETIME
    ).first()
    if pending is None:
        raise AnswerRefused(
            _(
                "This sign-in answer was already used, or answers no request of rucher's: start "
                "the sign-in again."
            )
        )
    try:
        response = client().parse_authn_request_response(
            encoded, BINDING_HTTP_POST, outstanding={answered: acs_url()}
        )
    except Exception as error:
        raise AnswerRefused(_why(error)) from error
    if response is None or response.assertion is None:
        raise AnswerRefused(_("The SAML answer carries no assertion."))
    if not getattr(response.assertion, "signature", None):
        # want_assertions_signed, checked again here: a signed Response wrapping an unsigned
        # assertion is not what the organisation configured.
        raise AnswerRefused(
            _("The SAML assertion is not signed by the identity provider: sign-in refused.")
        )
    issuer = str(response.issuer() or "")
    try:
        with transaction.atomic():
            if PendingSamlRequest.objects.filter(pk=pending.pk).delete()[0] != 1:
                raise IntegrityError("answered twice at once")
            UsedAssertion.objects.create(issuer=issuer, assertion_id=str(response.assertion.id))
    except IntegrityError as error:
        raise AnswerRefused(
            _("This sign-in answer was already used: start the sign-in again.")
        ) from error
    attributes = response.ava or {}
    names = ATTRIBUTES | {
        key: [value] for key, value in settings.RUCHER_SAML_ATTRIBUTES.items() if value
    }

    def first(claim: str) -> Any:
        for name in names[claim]:
            if attributes.get(name):
                return attributes[name]
        return []

    def text(claim: str) -> str:
        values = first(claim)
        return str(values[0]) if values else ""

    return (
        ExternalClaims(
            protocol="saml",
            issuer=issuer,
            subject=str(response.name_id.text if response.name_id is not None else ""),
            email=text("email"),
            email_verified=True,  # the organisation's directory vouches for its addresses
            given_name=text("given_name"),
            family_name=text("family_name"),
            groups=as_groups(list(first("groups"))),
        ),
        pending.next_url,
    )
