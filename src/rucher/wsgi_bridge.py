"""The pages (WSGI, in threads) under the ASGI server, with one hand-off per response.

a2wsgi runs the WSGI application in a pool of threads and, for every message of the response
(the status and headers, each chunk of the body, the end), blocks the page's thread until the
event loop's thread has taken it: three round trips between two threads for a plain page,
each waiting for the interpreter lock held by the other page threads. On a busy server that
waiting, not the pages' own work, was most of a request's time: under
``benchmarks/stream_vs_floor.py`` (one process, 8 clients, two writes a second) the floor
(``/healthz``) served 1,208–1,653 requests a second under Granian's WSGI interface and
660–1,115 through a2wsgi (docs/architecture.md, "Serving").

Here a response Django does not stream (``HttpResponse``: every page, every API answer) is
read whole in the page's thread and handed back with the thread's result, so the event loop
sends it in one go. A streamed one (files, the audit trail's export) and one written through
``start_response``'s ``write`` are sent chunk by chunk, exactly as a2wsgi does. The request's
body is still read through a2wsgi (``Body``): only when the page reads it.
"""

from __future__ import annotations

import contextvars
import functools
import os
from collections.abc import Iterable
from typing import Any

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi import Body, WSGIResponder, build_environ
from a2wsgi.wsgi_typing import Environ

# Threads per process for the pages. Python runs one thread at a time (the interpreter lock), so
# past a few, more threads add only their contention: at 1,000,000 items, one process, 8
# clients and two posts a second (benchmarks/stream_vs_floor.py, docs/performance.md), 8
# threads served 465 home pages a second with a p99 of 63 ms, 4 threads 623 and 37 ms, 2
# threads 731 and 28 ms. Four keep room for requests that wait rather than compute (a write
# queued behind another on SQLite, a sign-in calling the identity provider, a slow upload).
DEFAULT_THREADS = 4


def page_threads() -> int:
    """``RUCHER_THREADS``: threads per process for the pages (live updates take none)."""
    return int(os.environ.get("RUCHER_THREADS", str(DEFAULT_THREADS)))


def start_message(status: str, headers: list[tuple[str, str]]) -> dict[str, Any]:
    """ASGI's ``http.response.start`` for a WSGI status line and headers."""
    return {
        "type": "http.response.start",
        "status": int(status.split(" ", 1)[0]),
        "headers": [
            (name.strip().encode("latin1").lower(), value.strip().encode("latin1"))
            for name, value in headers
        ],
    }


class WholeResponder(WSGIResponder):
    """a2wsgi's responder, except that a response that is not streamed leaves its thread in
    one piece."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        environ = build_environ(scope, Body(self.loop, receive))
        # The sender carries streamed responses (a2wsgi's queue); a whole one is sent here.
        sender = self.loop.create_task(self.sender(send))
        try:
            run = functools.partial(contextvars.copy_context().run, self.respond, environ)
            whole = await self.loop.run_in_executor(self.executor, run)
            for message in whole:
                await send(message)
            await self.send_queue.put(None)
            await sender
            if self.exc_info is not None:
                raise self.exc_info[0].with_traceback(self.exc_info[1], self.exc_info[2])
        finally:
            if not sender.done():
                sender.cancel()

    def respond(self, environ: Environ) -> list[dict[str, Any]]:
        """Run the page (in a pool thread): its messages if it is whole, ``[]`` once they
        have been streamed through the sender."""
        held: list[Any] = []

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            self.exc_info = exc_info
            held[:] = [status, headers]
            return write

        def write(chunk: bytes) -> None:  # the legacy ``write`` callable: stream from now on
            if not self.response_started:
                self.start_response(*held)
            self.send({"type": "http.response.body", "body": chunk, "more_body": True})

        iterable: Iterable[bytes] = self.app(environ, hold)
        try:
            if self.response_started or getattr(iterable, "streaming", True):
                for chunk in iterable:  # a generator calls start_response at its first chunk
                    write(chunk)
                if not self.response_started:
                    self.start_response(*held)
                self.send({"type": "http.response.body", "body": b""})
                return []
            content = b"".join(iterable)
        finally:
            getattr(iterable, "close", lambda: None)()
        return [start_message(*held), {"type": "http.response.body", "body": content}]


class PagesMiddleware(WSGIMiddleware):
    """a2wsgi's middleware with :class:`WholeResponder` for HTTP requests."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            responder = WholeResponder(self.app, self.executor, self.send_queue_size)
            await responder(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)
