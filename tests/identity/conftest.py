"""The identity providers the SSO tests sign in through: a real OpenID Connect provider
(django-oauth-toolkit, tests/identity/oidc_provider.py) in its own process, once per test
session and worker, on a port the system gives (no collision between parallel runs)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROVIDER_SCRIPT = Path(__file__).with_name("oidc_provider.py")
CLIENT_ID = "rucher-tests"
CLIENT_SECRET = "a-secret-only-the-tests-know"
START_TIMEOUT_SECONDS = 180  # migrating its database is slow on a busy machine


@dataclass
class OidcProvider:
    port: int
    data_dir: Path

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}/o"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def misbehave(self, mode: str) -> None:
        (self.data_dir / "mode").write_text(mode)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    from django.conf import settings

    data_dir = tmp_path_factory.mktemp("oidc-provider")
    process = subprocess.Popen(
        [
            sys.executable, "-u", str(PROVIDER_SCRIPT), "--data-dir", str(data_dir),
            "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
            "--redirect-uri", f"{settings.RUCHER_BASE_URL}/sso/oidc/callback/",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    port = 0
    seen: list[str] = []
    while time.monotonic() < deadline and not port:
        line = process.stdout.readline()
        if not line:
            break  # exited
        seen.append(line)
        if line.startswith("listening on "):
            port = int(line.split()[-1])
    if not port:
        process.kill()
        pytest.fail("the OIDC provider did not start:\n" + "".join(seen[-30:]))
    try:
        yield OidcProvider(port=port, data_dir=data_dir)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def oidc(settings: Any, oidc_provider: OidcProvider) -> Iterator[OidcProvider]:
    """rucher configured for the test provider, which behaves until told otherwise."""
    from rucher.identity import oidc as protocol

    settings.RUCHER_OIDC_ISSUER = oidc_provider.issuer
    settings.RUCHER_OIDC_CLIENT_ID = CLIENT_ID
    settings.RUCHER_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.RUCHER_OIDC_NAME = "Orvanne ID"
    oidc_provider.misbehave("")
    protocol._client.cache_clear()
    yield oidc_provider
    oidc_provider.misbehave("")
    protocol._client.cache_clear()


# The SAML tests import their identity provider (saml_idp.py) from this folder.
sys.path.insert(0, str(Path(__file__).parent))
