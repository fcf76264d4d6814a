"""A pysaml2 identity provider for the SAML tests: its own key and self-signed certificate,
its metadata (which rucher is configured with), and the answers it signs."""

from __future__ import annotations

import base64
import datetime
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

IDP_ENTITY_ID = "http://idp.orvanne.example/metadata"


def key_and_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def identity_provider(folder: Path, sp_metadata: str | None, name: str = "idp") -> Server:
    """An IdP with the key ``name`` (made on first use), trusting rucher when given its
    metadata ``sp_metadata`` (rucher's metadata needs the IdP's first: None for that step)."""
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    if not key_file.exists():
        key_file, cert_file = key_and_certificate(folder, name)
    sp_file = folder / f"sp-metadata-{name}.xml"
    if sp_metadata:
        sp_file.write_text(sp_metadata)
    config = {
        "entityid": IDP_ENTITY_ID,
        "xmlsec_binary": shutil.which("xmlsec1"),
        "key_file": str(key_file),
        "cert_file": str(cert_file),
        "metadata": {"local": [str(sp_file)]} if sp_metadata else {},
        "service": {
            "idp": {
                "endpoints": {
                    "single_sign_on_service": [
                        ("http://idp.orvanne.example/sso", BINDING_HTTP_REDIRECT)
                    ]
                },
                "policy": {
                    "default": {"lifetime": {"minutes": 15}, "name_form": NAME_FORMAT_BASIC}
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            }
        },
    }
    return Server(config=config_object(config))


def config_object(config: dict[str, Any]) -> Any:
    from saml2.config import IdPConfig

    idp_config = IdPConfig()
    idp_config.load(config)
    return idp_config


def metadata_of(idp: Server) -> str:
    return str(entity_descriptor(idp.config))


def answer(
    idp: Server,
    authorize_url: str,
    subject: str,
    attributes: dict[str, list[str]],
    *,
    sign_assertion: bool = True,
) -> str:
    """The base64 SAMLResponse answering rucher's redirect to ``authorize_url``."""
    query = parse_qs(urlsplit(authorize_url).query)
    request = idp.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
    response = idp.create_authn_response(
        identity=attributes,
        in_response_to=request.message.id,
        destination=request.message.assertion_consumer_service_url,
        sp_entity_id=request.message.issuer.text,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
        sign_assertion=sign_assertion,
        sign_response=False,
    )
    assert BINDING_HTTP_POST
    return base64.b64encode(str(response).encode()).decode()
