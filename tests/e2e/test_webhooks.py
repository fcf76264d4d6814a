"""An administrator registers a webhook endpoint in the browser, copies the secret shown once,
sends a test ping, and reads its delivery in the log (a real receiver, the real worker)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import expect

from rucher.activity.tasks import LeasedWorker
from rucher.webhooks import signing
from rucher.webhooks.models import Endpoint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    seen: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/rucher", seen
    server.shutdown()
    server.server_close()


def test_register_an_endpoint_and_ping_it(
    page: Any, sign_in_as: Any, make_person: Any, receiver: Any
) -> None:
    url, seen = receiver
    make_person("admin", username="root")
    sign_in_as("root")
    page.locator("details.account-menu summary").click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks")).to_be_visible()

    page.fill("input[name=url]", url)
    page.fill("input[name=description]", "SI RH")
    page.get_by_label("Une publication est faite").check()
    page.get_by_label("Quelqu’un rejoint un espace").check()
    page.get_by_role("button", name="Ajouter le point de réception").click()

    secret = page.locator("main code.token")
    expect(secret).to_be_visible()
    endpoint = Endpoint.objects.get()
    expect(secret).to_have_text(endpoint.secret)

    page.get_by_role("button", name="Envoyer un ping de test").click()
    expect(page.locator(".messages")).to_contain_text("ping de test")
    expect(page.locator("main code.token")).to_have_count(0)  # shown once only
    LeasedWorker(lease=timedelta(minutes=5), interval=0.01, worker_id="e2e").serve(once=True)

    page.reload()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Ping de test")
    expect(row).to_contain_text("remis")
    expect(row).to_contain_text("204")
    [(headers, body)] = seen
    assert signing.verify(endpoint.secret, headers[signing.SIGNATURE_HEADER], body)
