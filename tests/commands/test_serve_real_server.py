"""`rucher demo` serving for real: Granian, its worker process, a signed-in community manager
and the cockpit (data frames in the worker). A forked worker used to hang there. The task
worker beside the server: started with it, restarted if killed, stopped with it."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

RUCHER = [sys.executable, "-c", "from rucher.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_demo_serves_the_cockpit(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "RUCHER_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "PYTHONUNBUFFERED": "1",  # its output is read while it runs
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # `rucher demo` generates with Polars, then serves from the same process: exactly the
    # case where a forked worker inherits a used Polars thread pool.
    port = free_port()
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    server = subprocess.Popen(
        [*RUCHER, "demo", "--port", str(port)],
        env=env,
        stdout=out.open("w"),
        stderr=err.open("w"),
        stdin=subprocess.DEVNULL,
    )
    workers: list[int] = []
    base = f"http://127.0.0.1:{port}"
    try:
        # Loading the demo (search index included) takes about 2 minutes on two busy cores.
        deadline = time.time() + 420
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the server did not come up")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = opener.open(f"{base}/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token is not None
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": "animatrice", "password": "demo"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/login/", data=body, headers={"Referer": f"{base}/login/"}
        )
        opener.open(request, timeout=30).close()
        with opener.open(f"{base}/cockpit/", timeout=90) as page:
            assert page.status == 200
            assert b"plotly" in page.read()

        started = re.search(r"task worker started \(pid (\d+)\)", out.read_text())
        assert started, out.read_text()
        workers.append(int(started.group(1)))
        assert b"worker" in Path(f"/proc/{workers[0]}/cmdline").read_bytes()
        os.kill(workers[0], signal.SIGKILL)  # the server starts another one
        deadline = time.time() + 60
        while not (again := re.search(r"restarted \(pid (\d+)\)", err.read_text())):
            assert time.time() < deadline, err.read_text()
            time.sleep(0.2)
        workers.append(int(again.group(1)))
        assert Path(f"/proc/{workers[1]}").exists()
    finally:
        server.terminate()
        server.wait(timeout=60)
    # Stopping the server stopped its worker (and reaped it).
    assert workers and not any(Path(f"/proc/{pid}").exists() for pid in workers)
