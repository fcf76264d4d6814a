"""Where a webhook may go: HTTPS (plain HTTP on the loopback only), no credentials, no
private, link-local or reserved address unless allowed; checked again at send time against the
address actually connected to (DNS rebinding)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from rucher.errors import Invalid
from rucher.webhooks import addresses, sending
from rucher.webhooks.models import Delivery


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, str | list[str]]) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in answers:
            if addresses._literal(host) is not None:  # an address: urllib3 connecting to it
                return real(host, port, *args, **kwargs)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        found = answers[host]
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in ([found] if isinstance(found, str) else found)
        ]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://[::1]:9000/hook",
        "https://[::1]/hook",
        "https://93.184.216.34/hook?token=abc",
    ],
)
def test_accepted(url: str) -> None:
    addresses.check(url, allow_private=False)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.216.34/hook", "https://"),
        ("ftp://93.184.216.34/hook", "https://"),
        ("https://10.0.0.1/hook", "private"),
        ("https://192.168.1.20/hook", "private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[fe80::1]/hook", "private"),
        ("https://[::ffff:10.0.0.1]/hook", "private"),
        ("https://100.64.0.1/hook", "private"),
        ("https://0.0.0.0/hook", "not an address"),
        ("https://224.0.0.1/hook", "not an address"),
        ("https://user:secret@93.184.216.34/hook", "user name or password"),
        ("https://token@93.184.216.34/hook", "user name or password"),
        ("https:///hook", "no host"),
        ("https://93.184.216.34:99999/", "not a valid address"),
        ("https://93.184.216.34/#top", "fragment"),
        ("https://93.184.216.34/a b", "spaces"),
        ("", "needs an address"),
        ("https://" + "a" * 2000 + ".com/", "at most"),
    ],
)
def test_refused_with_a_reason(url: str, reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        addresses.check(url, allow_private=False)


def test_private_addresses_when_an_administrator_allows_them() -> None:
    addresses.check("https://10.0.0.1/hook", allow_private=True)
    addresses.check("https://169.254.169.254/hook", allow_private=True)
    with pytest.raises(Invalid):  # never an address no server answers on
        addresses.check("https://0.0.0.0/hook", allow_private=True)
    with pytest.raises(Invalid, match="https://"):  # and https all the same
        addresses.check("http://10.0.0.1/hook", allow_private=True)


def test_a_name_is_checked_by_what_it_resolves_to(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"hooks.example.com": "93.184.216.34", "intranet.example": "10.1.2.3"})
    addresses.check("https://hooks.example.com/rucher", allow_private=False)
    with pytest.raises(Invalid, match=r"10\.1\.2\.3"):
        addresses.check("https://intranet.example/rucher", allow_private=False)
    with pytest.raises(Invalid, match="cannot be found"):
        addresses.check("https://nowhere.example/rucher", allow_private=False)


@pytest.mark.django_db
def test_dns_rebinding_is_caught_at_send_time(
    monkeypatch: pytest.MonkeyPatch, world: dict[str, Any], endpoint_for: Any
) -> None:
    """Saved while the name resolved to a public address; by the time of sending it resolves
    to the metadata service: the attempt fails without connecting."""
    from rucher.webhooks import actions

    fake_dns(monkeypatch, {"hooks.example.com": "93.184.216.34"})
    endpoint = endpoint_for("https://hooks.example.com/rucher")
    fake_dns(monkeypatch, {"hooks.example.com": "169.254.169.254"})
    connections: list[Any] = []
    monkeypatch.setattr(
        sending.urllib3, "HTTPSConnectionPool", lambda *a, **k: connections.append(a)
    )
    delivery = actions.send_ping(world["admin"], endpoint.pk)
    outcome = sending.attempt_delivery(delivery.pk, 1)
    assert outcome is not None and not outcome.succeeded
    assert "169.254.169.254" in outcome.error
    assert connections == []
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.GAVE_UP  # a ping is tried once


@pytest.mark.django_db
def test_the_sender_connects_to_the_checked_address_with_the_name_as_host(
    monkeypatch: pytest.MonkeyPatch, world: dict[str, Any], endpoint_for: Any
) -> None:
    from rucher.webhooks import actions

    fake_dns(monkeypatch, {"hooks.example.com": "93.184.216.34"})
    endpoint = endpoint_for("https://hooks.example.com:8443/rucher?k=1")
    seen: dict[str, Any] = {}

    class Pool:
        def __init__(self, host: str, port: int, **options: Any) -> None:
            seen.update(host=host, port=port, **options)

        def __enter__(self) -> Pool:
            return self

        def __exit__(self, *args: Any) -> None:
            pass

        def urlopen(self, method: str, path: str, **options: Any) -> Any:
            seen.update(method=method, path=path, headers=options["headers"])
            seen["redirect"] = options["redirect"]
            raise sending.NewConnectionError(None, "refused")  # type: ignore[arg-type]

    monkeypatch.setattr(sending.urllib3, "HTTPSConnectionPool", Pool)
    delivery = actions.send_ping(world["admin"], endpoint.pk)
    sending.attempt_delivery(delivery.pk, 1)
    assert (seen["host"], seen["port"]) == ("93.184.216.34", 8443)
    assert seen["server_hostname"] == seen["assert_hostname"] == "hooks.example.com"
    assert seen["headers"]["Host"] == "hooks.example.com:8443"
    assert (seen["method"], seen["path"], seen["redirect"]) == ("POST", "/rucher?k=1", False)


@pytest.mark.django_db
def test_a_name_with_several_addresses_is_tried_on_each_and_sent_with_its_name(
    monkeypatch: pytest.MonkeyPatch, world: dict[str, Any], endpoint_for: Any, receiver: Any
) -> None:
    """localhost resolving to ::1 (nobody listening there) then 127.0.0.1 (the receiver)."""
    from rucher.webhooks import actions, signing

    fake_dns(monkeypatch, {"localhost": ["::1", "127.0.0.1"]})
    endpoint = endpoint_for(f"http://localhost:{receiver.port}/hook")
    delivery = actions.send_ping(world["admin"], endpoint.pk)
    outcome = sending.attempt_delivery(delivery.pk, 1)
    assert outcome is not None and outcome.succeeded, outcome
    [request] = receiver.requests
    assert request.headers["Host"] == f"localhost:{receiver.port}"
    assert signing.verify(endpoint.secret, request.headers[signing.SIGNATURE_HEADER], request.body)


@pytest.mark.django_db
def test_an_endpoint_whose_host_is_gone_can_still_be_switched_off(
    monkeypatch: pytest.MonkeyPatch, world: dict[str, Any], endpoint_for: Any
) -> None:
    from rucher.webhooks import actions

    fake_dns(monkeypatch, {"hooks.example.com": "93.184.216.34"})
    endpoint = endpoint_for("https://hooks.example.com/rucher")
    fake_dns(monkeypatch, {})  # the name no longer resolves
    actions.update_endpoint(world["admin"], endpoint.pk, active=False, description="en panne")
    endpoint.refresh_from_db()
    assert not endpoint.active
    with pytest.raises(Invalid, match="cannot be found"):  # a new address is checked
        actions.update_endpoint(world["admin"], endpoint.pk, url="https://hooks.example.com/v2")
