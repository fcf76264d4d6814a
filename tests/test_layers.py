"""The layers point down (docs/architecture.md, "Layers"): the import-linter contracts of
pyproject.toml hold, and a new upward import, lazy or not, breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint(project: Path, source: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=project, env=env, capture_output=True, text=True
    )


def test_the_import_contracts_hold() -> None:
    result = lint(ROOT, ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    """The contract can fail: a copy of the package where spaces (a lower layer) imports
    streams inside a function, as an import dodging a cycle would."""
    source = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "rucher", source / "rucher", ignore=shutil.ignore_patterns("*.pyc")
    )
    with (source / "rucher" / "spaces" / "permissions.py").open("a") as module:
        module.write("\n\ndef _dodge() -> None:\n    from rucher.streams import models  # noqa\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = lint(tmp_path, source)
    assert result.returncode == 1
    assert "rucher.spaces.permissions -> rucher.streams.models" in result.stdout
