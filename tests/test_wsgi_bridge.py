"""The pages under ASGI (rucher.wsgi_bridge): a whole response leaves its thread in one piece,
a streamed one chunk by chunk, and the request's body reaches the page."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rucher.wsgi_bridge import PagesMiddleware, start_message

STATIC_FILE = Path(__file__).resolve().parents[1] / "src/rucher/static/cockpit/print.css"
STATIC_ASSET = "/static/cockpit/print.css"


class WholeBody:
    """What Django's HttpResponse looks like to a WSGI server: chunks, not streamed."""

    streaming = False

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        self.closed = True


def serve(
    app: Any, method: str = "GET", body: bytes = b"", path: str = "/page"
) -> list[dict[str, Any]]:
    """The ASGI messages the bridge sends for one request to ``app``."""
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    parts = [body[:3], body[3:]] if body else [b""]

    async def receive() -> dict[str, Any]:
        chunk = parts.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(parts)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def run() -> None:
        await PagesMiddleware(app, workers=2)(scope, receive, send)

    # In a thread of its own, as under the server: a test before this one (Playwright's) may
    # have left an event loop running in this thread.
    failed: list[BaseException] = []

    def loop() -> None:
        try:
            asyncio.run(run())
        except BaseException as error:  # handed to the test below
            failed.append(error)

    server = threading.Thread(target=loop, name="asgi-loop")
    server.start()
    server.join(timeout=60)
    if failed:
        raise failed[0]
    return sent


def test_a_whole_response_is_sent_as_one_body_and_closed() -> None:
    response = WholeBody(b"<p>one", b" two</p>")
    threads: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> WholeBody:
        threads.append(threading.current_thread().name)
        start_response("200 OK", [("Content-Type", "text/html"), ("X-Page", " yes ")])
        return response

    sent = serve(app)
    assert sent == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/html"), (b"x-page", b"yes")],
        },
        {"type": "http.response.body", "body": b"<p>one two</p>"},
    ]
    assert response.closed
    assert threads and threads[0].startswith("WSGI")  # the page ran in the pool


def test_a_streamed_response_goes_chunk_by_chunk() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/csv")])
        yield b"a,b\n"
        yield b"1,2\n"

    sent = serve(app)
    assert [m["type"] for m in sent] == ["http.response.start"] + ["http.response.body"] * 3
    assert [m.get("body") for m in sent[1:]] == [b"a,b\n", b"1,2\n", b""]
    assert [m.get("more_body", False) for m in sent[1:]] == [True, True, False]


def test_a_response_written_through_write_is_streamed_in_order() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> WholeBody:
        write = start_response("201 Created", [])
        write(b"first ")
        return WholeBody(b"then the rest")

    sent = serve(app)
    assert sent[0]["status"] == 201
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b"first then the rest"
    assert sent[-1] == {"type": "http.response.body", "body": b""}


def test_the_request_body_reaches_the_page() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> WholeBody:
        length = int(environ["CONTENT_LENGTH"])
        received = environ["wsgi.input"].read(length)
        start_response("200 OK", [])
        return WholeBody(b"got " + received)

    sent = serve(app, "POST", b'{"text": "bonjour"}')
    assert sent[-1]["body"] == b'got {"text": "bonjour"}'


def test_an_error_in_the_page_reaches_the_server() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> WholeBody:
        raise RuntimeError("the page failed")

    with pytest.raises(RuntimeError, match="the page failed"):
        serve(app)


def test_the_status_line_and_headers_are_asgi_bytes() -> None:
    assert start_message("404 Not Found", [("Content-Language", "fr")]) == {
        "type": "http.response.start",
        "status": 404,
        "headers": [(b"content-language", b"fr")],
    }


@pytest.mark.django_db(transaction=True)
def test_django_pages_and_files_through_the_bridge() -> None:
    """Rucher's own application: a page is one body; a static file is streamed."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    page = serve(application, path="/healthz")
    assert page[0]["status"] == 200
    assert len(page) == 2 and page[1]["body"]
    asset = serve(application, path=STATIC_ASSET)
    assert asset[0]["status"] == 200
    assert asset[-1] == {"type": "http.response.body", "body": b""}  # the stream's end
    assert b"".join(m.get("body", b"") for m in asset[1:]) == STATIC_FILE.read_bytes()
