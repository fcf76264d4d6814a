"""The library is pure: importable and usable without Django or its settings."""

from __future__ import annotations

import os
import subprocess
import sys

CODE = """
import sys
import rucher.sensitive as s
policy = s.Policy.default()
decision = policy.check("carte 4111 1111 1111 1111", s.SpaceKind.INTERNAL)
assert decision.action is s.Action.BLOCK, decision
leaked = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
assert not leaked, leaked
apps = sorted(
    m for m in sys.modules if m.startswith("rucher.") and not m.startswith("rucher.sensitive")
)
assert not apps, apps
print("pure")
"""


def test_imports_no_django_and_no_app() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pure"
