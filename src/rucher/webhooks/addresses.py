"""Where a webhook may be sent: the checks on an endpoint's address, made when it is saved and
again at every attempt against the address actually connected to (DNS rebinding: a name that
resolved to a public address yesterday may resolve to 169.254.169.254 today).

- HTTPS, except on the loopback (``localhost``, 127.0.0.0/8, ``::1``: a relay on the same
  host, development), where plain HTTP is accepted.
- No credentials in the address (``https://user:pass@…``): they would be shown in the pages
  and logged; a receiver authenticates the signature instead.
- Only public (global) addresses, or the loopback; private, link-local (169.254.0.0/16, the
  cloud metadata service), shared, reserved and documentation ranges only for an endpoint an
  administrator marked ``allow_private_address``. Unspecified (0.0.0.0, ::) and multicast
  addresses never (no HTTP server answers there; 0.0.0.0 would reach the loopback).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.utils.translation import gettext as _

from rucher.errors import Invalid

MAX_URL_LENGTH = 2000
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """A checked address: what to connect to and what to ask for."""

    scheme: str
    host: str  # as written (a name, or an IP without brackets)
    port: int
    path: str  # path and query, as sent in the request line

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


class Blocked(Invalid):
    """The address (or what its name resolves to) may not be sent to."""


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _unmapped(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def refusal(address: Address, allow_private: bool) -> str | None:
    """Why ``address`` may not be connected to, or None."""
    address = _unmapped(address)
    if address.is_unspecified or address.is_multicast:
        return _("%(address)s is not an address a server answers on") % {"address": address}
    if address.is_loopback or address.is_global or allow_private:
        return None
    return _(
        "%(address)s is a private, link-local or reserved address: an administrator must "
        "allow private addresses for this endpoint"
    ) % {"address": address}


def is_loopback_host(host: str) -> bool:
    literal = _literal(host)
    if literal is not None:
        return _unmapped(literal).is_loopback
    return host.lower() in LOOPBACK_NAMES


def parse(url: str) -> Target:
    """The address's parts, or Invalid with the reason (no DNS look-up)."""
    if not isinstance(url, str) or not url.strip():
        raise Invalid(_("an endpoint needs an address"))
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise Invalid(_("an address has at most %(limit)s characters") % {"limit": MAX_URL_LENGTH})
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise Invalid(_("an address cannot contain spaces or control characters"))
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Invalid(_("this is not a valid address")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise Invalid(_("the address must start with https://"))
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Invalid(_("the address cannot carry a user name or password"))
    host = (parts.hostname or "").rstrip(".")  # lower case, without brackets
    if not host:
        raise Invalid(_("the address has no host"))
    if parts.fragment:
        raise Invalid(_("the address cannot have a #fragment"))
    if scheme == "http" and not is_loopback_host(host):
        raise Invalid(_("the address must use https:// (plain http only on the loopback)"))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def resolve(target: Target, allow_private: bool) -> list[Address]:
    """The addresses to connect to, in the resolver's order: every address the host resolves
    to must be allowed (one forbidden answer is enough to refuse the lot)."""
    literal = _literal(target.host)
    if literal is not None:
        found: list[Address] = [literal]
    else:
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise Blocked(_("the host %(host)s cannot be found") % {"host": target.host}) from None
        found = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if address not in found:
                found.append(address)
        if not found:
            raise Blocked(_("the host %(host)s cannot be found") % {"host": target.host})
    for address in found:
        reason = refusal(address, allow_private)
        if reason is not None:
            raise Blocked(reason)
    return found


def check(url: str, allow_private: bool) -> Target:
    """The whole check made when an endpoint is saved: the address's form, then where its
    host resolves to now."""
    target = parse(url)
    resolve(target, allow_private)
    return target
