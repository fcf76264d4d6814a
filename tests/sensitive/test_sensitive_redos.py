"""No detector backtracks catastrophically: 100,000-character pathological inputs (long runs
of what each pattern repeats, and near-misses of every shape) are all scanned within a
subprocess timeout. The bound is the timeout, not a wall-clock assertion: linear scanning
takes well under a second per input here, a catastrophic pattern would take hours."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "sensitive_pathological.py"


def test_pathological_inputs_are_scanned_in_bounded_time() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(" chars ") >= 40, result.stdout


def test_the_guard_works() -> None:
    """The same harness catches a catastrophic pattern: (a+)+$ on a near-miss times out."""
    code = "import re; re.match(r'(a+)+$', 'a' * 40 + 'b')"
    try:
        subprocess.run([sys.executable, "-c", code], timeout=2, capture_output=True)
    except subprocess.TimeoutExpired:
        return
    raise AssertionError("(a+)+$ finished: the guard would not catch catastrophic patterns")
